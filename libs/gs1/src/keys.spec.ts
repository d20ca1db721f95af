import { expiryToIsoDate, gs1Year } from './dates';
import { Gs1Error } from './errors';
import {
  assertGln,
  assertSscc,
  gtinHasCompanyPrefix,
  isValidGln,
  isValidGtin,
  isValidSscc,
  normaliseGtin,
} from './keys';

describe('key validators', () => {
  it('GLN: 13 digits and a check digit', () => {
    expect(assertGln('9506000000008')).toBe('9506000000008');
    expect(isValidGln('9506000000008')).toBe(true);
    expect(isValidGln('9506000000009')).toBe(false);
    expect(isValidGln('950600000000')).toBe(false);
    expect(() => assertGln('9506000000009', 'participantId')).toThrow(
      'participantId: check digit should be 8, not 9',
    );
    expect(() => assertGln(42)).toThrow(Gs1Error);
  });
  it('GTIN: 8, 12, 13 or 14 digits, padded to GTIN-14', () => {
    expect(normaliseGtin('9506000134352')).toBe('09506000134352');
    expect(normaliseGtin('02345673')).toBe('00000002345673');
    expect(isValidGtin('09506000134353')).toBe(false);
    expect(isValidGtin('123456789012345')).toBe(false);
  });
  it('SSCC: 18 digits and a check digit', () => {
    expect(assertSscc('095060000000000015')).toBe('095060000000000015');
    expect(isValidSscc('095060000000000016')).toBe(false);
  });
  it('gtinHasCompanyPrefix: the digits after the indicator', () => {
    expect(gtinHasCompanyPrefix('09506000134352', '9506000')).toBe(true);
    expect(gtinHasCompanyPrefix('19506000134359', '9506000')).toBe(true);
    expect(gtinHasCompanyPrefix('09506000134352', '9506001')).toBe(false);
    expect(gtinHasCompanyPrefix('09506000134352', '095060')).toBe(false);
    expect(() => gtinHasCompanyPrefix('09506000134352', '12')).toThrow(
      'companyPrefix: a GS1 Company Prefix is 6 to 12 digits',
    );
  });
});

describe('expiry dates', () => {
  const today = new Date('2026-06-15T00:00:00Z');
  it('day 00 is the last day of the month, leap years included', () => {
    expect(expiryToIsoDate('271200', today)).toBe('2027-12-31');
    expect(expiryToIsoDate('280200', today)).toBe('2028-02-29');
    expect(expiryToIsoDate('270200', today)).toBe('2027-02-28');
    expect(expiryToIsoDate('271231', today)).toBe('2027-12-31');
  });
  it('the GS1 century rule: 49 years back, 50 forward', () => {
    expect(gs1Year(76, 2026)).toBe(2076);
    expect(gs1Year(77, 2026)).toBe(1977);
    expect(gs1Year(0, 2026)).toBe(2000);
    expect(gs1Year(10, 2080)).toBe(2110);
    expect(expiryToIsoDate('990101', today)).toBe('1999-01-01');
  });
  it('rejects impossible dates, naming AI (17)', () => {
    expect(() => expiryToIsoDate('271301', today)).toThrow('AI (17): the month is not 01 to 12');
    expect(() => expiryToIsoDate('270230', today)).toThrow(
      'AI (17): the day does not exist in that month',
    );
    expect(() => expiryToIsoDate('2712', today)).toThrow(Gs1Error);
  });
});
