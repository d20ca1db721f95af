// Raises the alerts of flagged events: stored in the ingest transaction and announced on
// the PostgreSQL channel ALERT_CHANNEL (payload: the alert id) when that transaction
// commits. A subscription in any process LISTENs on the channel and reads the row; no
// Redis needed, and it works on PGlite too.
import { Injectable } from '@nestjs/common';
import { AlertRepository, type NewAlert } from './alert.repository';
import type { Tx } from './transaction.repository';

export { ALERT_CHANNEL } from './alert.repository';

@Injectable()
export class AlertPublisher {
  constructor(private readonly alerts: AlertRepository) {}

  /** Stores and announces `alerts` as part of `tx`; returns their ids. */
  publish(tx: Tx, alerts: readonly NewAlert[]): Promise<bigint[]> {
    return this.alerts.insertAndNotify(tx, alerts);
  }
}
