// EPC pure-identity URNs, GS1 EPC Tag Data Standard 2.x section 6 (EPC URI) and section 7
// (correspondence with GS1 keys): `urn:epc:id:{scheme}:{company prefix}.{...}`, plus the
// `urn:epc:class:lgtin` class URN and `urn:epc:idpat:` patterns whose serial is `*`.
// The company prefix is only recoverable from a URN, so parsing reports its length.
import type { AiElement } from './ai';
import { validateAiValue } from './ai';
import { isDigits } from './charset';
import { gs1CheckDigit } from './check-digit';
import { Gs1Error, assertString } from './errors';
import { percentDecode } from './percent';

export interface ParsedEpcUrn {
  /** `sgtin`, `sscc`, `sgln`, ... with `lgtin` for the class URN. */
  readonly scheme: string;
  /** `id`, `class` or `idpat`. */
  readonly type: 'id' | 'class' | 'idpat';
  readonly elements: AiElement[];
  readonly companyPrefixLength: number;
}

function bad(message: string): Gs1Error {
  return new Gs1Error('BAD_EPC_URN', message, { field: 'epc' });
}

const withCheck = (digits: string) => digits + String(gs1CheckDigit(digits));

function digitsField(
  value: string | undefined,
  name: string,
  length?: number,
  allowEmpty = false,
): string {
  if (value === undefined) throw bad(`missing ${name}`);
  if (value === '' && allowEmpty) return value;
  if (!isDigits(value) || (length !== undefined && value.length !== length)) {
    throw bad(`${name} must be ${length ?? 'some'} digits, got "${value.slice(0, 30)}"`);
  }
  return value;
}

/** TDS serial / reference component: percent-escapes decoded, GS1 set 82 checked later. */
function textField(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw bad(`missing ${name}`);
  return percentDecode(value, 'epc');
}

type Converter = (parts: string[], cp: string, pattern: boolean) => AiElement[];

/** GTIN-14 from indicator+item reference and company prefix. */
function gtin(cp: string, indicatorItem: string | undefined): string {
  const iir = digitsField(indicatorItem, 'indicator and item reference', 13 - cp.length);
  return withCheck(iir[0]! + cp + iir.slice(1));
}

const CONVERTERS: Readonly<Record<string, { arity: number; convert: Converter }>> = {
  sgtin: {
    arity: 3,
    convert: ([, i, s], cp, p) => [
      { ai: '01', value: gtin(cp, i) },
      ...(p ? [] : [{ ai: '21', value: textField(s, 'serial') }]),
    ],
  },
  lgtin: {
    arity: 3,
    convert: ([, i, lot], cp) => [
      { ai: '01', value: gtin(cp, i) },
      { ai: '10', value: textField(lot, 'lot') },
    ],
  },
  sscc: {
    arity: 2,
    convert: ([, s], cp) => {
      const ref = digitsField(s, 'extension and serial reference', 17 - cp.length);
      return [{ ai: '00', value: withCheck(ref[0]! + cp + ref.slice(1)) }];
    },
  },
  sgln: {
    arity: 3,
    convert: ([, loc, ext], cp) => {
      const gln = withCheck(cp + digitsField(loc, 'location reference', 12 - cp.length, true));
      const extension = textField(ext, 'extension');
      return extension === '0'
        ? [{ ai: '414', value: gln }]
        : [
            { ai: '414', value: gln },
            { ai: '254', value: extension },
          ];
    },
  },
  pgln: {
    arity: 2,
    convert: ([, ref], cp) => [
      {
        ai: '417',
        value: withCheck(cp + digitsField(ref, 'party reference', 12 - cp.length, true)),
      },
    ],
  },
  grai: {
    arity: 3,
    convert: ([, type, s], cp, p) => [
      {
        ai: '8003',
        value:
          '0' +
          withCheck(cp + digitsField(type, 'asset type', 12 - cp.length, true)) +
          (p ? '' : textField(s, 'serial')),
      },
    ],
  },
  giai: {
    arity: 2,
    convert: ([, ref], cp) => [{ ai: '8004', value: cp + textField(ref, 'asset reference') }],
  },
  gsrn: {
    arity: 2,
    convert: ([, ref], cp) => [
      { ai: '8018', value: withCheck(cp + digitsField(ref, 'service reference', 17 - cp.length)) },
    ],
  },
  gsrnp: {
    arity: 2,
    convert: ([, ref], cp) => [
      { ai: '8017', value: withCheck(cp + digitsField(ref, 'service reference', 17 - cp.length)) },
    ],
  },
  gdti: {
    arity: 3,
    convert: ([, type, s], cp, p) => [
      {
        ai: '253',
        value:
          withCheck(cp + digitsField(type, 'document type', 12 - cp.length, true)) +
          (p ? '' : textField(s, 'serial')),
      },
    ],
  },
  sgcn: {
    arity: 3,
    convert: ([, type, s], cp, p) => [
      {
        ai: '255',
        value:
          withCheck(cp + digitsField(type, 'coupon reference', 12 - cp.length, true)) +
          (p ? '' : digitsField(s, 'serial')),
      },
    ],
  },
  cpi: {
    arity: 3,
    convert: ([, ref, s], cp, p) => [
      { ai: '8010', value: cp + textField(ref, 'component/part reference') },
      ...(p ? [] : [{ ai: '8011', value: digitsField(s, 'serial') }]),
    ],
  },
  ginc: {
    arity: 2,
    convert: ([, ref], cp) => [{ ai: '401', value: cp + textField(ref, 'consignment reference') }],
  },
  gsin: {
    arity: 2,
    convert: ([, ref], cp) => [
      { ai: '402', value: withCheck(cp + digitsField(ref, 'shipper reference', 16 - cp.length)) },
    ],
  },
  itip: {
    arity: 5,
    convert: ([, i, piece, total, s], cp, p) => [
      {
        ai: '8006',
        value: gtin(cp, i) + digitsField(piece, 'piece', 2) + digitsField(total, 'total', 2),
      },
      ...(p ? [] : [{ ai: '21', value: textField(s, 'serial') }]),
    ],
  },
  upui: {
    arity: 3,
    convert: ([, i, tpx], cp, p) => [
      { ai: '01', value: gtin(cp, i) },
      ...(p ? [] : [{ ai: '235', value: textField(tpx, 'TPX') }]),
    ],
  },
};

