// The one writer of the alert table (SPEC sections 4, 6 and 7): every alert, whoever
// raises it (ingest, the sealer, a failed verification), is inserted here, skipped when
// its dedup key is already stored, and announced with pg_notify(ALERT_CHANNEL, id) in the
// same transaction, so a listener in any process hears of exactly the committed ones.
// Regulators read them here too: a filtered page, newest first (keyset on id), and rows
// by id for the listener.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import { prismaOf, type Tx } from './transaction.repository';

/** The PostgreSQL channel announcing committed alerts; the payload is the alert id. */
export const ALERT_CHANNEL = 'custos_alert';

export type AlertSeverity = 'INFO' | 'WARNING' | 'CRITICAL';

/** An alert as stored and as regulators read it (SPEC section 7). */
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

/** The filters of the alerts list. */
export interface AlertFilter {
  readonly code?: string;
  readonly severity?: AlertSeverity;
  /** The participant the alert concerns (the scanner or the event's actor). */
  readonly participantId?: string;
  /** Raised at or after. */
  readonly since?: Date;
}

/** An alert to raise: a record before the database gives it its id and time. */
export interface NewAlert extends Omit<AlertRecord, 'id' | 'raisedAt'> {
  /** Raised at most once per key; null for alerts that are always raised. */
  readonly dedupKey?: string | null;
}

interface AlertRow {
  id: bigint;
  code: string;
  severity: AlertSeverity;
  message: string;
  identifier: string | null;
  event_id: string | null;
  participant_id: string | null;
  raised_at: Date;
}

const COLUMNS = Prisma.sql`id, code, severity::text AS severity, message, identifier, event_id,
  participant_id, raised_at`;

/** The alerts list's filters as a condition; raised_at is a UTC timestamp without zone. */
function matching(filter: AlertFilter): Prisma.Sql {
  const since = filter.since?.toISOString() ?? null;
  return Prisma.sql`(${filter.code ?? null}::text IS NULL OR code = ${filter.code ?? null}::text)
    AND (${filter.severity ?? null}::text IS NULL OR severity::text = ${filter.severity ?? null}::text)
    AND (${filter.participantId ?? null}::text IS NULL OR participant_id = ${filter.participantId ?? null}::text)
    AND (${since}::text IS NULL OR raised_at >= (${since}::timestamptz AT TIME ZONE 'UTC'))`;
}

/** Whether `alert` passes `filter`, as `matching(filter)` reads it. */
export function matchesFilter(filter: AlertFilter, alert: AlertRecord): boolean {
  return (
    (filter.code === undefined || alert.code === filter.code) &&
    (filter.severity === undefined || alert.severity === filter.severity) &&
    (filter.participantId === undefined || alert.participantId === filter.participantId) &&
    (filter.since === undefined || alert.raisedAt >= filter.since)
  );
}

