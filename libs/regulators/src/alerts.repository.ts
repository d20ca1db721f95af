// Reads of the alert table: a filtered page, newest first (keyset on id), and rows by id
// for the listener. Raw SQL: one statement each.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import type { AlertFilter, AlertRecord, AlertSeverity } from './alert';

interface Row {
  id: bigint;
  code: string;
  severity: AlertSeverity;
  message: string;
  identifier: string | null;
  event_id: string | null;
  participant_id: string | null;
  raised_at: Date;
}

const toRecord = (r: Row): AlertRecord => ({
  id: BigInt(r.id),
  code: r.code,
  severity: r.severity,
  message: r.message,
  identifier: r.identifier,
  eventId: r.event_id,
  participantId: r.participant_id,
  raisedAt: r.raised_at,
});

@Injectable()
export class AlertsRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** Up to `limit` alerts matching `filter` with id below `beforeId`, newest first. */
  async page(filter: AlertFilter, beforeId: bigint | null, limit: number): Promise<AlertRecord[]> {
    // raised_at is a UTC timestamp without zone (Prisma's DateTime).
    const since = filter.since?.toISOString() ?? null;
    const rows = await this.storage.prisma.$queryRaw<Row[]>`
      SELECT id, code, severity::text AS severity, message, identifier, event_id, participant_id,
             raised_at
      FROM alert
      WHERE (${beforeId?.toString() ?? null}::bigint IS NULL OR id < ${beforeId?.toString() ?? null}::bigint)
        AND (${filter.code ?? null}::text IS NULL OR code = ${filter.code ?? null}::text)
        AND (${filter.severity ?? null}::text IS NULL OR severity::text = ${filter.severity ?? null}::text)
        AND (${filter.participantId ?? null}::text IS NULL OR participant_id = ${filter.participantId ?? null}::text)
        AND (${since}::text IS NULL OR raised_at >= (${since}::timestamptz AT TIME ZONE 'UTC'))
      ORDER BY id DESC
      LIMIT ${limit}`;
    return rows.map(toRecord);
  }

  /** The alerts of `ids` that exist, in id order. */
  async byIds(ids: readonly bigint[]): Promise<AlertRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.storage.prisma.$queryRaw<Row[]>`
      SELECT id, code, severity::text AS severity, message, identifier, event_id, participant_id,
             raised_at
      FROM alert WHERE id = ANY(${ids.map(String)}::bigint[])
      ORDER BY id`;
    return rows.map(toRecord);
  }

  /** Alerts raised at or after `since`, in id order (catch-up after a lost connection). */
  async raisedSince(since: Date): Promise<AlertRecord[]> {
    const rows = await this.storage.prisma.$queryRaw<Row[]>`
      SELECT id, code, severity::text AS severity, message, identifier, event_id, participant_id,
             raised_at
      FROM alert WHERE raised_at >= (${since.toISOString()}::timestamptz AT TIME ZONE 'UTC')
      ORDER BY id`;
    return rows.map(toRecord);
  }
}
