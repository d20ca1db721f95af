// GS1 US Lightweight Messaging Standard for DSCSA Verification of Product Identifiers,
// release 1.3: the `data` of a verification response (verified, verificationFailureReason,
// additionalInfo) for one request (GTIN, lot, serial, expiry as YYMMDD), read from the
// Custos verification of that unit by its key (SPEC section 6). A unit that matches is
// verified even when recalled, suspect or expired; those ride in additionalInfo.
import { expiryToIsoDate } from '@custos/gs1/dates';

export type LwmsFailureReason =
  | 'No_match_GTIN_Serial'
  | 'No_match_GTIN_Serial_Lot'
  | 'No_match_GTIN_Serial_Expiry'
  | 'No_match_GTIN_Serial_Lot_Expiry'
  | 'No_reason_provided'
  | 'Not_for_re-distribution';
export type LwmsAdditionalInfo = 'Recalled' | 'Expired' | 'Suspect' | 'Illegitimate';

export interface LwmsRequest {
  readonly lot: string;
  /** AI (17) `YYMMDD`; day `00` is the last day of the month. */
  readonly expiry: string;
}

/** What the verification of the unit (GTIN + serial only) says. */
export interface UnitVerification {
  readonly findings: readonly { readonly code: string }[];
  /** As commissioned; expiry `YYYY-MM-DD`. */
  readonly product?: { readonly lot?: string; readonly expiry?: string };
}

export interface LwmsData {
  readonly verified: boolean;
  readonly verificationFailureReason?: LwmsFailureReason;
  readonly additionalInfo?: LwmsAdditionalInfo;
}

const SUSPECT = ['CUSTODY_BREAK', 'CONFLICTING_CUSTODY', 'LEDGER_UNWITNESSED'];

export function lwmsVerificationData(
  request: LwmsRequest,
  verification: UnitVerification,
  today: Date = new Date(),
): LwmsData {
  const has = (code: string) => verification.findings.some((f) => f.code === code);
  // The ledger cannot vouch for what it cannot verify, a "no match" included: a record
  // that fails its integrity checks may be missing the very event that would match.
  if (has('INTEGRITY_FAILURE'))
    return { verified: false, verificationFailureReason: 'No_reason_provided' };
  const product = verification.product;
  if (has('UNKNOWN_IDENTIFIER') || !product) {
    return { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' };
  }
  const lotMatches = product.lot === request.lot;
  const expiryMatches = product.expiry === expiryToIsoDate(request.expiry, today);
  if (!lotMatches || !expiryMatches) {
    const reason: LwmsFailureReason =
      !lotMatches && !expiryMatches
        ? 'No_match_GTIN_Serial_Lot_Expiry'
        : !lotMatches
          ? 'No_match_GTIN_Serial_Lot'
          : 'No_match_GTIN_Serial_Expiry';
    return { verified: false, verificationFailureReason: reason };
  }
  // Dispensed or decommissioned: it matches, but must not be sold again.
  if (has('ALREADY_DISPENSED') || has('DECOMMISSIONED')) {
    return { verified: false, verificationFailureReason: 'Not_for_re-distribution' };
  }
  if (has('RECALLED')) return { verified: true, additionalInfo: 'Recalled' };
  if (SUSPECT.some(has)) return { verified: true, additionalInfo: 'Suspect' };
  if (has('EXPIRED')) return { verified: true, additionalInfo: 'Expired' };
  return { verified: true };
}