const toRecord = (r: AlertRow): AlertRecord => ({
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
export class AlertRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /**
   * Inserts the alerts whose dedup key is new (all those without one), in order, and
   * notifies ALERT_CHANNEL of each; inside `tx` when given (ingest), else on its own.
   * Returns the ids inserted.
   */
  async raise(alerts: readonly NewAlert[], tx?: Tx): Promise<bigint[]> {
    if (alerts.length === 0) return [];
    const db = tx ? prismaOf(tx) : this.storage.prisma;
    const rows = await db.$queryRaw<{ id: bigint }[]>`
      WITH inserted AS (
        INSERT INTO alert (code, severity, message, identifier, event_id, participant_id, dedup_key)
        SELECT a.code, a.severity::severity, a.message, a.identifier, a.event_id, a.participant_id,
               a.dedup_key
        FROM unnest(
          ${alerts.map((a) => a.code)}::text[],
          ${alerts.map((a) => a.severity)}::text[],
          ${alerts.map((a) => a.message)}::text[],
          ${alerts.map((a) => a.identifier)}::text[],
          ${alerts.map((a) => a.eventId)}::text[],
          ${alerts.map((a) => a.participantId)}::text[],
          ${alerts.map((a) => a.dedupKey ?? null)}::text[]
        ) WITH ORDINALITY AS a(code, severity, message, identifier, event_id, participant_id,
                               dedup_key, ord)
        ORDER BY a.ord
        ON CONFLICT (dedup_key) DO NOTHING
        RETURNING id
      )
      SELECT id FROM inserted ORDER BY id`;
    const ids = rows.map((r) => BigInt(r.id));
    if (ids.length > 0) {
      await db.$executeRaw`
        SELECT pg_notify(${ALERT_CHANNEL}, id) FROM unnest(${ids.map(String)}::text[]) AS id`;
    }
    return ids;
  }

  /** How many alerts with a dedup key starting `keyPrefix` `participantId` caused since `since`. */
  async countSince(participantId: string, keyPrefix: string, since: Date): Promise<number> {
    const rows = await this.storage.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM alert
      WHERE participant_id = ${participantId}
        AND raised_at >= (${since.toISOString()}::timestamptz AT TIME ZONE 'UTC')
        AND starts_with(dedup_key, ${keyPrefix})`;
    return Number(rows[0]?.n ?? 0);
  }

  /** The newest alert of each of `codes` (id and message), by the (code, id) index. */
  async latestOf(
    codes: readonly string[],
  ): Promise<Map<string, { readonly id: bigint; readonly message: string }>> {
    const rows = await this.storage.prisma.$queryRaw<
      { code: string; id: bigint; message: string }[]
    >`
      SELECT c.code, a.id, a.message
      FROM unnest(${[...codes]}::text[]) AS c(code)
      CROSS JOIN LATERAL (
        SELECT id, message FROM alert WHERE alert.code = c.code ORDER BY id DESC LIMIT 1
      ) a`;
    return new Map(rows.map((r) => [r.code, { id: BigInt(r.id), message: r.message }]));
  }

  /** Up to `limit` alerts matching `filter` with id below `beforeId`, newest first. */
  async page(filter: AlertFilter, beforeId: bigint | null, limit: number): Promise<AlertRecord[]> {
    const before = beforeId?.toString() ?? null;
    const rows = await this.storage.prisma.$queryRaw<AlertRow[]>`
      SELECT ${COLUMNS} FROM alert
      WHERE (${before}::bigint IS NULL OR id < ${before}::bigint) AND ${matching(filter)}
      ORDER BY id DESC
      LIMIT ${limit}`;
    return rows.map(toRecord);
  }

  /**
   * Up to `limit` alerts matching `filter` with id above `afterId`, oldest first: the
   * replay of an alertRaised subscription asked for with `since`, page by page.
   */
  async pageOldestFirst(
    filter: AlertFilter,
    afterId: bigint | null,
    limit: number,
  ): Promise<AlertRecord[]> {
    const after = afterId?.toString() ?? null;
    const rows = await this.storage.prisma.$queryRaw<AlertRow[]>`
      SELECT ${COLUMNS} FROM alert
      WHERE (${after}::bigint IS NULL OR id > ${after}::bigint) AND ${matching(filter)}
      ORDER BY id
      LIMIT ${limit}`;
    return rows.map(toRecord);
  }

  /** The alerts of `ids` that exist, in id order. */
  async byIds(ids: readonly bigint[]): Promise<AlertRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.storage.prisma.$queryRaw<AlertRow[]>`
      SELECT ${COLUMNS} FROM alert WHERE id = ANY(${ids.map(String)}::bigint[])
      ORDER BY id`;
    return rows.map(toRecord);
  }

  /** Alerts raised at or after `since`, in id order (catch-up after a lost connection). */
  async raisedSince(since: Date): Promise<AlertRecord[]> {
    const rows = await this.storage.prisma.$queryRaw<AlertRow[]>`
      SELECT ${COLUMNS} FROM alert WHERE raised_at >= (${since.toISOString()}::timestamptz AT TIME ZONE 'UTC')
      ORDER BY id`;
    return rows.map(toRecord);
  }
}
