// The one owner of the ledger_event table (SPEC sections 4 and 5): the events as
// accepted and signed, pending until the sealer gives them a leaf index and a block.
// Every row read here is re-verified (libs/ledger/stored-event.ts) by whoever believes it.
// The seal's write, which gives pending events their leaf indexes, is block.repository's;
// the two reads that join other tables beside it for speed, verifyPackage's history and the
// EPCIS event query, are event-history.repository's and event-query.repository's.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import { prismaOf, type Tx } from './transaction.repository';

/**
 * A ledger_event row as stored: the event as signed (its JSON, key and signature), the
 * content hash it was accepted with, and where it was sealed (null while pending). Each
 * read below returns the columns it needs of it, and what it joins beside them.
 */
export interface LedgerEventRow {
  readonly seq: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly actor: string;
  readonly keyId: string;
  readonly signature: string;
  readonly eventJson: string;
  readonly contentHash: Uint8Array;
  readonly leafIndex: number | null;
  readonly blockHeight: number | null;
  readonly acceptedAt: Date;
}

/**
 * The actor's key row an event names (actor, keyId), as stored: what the sealer and
 * verifyPackage read beside the event, and believe only once the key directory holds it.
 */
export interface EventKeyRow {
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | null;
  readonly revokedAt: Date | null;
}

/** A pending event (no leaf index yet) as the sealer reads it, with its actor's key row. */
export interface PendingEvent extends Pick<
  LedgerEventRow,
  'seq' | 'eventId' | 'actor' | 'eventJson' | 'keyId' | 'signature' | 'contentHash' | 'acceptedAt'
> {
  /** Its actor's key row, null when there is none. */
  readonly key: EventKeyRow | null;
}

export interface PendingStatus {
  /** Pending events, counted up to the limit asked. */
  readonly count: number;
  /** How long the oldest pending event has waited, by the database's clock (0 when none). */
  readonly oldestWaitMs: number;
}

/**
 * The reads of the pending events (leaf_index IS NULL). Each can use the partial index
 * ledger_event_pending_idx (prisma/migrations/…_pending_events_index), which holds only
 * them, so their plans stay small on a large ledger that has not been analysed. Exported
 * for the test that EXPLAINs them.
 */
export const pendingStatements = {
  /**
   * Pending events after `afterSeq`, oldest first, with their actor's key row: the join
   * of participant_key stays in this statement (one round trip per seal's read).
   */
  read: (limit: number, afterSeq: bigint): Prisma.Sql => Prisma.sql`
    SELECT e.seq, e.event_id, e.actor, e.event_json, e.key_id, e.signature, e.content_hash,
           e.accepted_at, k.public_key, k.valid_from, k.revoked_at,
           k.key_id IS NOT NULL AS has_key
    FROM (SELECT * FROM ledger_event WHERE leaf_index IS NULL AND seq > ${afterSeq}
          ORDER BY seq LIMIT ${limit}) e
    LEFT JOIN participant_key k ON k.participant_id = e.actor AND k.key_id = e.key_id
    ORDER BY e.seq`,

  /** How many are pending (up to `limit`), and how long the oldest has waited. */
  status: (limit: number): Prisma.Sql => Prisma.sql`
    SELECT (SELECT count(*) FROM (SELECT 1 FROM ledger_event WHERE leaf_index IS NULL
                                  LIMIT ${limit}) p) AS count,
           (SELECT (extract(epoch FROM clock_timestamp() - accepted_at) * 1000)::float8
            FROM ledger_event WHERE leaf_index IS NULL ORDER BY seq LIMIT 1) AS wait_ms`,

  /** How many are pending. */
  count: (): Prisma.Sql => Prisma.sql`
    SELECT count(*) AS count FROM ledger_event WHERE leaf_index IS NULL`,
};

/** An accepted event as ingest inserts it (PENDING: no leaf index yet). */
export interface NewLedgerEvent extends Pick<
  LedgerEventRow,
  'eventId' | 'type' | 'actor' | 'keyId' | 'signature' | 'eventJson'
> {
  /** hex SHA-256 of the leaf input. */
  readonly contentHashHex: string;
  readonly eventTime: Date;
}

