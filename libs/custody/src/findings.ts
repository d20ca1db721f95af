// The finding codes of SPEC section 6, their severity and the verdict they ask for.

export const findingCodes = [
  'UNKNOWN_IDENTIFIER',
  'PRODUCT_MISMATCH',
  'ALREADY_DISPENSED',
  'DECOMMISSIONED',
  'INTEGRITY_FAILURE',
  'CUSTODY_BREAK',
  'CONFLICTING_CUSTODY',
  'NOT_IN_YOUR_CUSTODY',
  'RECALLED',
  'EXPIRED',
  'IN_TRANSIT',
  'UNSEALED_EVENTS',
  'LEDGER_UNWITNESSED',
] as const;
export type FindingCode = (typeof findingCodes)[number];

export type Verdict = 'AUTHENTIC' | 'SUSPECT' | 'COUNTERFEIT';
export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly message: string;
  readonly eventId?: string;
  /**
   * The message with no party named, for a caller the read rule keeps from the trail
   * (SPEC 7): the verdict and why, never who held, shipped or dispensed the unit.
   */
  readonly publicMessage: string;
}

/** The least verdict a finding asks for (SPEC section 6 table). */
export function verdictOf(code: FindingCode): Verdict {
  switch (code) {
    case 'UNKNOWN_IDENTIFIER':
    case 'PRODUCT_MISMATCH':
    case 'ALREADY_DISPENSED':
    case 'DECOMMISSIONED':
    case 'INTEGRITY_FAILURE':
      return 'COUNTERFEIT';
    case 'CUSTODY_BREAK':
    case 'CONFLICTING_CUSTODY':
    case 'NOT_IN_YOUR_CUSTODY':
    case 'RECALLED':
    case 'EXPIRED':
    case 'LEDGER_UNWITNESSED':
      return 'SUSPECT';
    case 'IN_TRANSIT':
    case 'UNSEALED_EVENTS':
      return 'AUTHENTIC';
  }
}

export function severityOf(code: FindingCode): Severity {
  switch (verdictOf(code)) {
    case 'COUNTERFEIT':
      return 'CRITICAL';
    case 'SUSPECT':
      return 'WARNING';
    case 'AUTHENTIC':
      return 'INFO';
  }
}

/** A finding; `publicMessage` defaults to `message`, for messages that name no party. */
export function finding(
  code: FindingCode,
  message: string,
  eventId?: string,
  publicMessage: string = message,
): Finding {
  return eventId === undefined
    ? { code, severity: severityOf(code), message, publicMessage }
    : { code, severity: severityOf(code), message, eventId, publicMessage };
}

/** What each custody flag means, in words that name no party (SPEC section 6 table). */
export function flagMeaning(code: FindingCode): string {
  switch (code) {
    case 'CUSTODY_BREAK':
      return 'an event by a party that did not hold it, or a receipt with no matching shipment';
    case 'CONFLICTING_CUSTODY':
      return 'two parties hold or received it';
    case 'ALREADY_DISPENSED':
      return 'acted on after it was dispensed';
    case 'DECOMMISSIONED':
      return 'acted on after it was decommissioned';
    case 'UNKNOWN_IDENTIFIER':
      return 'acted on but never commissioned or packed';
    default:
      return code;
  }
}

/** COUNTERFEIT if any finding asks for it, else SUSPECT if any does, else AUTHENTIC. */
export function verdictFor(findings: readonly Finding[]): Verdict {
  const verdicts = findings.map((f) => verdictOf(f.code));
  if (verdicts.includes('COUNTERFEIT')) return 'COUNTERFEIT';
  if (verdicts.includes('SUSPECT')) return 'SUSPECT';
  return 'AUTHENTIC';
}
