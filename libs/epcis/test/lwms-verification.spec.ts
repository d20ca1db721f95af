// The LWMS 1.3 scenario matrix (verified; verified + Recalled; verified + Suspect; not
// verified with No_reason_provided or each No_match code), and the DSCSA rows Custos adds.
import { type UnitVerification, lwmsVerificationData } from '../src/lwms-verification';

const today = new Date('2026-06-01T00:00:00Z');
const commissioned = { lot: 'A123', expiry: '2027-03-31' };
const unit = (...codes: string[]): UnitVerification => ({
  findings: codes.map((code) => ({ code })),
  product: commissioned,
});
const ask = { lot: 'A123', expiry: '270331' };

describe('LWMS verification data', () => {
  it.each<[string, { lot: string; expiry: string }, UnitVerification, object]>([
    ['verified', ask, unit(), { verified: true }],
    [
      'verified, recalled',
      ask,
      unit('RECALLED', 'CUSTODY_BREAK'),
      { verified: true, additionalInfo: 'Recalled' },
    ],
    [
      'verified, suspect',
      ask,
      unit('CONFLICTING_CUSTODY'),
      { verified: true, additionalInfo: 'Suspect' },
    ],
    ['verified, expired', ask, unit('EXPIRED'), { verified: true, additionalInfo: 'Expired' }],
    [
      'not verified, no reason given (ledger cannot vouch)',
      ask,
      unit('INTEGRITY_FAILURE'),
      { verified: false, verificationFailureReason: 'No_reason_provided' },
    ],
    [
      'not verified, no reason given, even where the damaged record matches nothing',
      { ...ask, lot: 'B1' },
      { findings: [{ code: 'UNKNOWN_IDENTIFIER' }, { code: 'INTEGRITY_FAILURE' }] },
      { verified: false, verificationFailureReason: 'No_reason_provided' },
    ],
    [
      'not verified, unknown serial',
      ask,
      { findings: [{ code: 'UNKNOWN_IDENTIFIER' }] },
      { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' },
    ],
    [
      'not verified, lot',
      { ...ask, lot: 'B1' },
      unit(),
      { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' },
    ],
    [
      'not verified, expiry',
      { ...ask, expiry: '270330' },
      unit(),
      { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Expiry' },
    ],
    [
      'not verified, lot and expiry',
      { lot: 'B1', expiry: '280101' },
      unit(),
      { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot_Expiry' },
    ],
    [
      'not for re-distribution once dispensed',
      ask,
      unit('ALREADY_DISPENSED'),
      { verified: false, verificationFailureReason: 'Not_for_re-distribution' },
    ],
    [
      'day 00 is the last day of the month',
      { ...ask, expiry: '270300' },
      unit(),
      { verified: true },
    ],
  ])('%s', (_name, request, verification, expected) => {
    expect(lwmsVerificationData(request, verification, today)).toEqual(expected);
  });
});
