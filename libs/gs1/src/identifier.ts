// The structured value every identifier form lands on (SPEC section 2): a unit (GTIN-14 +
// serial, GS1 General Specifications 4.13 "SGTIN"), a product or lot (GTIN-14, optional
// lot), a logistic unit (SSCC), a location (GLN in AI (414), optional extension (254)) or
// a party (GLN in AI (417)). Other AIs read with the key stay in `attributes`, sorted by AI.
import type { AiElement } from './ai';
import { Gs1Error } from './errors';

interface Common {
  /** Further AIs read with the key (e.g. (3103) net weight), sorted by AI, no repeats. */
  readonly attributes: readonly AiElement[];
  /** Length of the GS1 Company Prefix inside the key, when known (from an EPC URN). */
  readonly companyPrefixLength?: number;
}

export interface UnitIdentifier extends Common {
  readonly kind: 'unit';
  readonly gtin: string;
  readonly serial: string;
  readonly lot?: string;
  /** AI (17) as read: `YYMMDD`, day `00` = last day of the month. */
  readonly expiry?: string;
}
export interface ProductIdentifier extends Common {
  readonly kind: 'product';
  readonly gtin: string;
  readonly lot?: string;
  readonly expiry?: string;
}
export interface LogisticUnitIdentifier extends Common {
  readonly kind: 'logistic-unit';
  readonly sscc: string;
}
export interface LocationIdentifier extends Common {
  readonly kind: 'location';
  readonly gln: string;
  readonly extension?: string;
}
export interface PartyIdentifier extends Common {
  readonly kind: 'party';
  readonly gln: string;
}

export type Gs1Identifier =
  | UnitIdentifier
  | ProductIdentifier
  | LogisticUnitIdentifier
  | LocationIdentifier
  | PartyIdentifier;

export type Gs1IdentifierKind = Gs1Identifier['kind'];

const KEY_AIS = ['01', '00', '414', '417'];

/** Builds the structured value from validated AI data; the first key AI in the data wins. */
export function identifierFromElements(
  elements: readonly AiElement[],
  companyPrefixLength?: number,
): Gs1Identifier {
  const byAi = new Map<string, string>();
  for (const { ai, value } of elements) if (!byAi.has(ai)) byAi.set(ai, value);
  const key = elements.find((el) => KEY_AIS.includes(el.ai));
  if (!key) {
    const ais = [...byAi.keys()].map((ai) => `(${ai})`).join('');
    throw new Gs1Error(
      'UNSUPPORTED_KEY',
      `holds ${ais}, but no GTIN (01), SSCC (00) or GLN (414)/(417)`,
      {
        field: 'identifier',
      },
    );
  }
  const captured: Readonly<Record<string, readonly string[]>> = {
    '01': ['01', '21', '10', '17'],
    '00': ['00'],
    '414': ['414', '254'],
    '417': ['417'],
  };
  const taken = captured[key.ai] ?? [key.ai];
  const attributes = [...byAi]
    .filter(([ai]) => !taken.includes(ai))
    .map(([ai, value]) => ({ ai, value }))
    .sort((a, b) => (a.ai < b.ai ? -1 : a.ai > b.ai ? 1 : 0));
  const common = {
    attributes,
    ...(companyPrefixLength === undefined ? {} : { companyPrefixLength }),
  };
  const opt = (name: string, ai: string) => {
    const value = byAi.get(ai);
    return value === undefined ? {} : { [name]: value };
  };
  switch (key.ai) {
    case '01': {
      const serial = byAi.get('21');
      const extra = { ...opt('lot', '10'), ...opt('expiry', '17'), ...common };
      return serial !== undefined
        ? { kind: 'unit', gtin: key.value, serial, ...extra }
        : { kind: 'product', gtin: key.value, ...extra };
    }
    case '00':
      return { kind: 'logistic-unit', sscc: key.value, ...common };
    case '414':
      return { kind: 'location', gln: key.value, ...opt('extension', '254'), ...common };
    default:
      return { kind: 'party', gln: key.value, ...common };
  }
}

/** The key AIs of a value, in the order an element string carries them (fixed-length first). */
export function keyElements(id: Gs1Identifier): AiElement[] {
  switch (id.kind) {
    case 'unit':
    case 'product': {
      const out: AiElement[] = [{ ai: '01', value: id.gtin }];
      if (id.expiry !== undefined) out.push({ ai: '17', value: id.expiry });
      if (id.lot !== undefined) out.push({ ai: '10', value: id.lot });
      if (id.kind === 'unit') out.push({ ai: '21', value: id.serial });
      return out;
    }
    case 'logistic-unit':
      return [{ ai: '00', value: id.sscc }];
    case 'location':
      return id.extension !== undefined
        ? [
            { ai: '414', value: id.gln },
            { ai: '254', value: id.extension },
          ]
        : [{ ai: '414', value: id.gln }];
    case 'party':
      return [{ ai: '417', value: id.gln }];
  }
}

/** All AIs of a value: key, lot, expiry, serial, then the other attributes. */
export function identifierToElements(id: Gs1Identifier): AiElement[] {
  return [...keyElements(id), ...id.attributes];
}
