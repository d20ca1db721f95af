// The ledger_event and event_item tables on the write path: idempotency look-ups and
// bulk inserts (unnest: one statement per table per batch).
import { Injectable } from '@nestjs/common';
import { prismaOf, type Tx } from '@custos/store/transaction.repository';

export interface NewLedgerEvent {
  readonly eventId: string;
  readonly type: string;
  readonly actor: string;
  readonly keyId: string;
  readonly signature: string;
  readonly eventJson: string;
  /** hex SHA-256 of the leaf input. */
  readonly contentHashHex: string;
  readonly eventTime: Date;
}

export interface NewEventItem {
  readonly identifier: string;
  readonly eventSeq: bigint;
  readonly role: 'ITEM' | 'PARENT' | 'LOT';
  readonly flag: string | null;
}

@Injectable()
export class LedgerEventRepository {
  /** The stored event JSON of each of `eventIds` already in the ledger. */
  async findEventJson(tx: Tx, eventIds: readonly string[]): Promise<Map<string, string>> {
    if (eventIds.length === 0) return new Map();
    const rows = await prismaOf(tx).$queryRaw<{ event_id: string; event_json: string }[]>`
      SELECT event_id, event_json FROM ledger_event WHERE event_id = ANY(${[...eventIds]}::text[])`;
    return new Map(rows.map((r) => [r.event_id, r.event_json]));
  }

  /** Inserts the events as PENDING (no leaf index yet), in order; returns their seqs. */
  async insertEvents(tx: Tx, events: readonly NewLedgerEvent[]): Promise<Map<string, bigint>> {
    if (events.length === 0) return new Map();
    const rows = await prismaOf(tx).$queryRaw<{ seq: bigint; event_id: string }[]>`
      INSERT INTO ledger_event (event_id, type, actor, key_id, signature, event_json, content_hash, event_time)
      SELECT e.event_id, e.type::event_type, e.actor, e.key_id, e.signature, e.event_json,
             decode(e.content_hash, 'hex'), e.event_time::timestamptz AT TIME ZONE 'UTC'
      FROM unnest(
        ${events.map((e) => e.eventId)}::text[],
        ${events.map((e) => e.type)}::text[],
        ${events.map((e) => e.actor)}::text[],
        ${events.map((e) => e.keyId)}::text[],
        ${events.map((e) => e.signature)}::text[],
        ${events.map((e) => e.eventJson)}::text[],
        ${events.map((e) => e.contentHashHex)}::text[],
        ${events.map((e) => e.eventTime.toISOString())}::text[]
      ) WITH ORDINALITY AS e(event_id, type, actor, key_id, signature, event_json, content_hash, event_time, ord)
      ORDER BY e.ord
      RETURNING seq, event_id`;
    return new Map(rows.map((r) => [r.event_id, BigInt(r.seq)]));
  }

  /**
   * Inserts the index rows and, in the same statement, adds them to the tallies of their
   * identifiers (ITEM and PARENT rows: what a verification finds a unit's events by).
   */
  async insertItems(tx: Tx, items: readonly NewEventItem[]): Promise<void> {
    if (items.length === 0) return;
    await prismaOf(tx).$executeRaw`
      WITH inserted AS (
        INSERT INTO event_item (identifier, event_seq, role, flag)
        SELECT i.identifier, i.event_seq::bigint, i.role::item_role, i.flag
        FROM unnest(
          ${items.map((i) => i.identifier)}::text[],
          ${items.map((i) => i.eventSeq.toString())}::text[],
          ${items.map((i) => i.role)}::text[],
          ${items.map((i) => i.flag)}::text[]
        ) AS i(identifier, event_seq, role, flag)
        RETURNING identifier, event_seq, role
      )
      INSERT INTO item_tally (key, event_count, last_seq)
      SELECT identifier, count(*), max(event_seq) FROM inserted WHERE role <> 'LOT'
      GROUP BY identifier ORDER BY identifier
      ON CONFLICT (key) DO UPDATE
        SET event_count = item_tally.event_count + excluded.event_count,
            last_seq = greatest(item_tally.last_seq, excluded.last_seq)`;
  }

  /** Records recalled lots and tallies them per GTIN; a lot recalled twice keeps its first recall. */
  async insertRecalls(
    tx: Tx,
    recalls: readonly { gtin: string; lot: string; eventSeq: bigint }[],
  ): Promise<void> {
    if (recalls.length === 0) return;
    await prismaOf(tx).$executeRaw`
      WITH inserted AS (
        INSERT INTO recall (gtin, lot, event_seq)
        SELECT r.gtin, r.lot, r.event_seq::bigint
        FROM unnest(
          ${recalls.map((r) => r.gtin)}::text[],
          ${recalls.map((r) => r.lot)}::text[],
          ${recalls.map((r) => r.eventSeq.toString())}::text[]
        ) AS r(gtin, lot, event_seq)
        ON CONFLICT (gtin, lot) DO NOTHING
        RETURNING gtin, event_seq
      )
      INSERT INTO item_tally (key, event_count, last_seq)
      SELECT 'recall:' || gtin, count(*), max(event_seq) FROM inserted
      GROUP BY gtin ORDER BY gtin
      ON CONFLICT (key) DO UPDATE
        SET event_count = item_tally.event_count + excluded.event_count,
            last_seq = greatest(item_tally.last_seq, excluded.last_seq)`;
  }
}
