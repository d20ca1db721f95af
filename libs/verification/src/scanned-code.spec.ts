import { DomainError } from '@custos/core/errors/domain-error';
import { parseScannedCode } from './scanned-code';

describe('what a scan names', () => {
  it('a unit in any form: its canonical identifier, GTIN, lot and ISO expiry', () => {
    const forms = [
      '(01)09506000134352(17)271231(10)L1(21)S-1',
      'https://id.gs1.org/01/09506000134352/21/S-1?17=271231&10=L1',
    ];
    for (const code of forms)
      expect(parseScannedCode(code)).toEqual({
        identifier: 'https://id.gs1.org/01/09506000134352/21/S-1',
        gtin: '09506000134352',
        scan: { lot: 'L1', expiry: '2027-12-31' },
      });
  });

  it('a logistic unit has no GTIN and no lot', () => {
    const scanned = parseScannedCode('(00)095060001343999998');
    expect(scanned.gtin).toBeUndefined();
    expect(scanned.scan).toEqual({});
  });

  it('anything else is BAD_USER_INPUT on code', () => {
    for (const [code, why] of [
      ['(01)09506000134352', /not a product/],
      ['not a code', /^code: /],
    ] as const) {
      let error: unknown;
      try {
        parseScannedCode(code);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).field).toBe('code');
      expect((error as DomainError).message).toMatch(why);
    }
  });
});
