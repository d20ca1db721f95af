// The alert codes of a rollback and its resolution (SPEC section 9). The alert table is
// the record: a LEDGER_ROLLBACK stands while no LEDGER_ROLLBACK_RESOLVED is newer.
export const LEDGER_ROLLBACK = 'LEDGER_ROLLBACK';
export const LEDGER_ROLLBACK_RESOLVED = 'LEDGER_ROLLBACK_RESOLVED';

export interface AlertMark {
  readonly id: bigint;
  readonly message: string;
}

/** The standing rollback, given the newest alert of each code. */
export function standingRollback(
  rollback: AlertMark | undefined,
  resolved: AlertMark | undefined,
): AlertMark | undefined {
  if (!rollback) return undefined;
  return resolved && resolved.id > rollback.id ? undefined : rollback;
}