export function parseEpcUrn(urn: string): ParsedEpcUrn {
  assertString(urn, 'epc');
  const m = /^urn:epc:(id|class|idpat):([a-z]+):(.*)$/i.exec(urn);
  if (!m) throw bad('is not an EPC URN (urn:epc:id:...)');
  const type = m[1]!.toLowerCase() as ParsedEpcUrn['type'];
  const scheme = m[2]!.toLowerCase();
  if ((type === 'class') !== (scheme === 'lgtin'))
    throw bad(`unsupported EPC ${type} scheme "${scheme}"`);
  const converter = CONVERTERS[scheme];
  if (!converter) throw bad(`unsupported EPC scheme "${scheme}"`);
  // The last field (serial, lot, ...) may itself hold dots.
  const all = m[3]!.split('.');
  const parts = [...all.slice(0, converter.arity - 1), all.slice(converter.arity - 1).join('.')];
  if (all.length < converter.arity)
    throw bad(`a ${scheme} URN has ${converter.arity} dot-separated fields`);
  const pattern = type === 'idpat';
  if (pattern && parts[parts.length - 1] !== '*')
    throw bad('only patterns ending in ".*" are supported');
  const cp = digitsField(parts[0], 'company prefix');
  if (cp.length < 6 || cp.length > 12) throw bad('the company prefix must be 6 to 12 digits');
  const elements = converter.convert(parts, cp, pattern);
  for (const { ai, value } of elements) validateAiValue(ai, value);
  return { scheme, type, elements, companyPrefixLength: cp.length };
}

// TDS 2.x table A-1: characters that must be %-escaped inside an EPC URN component.
const URN_ESCAPE: Readonly<Record<string, string>> = {
  '"': '%22',
  '%': '%25',
  '&': '%26',
  '/': '%2F',
  '<': '%3C',
  '>': '%3E',
  '?': '%3F',
  '#': '%23',
};
export const escapeUrnComponent = (s: string): string =>
  s.replace(/["%&/<>?#]/g, (c) => URN_ESCAPE[c]!);

export function assertCompanyPrefixLength(cpl: number | undefined, keyLength: number): number {
  if (cpl === undefined) {
    throw new Gs1Error(
      'COMPANY_PREFIX_REQUIRED',
      'an EPC URN needs the GS1 Company Prefix length (6 to 12); pass companyPrefixLength',
      {
        field: 'companyPrefixLength',
      },
    );
  }
  if (!Number.isInteger(cpl) || cpl < 6 || cpl > 12 || cpl > keyLength) {
    throw new Gs1Error('SYNTAX', `must be an integer from 6 to 12, got ${String(cpl)}`, {
      field: 'companyPrefixLength',
    });
  }
  return cpl;
}

/** `urn:epc:id:sgtin:` body for a GTIN-14: company prefix, indicator + item reference. */
export function gtinToEpcFields(gtin14: string, cpl: number): string {
  return `${gtin14.slice(1, 1 + cpl)}.${gtin14[0]!}${gtin14.slice(1 + cpl, 13)}`;
}
