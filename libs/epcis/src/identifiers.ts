// GS1 identifiers as EPCIS 2.0 carries them (EPCIS 2.0 section 6.3 and GS1-EPC-Format of the
// REST binding): a GS1 Digital Link URI (GS1 Digital Link 1.2, canonical on id.gs1.org by
// default) or an EPC pure-identity URN (EPC Tag Data Standard 2.x section 6). Reading
// accepts either, on any host, and keeps the key only; writing an EPC URN needs the length
// of the GS1 Company Prefix, known from the signed text or the registered prefixes.
import { canonicalIdentifier } from '@custos/gs1/canonical';
import { Gs1Error } from '@custos/gs1/errors';
import type { Gs1Identifier, Gs1IdentifierKind } from '@custos/gs1/identifier';
import { assertGln } from '@custos/gs1/keys';
import { parseIdentifier } from '@custos/gs1/parse';
import { render } from '@custos/gs1/render';
import { refuse } from './errors';

/** `GS1-EPC-Format`: Digital Link unless an EPC URN is asked for. */
export type EpcFormat = 'digital-link' | 'epc-urn';

/**
 * The length of the GS1 Company Prefix that `digits` start with (the key without its
 * indicator or extension digit), or undefined when unknown.
 */
export type CompanyPrefixLookup = (digits: string) => number | undefined;

const KIND_NAMES: Readonly<Record<Gs1IdentifierKind, string>> = {
  unit: 'a unit (GTIN + serial)',
  product: 'a product class (GTIN, or GTIN + lot)',
  'logistic-unit': 'a logistic unit (SSCC)',
  location: 'a location (GLN)',
  party: 'a party (GLN)',
};

/** Parses any identifier form Custos accepts (SPEC section 2), or refuses at `pointer`. */
export function parseAt(value: unknown, pointer: string): Gs1Identifier {
  if (typeof value !== 'string') refuse(pointer, 'must be a string');
  try {
    return parseIdentifier(value);
  } catch (err) {
    if (err instanceof Gs1Error) refuse(pointer, `"${value.slice(0, 80)}": ${err.message}`);
    throw err;
  }
}

/**
 * An EPCIS identifier (Digital Link URI or EPC URN) naming one of `kinds`, by its key only:
 * lot, expiry and other attributes belong elsewhere in EPCIS (ILMD, quantityList).
 */
export function readEpcisIdentifier(
  value: unknown,
  pointer: string,
  kinds: readonly Gs1IdentifierKind[],
): Gs1Identifier {
  if (typeof value === 'string' && !/^(urn:epc:|https?:\/\/)/i.test(value)) {
    refuse(pointer, `"${value.slice(0, 80)}" is not a GS1 Digital Link URI or an EPC URN`);
  }
  const id = parseAt(value, pointer);
  if (!kinds.includes(id.kind)) {
    refuse(
      pointer,
      `names ${KIND_NAMES[id.kind]}, not ${kinds.map((k) => KIND_NAMES[k]).join(' or ')}`,
    );
  }
  const extra = [
    ...(id.kind === 'unit' && id.lot !== undefined ? ['(10) lot'] : []),
    ...((id.kind === 'unit' || id.kind === 'product') && id.expiry !== undefined
      ? ['(17) expiry']
      : []),
    ...id.attributes.map((a) => `(${a.ai})`),
  ];
  if (extra.length > 0) {
    refuse(pointer, `carries ${extra.join(', ')} besides its key; EPCIS names objects by key only`);
  }
  return id;
}

/** A party's GLN from an EPCIS source/destination: (417) party, or a (414) GLN without extension. */
export function readEpcisParty(value: unknown, pointer: string): string {
  const id = readEpcisIdentifier(value, pointer, ['party', 'location']);
  if (id.kind === 'location' && id.extension !== undefined) {
    refuse(pointer, 'names a location inside a site (GLN extension), not a party');
  }
  return (id as { gln: string }).gln;
}

function companyDigits(id: Gs1Identifier): string {
  switch (id.kind) {
    case 'unit':
    case 'product':
      return id.gtin.slice(1);
    case 'logistic-unit':
      return id.sscc.slice(1);
    case 'location':
    case 'party':
      return id.gln;
  }
}

/** The identifier as `format` writes it; an EPC URN falls back to Digital Link when the prefix length is unknown. */
export function writeEpcisIdentifier(
  id: Gs1Identifier,
  format: EpcFormat,
  lookup?: CompanyPrefixLookup,
): string {
  if (format === 'epc-urn') {
    const companyPrefixLength = id.companyPrefixLength ?? lookup?.(companyDigits(id));
    if (companyPrefixLength !== undefined) {
      try {
        return render({ ...id, attributes: [] }, 'epc-urn', { companyPrefixLength });
      } catch (err) {
        if (!(err instanceof Gs1Error)) throw err;
      }
    }
  }
  return canonicalIdentifier(id);
}

/** A participant id (13-digit GLN) as an EPCIS party identifier. */
export function writeEpcisParty(
  gln: string,
  format: EpcFormat,
  lookup?: CompanyPrefixLookup,
): string {
  return writeEpcisIdentifier(
    { kind: 'party', gln: assertGln(gln, 'gln'), attributes: [] },
    format,
    lookup,
  );
}
