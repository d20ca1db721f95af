// Small validators for the GS1 keys Custos stores: GTIN (GS1 General Specifications
// section 3.3.2), SSCC (3.3.1), GLN (3.7.x AIs 410-417), each a fixed count of digits
// ending in the mod-10 check digit of section 7.9.1; and the rule that a GTIN-14 is
// indicator digit + GS1 Company Prefix + item reference + check digit (section 1.4.2).
import { isDigits } from './charset';
import { gs1CheckDigit } from './check-digit';
import { Gs1Error } from './errors';

function assertKey(
  value: unknown,
  lengths: readonly number[],
  field: string,
  name: string,
): string {
  if (
    typeof value !== 'string' ||
    value.length > 64 ||
    !lengths.includes(value.length) ||
    !isDigits(value)
  ) {
    const want = lengths.join(', ');
    const got =
      typeof value === 'string' ? `${Math.min(value.length, 64)} characters` : typeof value;
    throw new Gs1Error('SYNTAX', `a ${name} is ${want} digits, got ${got}`, { field });
  }
  const expected = gs1CheckDigit(value.slice(0, -1));
  const actual = value.charCodeAt(value.length - 1) - 48;
  if (expected !== actual) {
    throw new Gs1Error(
      'INCORRECT_CHECK_DIGIT',
      `check digit should be ${expected}, not ${actual}`,
      { field },
    );
  }
  return value;
}

/** Throws unless `gln` is 13 digits with a correct check digit; returns it. */
export function assertGln(gln: unknown, field = 'gln'): string {
  return assertKey(gln, [13], field, 'GLN');
}
export function assertSscc(sscc: unknown, field = 'sscc'): string {
  return assertKey(sscc, [18], field, 'SSCC');
}
/** Accepts GTIN-8, -12, -13 or -14; returns the GTIN-14 (zero-padded). */
export function normaliseGtin(gtin: unknown, field = 'gtin'): string {
  return assertKey(gtin, [8, 12, 13, 14], field, 'GTIN').padStart(14, '0');
}
export function assertGtin14(gtin: unknown, field = 'gtin'): string {
  return assertKey(gtin, [14], field, 'GTIN-14');
}

const valid = (check: () => unknown): boolean => {
  try {
    check();
    return true;
  } catch {
    return false;
  }
};
export const isValidGln = (gln: unknown): boolean => valid(() => assertGln(gln));
export const isValidSscc = (sscc: unknown): boolean => valid(() => assertSscc(sscc));
export const isValidGtin = (gtin: unknown): boolean => valid(() => normaliseGtin(gtin));

/**
 * True when `gtin14` was allocated from the GS1 Company Prefix `prefix` (6 to 12 digits):
 * the digits after the indicator digit start with it.
 */
export function gtinHasCompanyPrefix(gtin14: string, prefix: string): boolean {
  assertGtin14(gtin14);
  if (prefix.length < 6 || prefix.length > 12 || !isDigits(prefix)) {
    throw new Gs1Error('SYNTAX', 'a GS1 Company Prefix is 6 to 12 digits', {
      field: 'companyPrefix',
    });
  }
  return gtin14.startsWith(prefix, 1);
}
