// The canonical identifier of SPEC section 2, used in every output: the GS1 Digital Link
// URI on https://id.gs1.org holding only the key (GS1 Digital Link standard 1.2, section
// 4.11 "canonical URI"), GTIN as 14 digits, values percent-encoded for every UTF-8 byte
// outside RFC 3986's unreserved set, uppercase hex.
import { CANONICAL_STEM } from './digital-link';
import type { Gs1Identifier } from './identifier';
import { parseIdentifier } from './parse';
import { percentEncode } from './percent';

export function canonicalIdentifier(id: Gs1Identifier): string {
  switch (id.kind) {
    case 'unit':
      return `${CANONICAL_STEM}/01/${id.gtin}/21/${percentEncode(id.serial)}`;
    case 'product':
      return id.lot !== undefined
        ? `${CANONICAL_STEM}/01/${id.gtin}/10/${percentEncode(id.lot)}`
        : `${CANONICAL_STEM}/01/${id.gtin}`;
    case 'logistic-unit':
      return `${CANONICAL_STEM}/00/${id.sscc}`;
    case 'location':
      return id.extension !== undefined
        ? `${CANONICAL_STEM}/414/${id.gln}/254/${percentEncode(id.extension)}`
        : `${CANONICAL_STEM}/414/${id.gln}`;
    case 'party':
      return `${CANONICAL_STEM}/417/${id.gln}`;
  }
}

/** parseIdentifier then canonicalIdentifier: any form in, the canonical string out. */
export function canonicalize(input: string): string {
  return canonicalIdentifier(parseIdentifier(input));
}
