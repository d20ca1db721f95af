// Flags an accepted event can carry on an item (SPEC sections 4 and 6): the event is
// stored and sealed as evidence, an alert is raised, and custody does not move. The codes
// are the finding codes of SPEC section 6 that verification reports for the unit.

export const custodyFlags = [
  /** An event by a party that does not hold the unit, or a receipt with no matching shipment. */
  'CUSTODY_BREAK',
  /** A second COMMISSION of a serial, or a receipt of a unit another party already holds. */
  'CONFLICTING_CUSTODY',
  /** Acting on (or dispensing again) a unit that was dispensed. */
  'ALREADY_DISPENSED',
  /** Acting on a unit that was decommissioned (destroyed, stolen, sample, exported, locked). */
  'DECOMMISSIONED',
  /** Acting on a unit or logistic unit that was never commissioned or packed. */
  'UNKNOWN_IDENTIFIER',
] as const;

export type CustodyFlag = (typeof custodyFlags)[number];

export type AlertSeverity = 'INFO' | 'WARNING' | 'CRITICAL';

/** Severity of the alert a flag raises: what makes a verdict COUNTERFEIT is critical. */
export function flagSeverity(flag: CustodyFlag): AlertSeverity {
  switch (flag) {
    case 'CUSTODY_BREAK':
    case 'CONFLICTING_CUSTODY':
      return 'WARNING';
    case 'ALREADY_DISPENSED':
    case 'DECOMMISSIONED':
    case 'UNKNOWN_IDENTIFIER':
      return 'CRITICAL';
  }
}