/** A sealed event as the audit reads it: its columns and the index rows pointing at it. */
export interface SealedLeaf extends Omit<LedgerEventRow, 'acceptedAt'> {
  readonly leafIndex: number;
  /** Its event_item rows, "ROLE identifier". */
  readonly indexRows: readonly string[];
  /** The recall rows pointing at it, "gtin lot" (RECALL events only). */
  readonly recallRows: readonly string[];
}

/** A sealed RECALL event, what the recall table is rebuilt from. */
export interface SealedRecall extends Pick<
  LedgerEventRow,
  'seq' | 'eventId' | 'eventJson' | 'keyId' | 'signature'
> {
  readonly leafIndex: number;
}

/** A sealed event as the log serves it (entries, entry bundles): what its leaf is rebuilt from. */
export interface SealedEntry extends Pick<
  LedgerEventRow,
  'eventId' | 'eventJson' | 'keyId' | 'signature' | 'contentHash'
> {
  readonly leafIndex: number;
  readonly blockHeight: number;
}

@Injectable()
export class LedgerEventRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** Inside ingest's transaction: the stored event JSON of each of `eventIds` already in the ledger. */
  async findEventJson(tx: Tx, eventIds: readonly string[]): Promise<Map<string, string>> {
    if (eventIds.length === 0) return new Map();
    const rows = await prismaOf(tx).$queryRaw<{ event_id: string; event_json: string }[]>`
      SELECT event_id, event_json FROM ledger_event WHERE event_id = ANY(${[...eventIds]}::text[])`;
    return new Map(rows.map((r) => [r.event_id, r.event_json]));
  }

  /**
   * Inserts the events as PENDING (no leaf index yet), in order; returns the seqs of those
   * inserted. An event whose eventId is already stored is skipped (ON CONFLICT DO NOTHING) and
   * absent from the result: the caller reads those back with findEventJson and compares, so the
   * idempotency check costs a round trip only when there is something to compare.
   */
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
      ON CONFLICT (event_id) DO NOTHING
      RETURNING seq, event_id`;
    return new Map(rows.map((r) => [r.event_id, BigInt(r.seq)]));
  }

  /** The sealed entries with leaf index in [start, end), in order (tlog-tiles entry bundles). */
  async entriesInRange(start: number, end: number): Promise<SealedEntry[]> {
    const rows = await this.storage.prisma.$queryRaw<
      {
        leaf_index: bigint;
        block_height: number;
        event_id: string;
        event_json: string;
        key_id: string;
        signature: string;
        content_hash: Uint8Array;
      }[]
    >`
      SELECT leaf_index, block_height, event_id, event_json, key_id, signature, content_hash
      FROM ledger_event WHERE leaf_index >= ${start} AND leaf_index < ${end} ORDER BY leaf_index`;
    return rows.map((r) => ({
      leafIndex: Number(r.leaf_index),
      blockHeight: r.block_height,
      eventId: r.event_id,
      eventJson: r.event_json,
      keyId: r.key_id,
      signature: r.signature,
      contentHash: r.content_hash,
    }));
  }

  async entry(leafIndex: number): Promise<SealedEntry | undefined> {
    return (await this.entriesInRange(leafIndex, leafIndex + 1))[0];
  }

  /**
   * The sealed events of leaves [from, to), leaf order. The chunk comes back as one JSON
   * text (parsed natively here) rather than thousands of rows, whose decoding through the
   * driver and Prisma cost more than the audit's own checks.
   */
  async sealedLeaves(from: number, to: number): Promise<SealedLeaf[]> {
    const rows = await this.storage.prisma.$queryRawUnsafe<{ leaves: string }[]>(
      `SELECT COALESCE(json_agg(json_build_array(leaf_index, block_height, event_id, type::text,
                actor, key_id, signature, event_json, encode(content_hash, 'hex'), seq::text,
                (SELECT coalesce(json_agg(i.role::text || ' ' || i.identifier), '[]'::json)
                   FROM event_item i WHERE i.event_seq = e.seq),
                CASE WHEN e.type = 'RECALL' THEN
                  (SELECT coalesce(json_agg(r.gtin || ' ' || r.lot), '[]'::json)
                     FROM recall r WHERE r.event_seq = e.seq)
                ELSE '[]'::json END)
              ORDER BY leaf_index), '[]')::text AS leaves
       FROM ledger_event e WHERE leaf_index >= $1::bigint AND leaf_index < $2::bigint`,
      String(from),
      String(to),
    );
    const parsed = JSON.parse(rows[0]?.leaves ?? '[]') as [
      number,
      number | null,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string[],
      string[],
    ][];
    return parsed.map((r) => ({
      leafIndex: r[0],
      blockHeight: r[1],
      eventId: r[2],
      type: r[3],
      actor: r[4],
      keyId: r[5],
      signature: r[6],
      eventJson: r[7],
      contentHash: Buffer.from(r[8], 'hex'),
      seq: BigInt(r[9]),
      indexRows: r[10],
      recallRows: r[11],
    }));
  }

  /** The sealed RECALL events of leaves [0, treeSize), leaf order. */
  async sealedRecalls(treeSize: number): Promise<SealedRecall[]> {
    const rows = await this.storage.prisma.$queryRawUnsafe<
      {
        leaf_index: bigint;
        seq: bigint;
        event_id: string;
        event_json: string;
        key_id: string;
        signature: string;
      }[]
    >(
      `SELECT leaf_index, seq, event_id, event_json, key_id, signature FROM ledger_event
       WHERE type = 'RECALL' AND leaf_index < $1::bigint ORDER BY leaf_index`,
      String(treeSize),
    );
    return rows.map((e) => ({
      leafIndex: Number(e.leaf_index),
      seq: BigInt(e.seq),
      eventId: e.event_id,
      eventJson: e.event_json,
      keyId: e.key_id,
      signature: e.signature,
    }));
  }

  /**
   * Up to `limit` pending events after `afterSeq` (-1 for all), oldest first, with their
   * actor's key row. Inside `tx` when given: a seal transaction reads what it seals; the
   * sealer also reads ahead, outside it, to verify the next seal's signatures meanwhile.
   */
  async pending(limit: number, afterSeq: bigint, tx?: Tx): Promise<PendingEvent[]> {
    const db = tx ? prismaOf(tx) : this.storage.prisma;
    const rows = await db.$queryRaw<
      {
        seq: bigint;
        event_id: string;
        actor: string;
        event_json: string;
        key_id: string;
        signature: string;
        content_hash: Uint8Array;
        accepted_at: Date;
        public_key: Uint8Array | null;
        valid_from: Date | null;
        revoked_at: Date | null;
        has_key: boolean;
      }[]
    >(pendingStatements.read(limit, afterSeq));
    return rows.map((r) => ({
      seq: r.seq,
      eventId: r.event_id,
      actor: r.actor,
      key: r.has_key
        ? { publicKey: r.public_key!, validFrom: r.valid_from, revokedAt: r.revoked_at }
        : null,
      eventJson: r.event_json,
      keyId: r.key_id,
      signature: r.signature,
      contentHash: r.content_hash,
      acceptedAt: r.accepted_at,
    }));
  }

  async pendingStatus(limit: number): Promise<PendingStatus> {
    const rows = await this.storage.prisma.$queryRaw<{ count: bigint; wait_ms: number | null }[]>(
      pendingStatements.status(limit),
    );
    const row = rows[0];
    return { count: Number(row?.count ?? 0), oldestWaitMs: Math.max(0, row?.wait_ms ?? 0) };
  }

  async pendingCount(): Promise<number> {
    const rows = await this.storage.prisma.$queryRaw<{ count: bigint }[]>(
      pendingStatements.count(),
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * Where a stream that wants events recorded from `since` on starts: the first sealed leaf
   * accepted then or later; the tree's size when none is (or without `since`).
   */
  async streamStart(since: Date | undefined): Promise<number> {
    const [row] = since
      ? await this.storage.prisma.$queryRaw<{ leaf: bigint | null }[]>`
          SELECT MIN(leaf_index) AS leaf FROM ledger_event
           WHERE leaf_index IS NOT NULL AND accepted_at >= ${since}`
      : [{ leaf: null }];
    if (row?.leaf !== null && row?.leaf !== undefined) return Number(row.leaf);
    return this.sealedSize();
  }

  /** How many events are sealed (the next leaf index). */
  async sealedSize(): Promise<number> {
    const [size] = await this.storage.prisma.$queryRaw<{ size: bigint }[]>`
      SELECT COALESCE(MAX(leaf_index) + 1, 0) AS size FROM ledger_event`;
    return Number(size?.size ?? 0);
  }
}
