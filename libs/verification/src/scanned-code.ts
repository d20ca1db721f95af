// What a scan names (SPEC section 6): any identifier form in (GS1 element string, Digital
// Link, bare SSCC), a unit or a logistic unit out, with the lot and expiry the pack
// carries when it is a unit. Pure: libs/gs1 parses; a bad code is BAD_USER_INPUT on `code`.
import { DomainError } from '@custos/core/errors/domain-error';
import { canonicalIdentifier } from '@custos/gs1/canonical';
import { expiryToIsoDate } from '@custos/gs1/dates';
import { Gs1Error } from '@custos/gs1/errors';
import { parseIdentifier } from '@custos/gs1/parse';

export interface ScannedCode {
  /** The canonical identifier of the unit or logistic unit. */
  readonly identifier: string;
  /** A unit's GTIN; undefined for a logistic unit. */
  readonly gtin?: string;
  /** What the pack itself says (a unit's lot and ISO expiry date). */
  readonly scan: { readonly lot?: string; readonly expiry?: string };
}

export function parseScannedCode(code: string): ScannedCode {
  let parsed;
  try {
    parsed = parseIdentifier(code);
  } catch (err) {
    if (err instanceof Gs1Error)
      throw new DomainError('BAD_USER_INPUT', `code: ${err.message}`, 'code');
    throw err;
  }
  switch (parsed.kind) {
    case 'unit': {
      const scan = {
        ...(parsed.lot !== undefined ? { lot: parsed.lot } : {}),
        ...(parsed.expiry !== undefined ? { expiry: expiryToIsoDate(parsed.expiry) } : {}),
      };
      return { identifier: canonicalIdentifier(parsed), gtin: parsed.gtin, scan };
    }
    case 'logistic-unit':
      return { identifier: canonicalIdentifier(parsed), scan: {} };
    case 'product':
    case 'location':
    case 'party':
      throw new DomainError(
        'BAD_USER_INPUT',
        `code: a package is a unit (GTIN with serial, AI 21) or a logistic unit (SSCC), not a ${parsed.kind}`,
        'code',
      );
  }
}
