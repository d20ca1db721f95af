// Alerts raised by ingest (SPEC sections 4 and 7), stored in the ingest transaction and
// announced with pg_notify on the same transaction, so a listener in any process hears of
// them exactly when (and only if) they are committed.
import { Injectable } from '@nestjs/common';
import type { AlertSeverity } from '@custos/custody/custody-flags';
import { prismaOf, type Tx } from './transaction.repository';

/** The PostgreSQL channel announcing committed alerts; the payload is the alert id. */
export const ALERT_CHANNEL = 'custos_alert';

export interface NewAlert {
  readonly code: string;
  readonly severity: AlertSeverity;
  readonly message: string;
  readonly identifier: string | null;
  readonly eventId: string | null;
  readonly participantId: string | null;
}

@Injectable()
export class AlertRepository {
  /** Inserts the alerts and notifies ALERT_CHANNEL of each; returns their ids in order. */
  async insertAndNotify(tx: Tx, alerts: readonly NewAlert[]): Promise<bigint[]> {
    if (alerts.length === 0) return [];
    const rows = await prismaOf(tx).$queryRaw<{ id: bigint }[]>`
      WITH inserted AS (
        INSERT INTO alert (code, severity, message, identifier, event_id, participant_id)
        SELECT a.code, a.severity::severity, a.message, a.identifier, a.event_id, a.participant_id
        FROM unnest(
          ${alerts.map((a) => a.code)}::text[],
          ${alerts.map((a) => a.severity)}::text[],
          ${alerts.map((a) => a.message)}::text[],
          ${alerts.map((a) => a.identifier)}::text[],
          ${alerts.map((a) => a.eventId)}::text[],
          ${alerts.map((a) => a.participantId)}::text[]
        ) WITH ORDINALITY AS a(code, severity, message, identifier, event_id, participant_id, ord)
        ORDER BY a.ord
        RETURNING id
      )
      SELECT id FROM inserted ORDER BY id`;
    const ids = rows.map((r) => BigInt(r.id));
    await prismaOf(tx).$executeRaw`
      SELECT pg_notify(${ALERT_CHANNEL}, id) FROM unnest(${ids.map(String)}::text[]) AS id`;
    return ids;
  }
}
