// An alert as regulators read it (SPEC section 7), and the filters of the alerts list.

export type AlertSeverity = 'INFO' | 'WARNING' | 'CRITICAL';

export interface AlertRecord {
  readonly id: bigint;
  readonly code: string;
  readonly severity: AlertSeverity;
  readonly message: string;
  readonly identifier: string | null;
  readonly eventId: string | null;
  readonly participantId: string | null;
  readonly raisedAt: Date;
}

export interface AlertFilter {
  readonly code?: string;
  readonly severity?: AlertSeverity;
  /** The participant the alert concerns (the scanner or the event's actor). */
  readonly participantId?: string;
  /** Raised at or after. */
  readonly since?: Date;
}
