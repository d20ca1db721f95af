// The one owner of the ledger_event table (SPEC sections 4 and 5): the events as
// accepted and signed, pending until the sealer gives them a leaf index and a block.
// Every row read here is re-verified (libs/ledger/stored-event.ts) by whoever believes it.
// The seal's write, which gives pending events their leaf indexes, is block.repository's.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import type { EventQuery } from '@custos/epcis/event-query';
import type { BlockHeader } from './block.repository';
import type { Tally } from './event-index.repository';
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
  readonly attestation: Uint8Array | null;
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
           e.accepted_at, k.public_key, k.valid_from, k.revoked_at, k.attestation,
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

/**
 * An event as verifyPackage's history reads it: its columns, the index rows naming it, its
 * actor's key row, its block and the next block's link back, all as stored.
 */
export interface StoredEvent extends Omit<LedgerEventRow, 'acceptedAt'> {
  /** Canonical identifiers the event names, with their role (its event_item rows). */
  readonly items: readonly { readonly identifier: string; readonly role: string }[];
  /** Its actor's key row (keyId), null when there is none. */
  readonly key: EventKeyRow | null;
  /** Its block (null while pending, or when the row is missing), and the next block's prevHash. */
  readonly block: BlockHeader | null;
  readonly nextPrevHash: string | null;
}

/** A history read: the events, and the index tallies of every identifier it followed. */
export interface History {
  readonly events: StoredEvent[];
  /** By tally key (an identifier, or `recall:<gtin>`). */
  readonly tallies: Map<string, Tally>;
}

interface HistoryRow {
  tallies: [string, string, string][];
  seq: bigint | null;
  event_id: string;
  type: string;
  actor: string;
  key_id: string;
  signature: string;
  event_json: string;
  content_hash: Uint8Array;
  leaf_index: bigint | null;
  block_height: number | null;
  items: { identifier: string; role: string }[];
  public_key: Uint8Array | null;
  valid_from: Date | null;
  revoked_at: Date | null;
  attestation: Uint8Array | null;
  b_height: number | null;
  b_prev_hash: string | null;
  b_first_leaf_index: bigint | null;
  b_event_count: number | null;
  b_tree_size: bigint | null;
  b_root_hash: string | null;
  b_sealed_at: string | null;
  b_hash: string | null;
  next_prev_hash: string | null;
}

/** A stored event as the query serves it. */
export type QueriedEvent = Pick<
  LedgerEventRow,
  'seq' | 'eventJson' | 'keyId' | 'signature' | 'acceptedAt' | 'leafIndex' | 'blockHeight'
>;

/** Who reads: everything (regulator, admin), or what a trading partner may see. */
export type Reader = { readonly kind: 'all' } | { readonly kind: 'partner'; readonly id: string };

interface QueriedRow {
  seq: bigint;
  event_json: string;
  key_id: string;
  signature: string;
  accepted_at: Date;
  leaf_index: bigint | null;
  block_height: number | null;
}

/** How deep SSCC contents are followed (as verifyPackage does). */
const MAX_NESTING = 16;

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

/**
 * verifyPackage's history read as one statement (exported for the test that EXPLAINs it
 * on a large, never-analysed ledger). Every table is read by a key lookup, whatever the
 * statistics: the tallies by `key = ANY (ARRAY(...))`, an item_tally_pkey lookup per
 * identifier — an `IN (subquery) OR key = …` there is a scan of the whole table on every
 * verification (a row per identifier ever seen: 138–265 ms on 920,000, BENCHMARKS.md step 7).
 */
export const historyStatement = (
  identifier: string,
  gtin: string | null,
  maxDepth: number,
): Prisma.Sql => Prisma.sql`
    WITH RECURSIVE contents(identifier, depth) AS (
      -- A logistic unit's own history needs what was packed in it (whether its packer
      -- held that), so its contents are followed down, PACK by PACK.
      SELECT ${identifier}::text, 0
      UNION
      SELECT c.identifier, contents.depth + 1
        FROM contents
        JOIN event_item p ON p.identifier = contents.identifier AND p.role = 'PARENT'
        JOIN ledger_event pe ON pe.seq = p.event_seq AND pe.type = 'PACK'
        JOIN event_item c ON c.event_seq = pe.seq AND c.role = 'ITEM'
       WHERE contents.depth < ${maxDepth}
    ), ids(identifier, depth) AS (
      SELECT identifier, 0 FROM contents
      UNION
      SELECT p.identifier, ids.depth + 1
        FROM ids
        JOIN event_item i ON i.identifier = ids.identifier AND i.role = 'ITEM'
        JOIN ledger_event pe ON pe.seq = i.event_seq AND pe.type = 'PACK'
        JOIN event_item p ON p.event_seq = pe.seq AND p.role = 'PARENT'
       WHERE ids.depth < ${maxDepth}
    ), seqs AS (
      SELECT i.event_seq AS seq FROM event_item i JOIN ids ON ids.identifier = i.identifier WHERE i.role <> 'LOT'
      UNION
      SELECT r.event_seq FROM recall r WHERE r.gtin = ${gtin}
    ), found AS (
    SELECT e.seq, e.event_id, e.type::text AS type, e.actor, e.key_id, e.signature, e.event_json,
           e.content_hash, e.leaf_index, e.block_height,
           (SELECT coalesce(json_agg(json_build_object('identifier', x.identifier, 'role', x.role::text)), '[]'::json)
              FROM event_item x WHERE x.event_seq = e.seq) AS items,
           k.public_key, k.valid_from, k.revoked_at, k.attestation,
           b.height AS b_height, b.prev_hash AS b_prev_hash, b.first_leaf_index AS b_first_leaf_index,
           b.event_count AS b_event_count, b.tree_size AS b_tree_size, b.root_hash AS b_root_hash,
           b.sealed_at AS b_sealed_at, b.hash AS b_hash, nb.prev_hash AS next_prev_hash
      FROM ledger_event e
      LEFT JOIN participant_key k ON k.participant_id = e.actor AND k.key_id = e.key_id
      LEFT JOIN block b ON b.height = e.block_height
      LEFT JOIN block nb ON nb.height = e.block_height + 1
     WHERE e.seq IN (SELECT seq FROM seqs)
    )
    SELECT (SELECT coalesce(json_agg(json_build_array(t.key, t.event_count::text, t.last_seq::text)), '[]'::json)
              FROM item_tally t
             WHERE t.key = ANY (ARRAY(SELECT identifier FROM ids) || ('recall:' || ${gtin}::text))) AS tallies,
           found.*
      FROM (SELECT 1) AS one LEFT JOIN found ON true
     ORDER BY found.seq`;

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
        attestation: Uint8Array | null;
        has_key: boolean;
      }[]
    >(pendingStatements.read(limit, afterSeq));
    return rows.map((r) => ({
      seq: r.seq,
      eventId: r.event_id,
      actor: r.actor,
      key: r.has_key
        ? {
            publicKey: r.public_key!,
            validFrom: r.valid_from,
            revokedAt: r.revoked_at,
            attestation: r.attestation,
          }
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

  private toEvent(row: HistoryRow & { seq: bigint }): StoredEvent {
    return {
      seq: row.seq,
      eventId: row.event_id,
      type: row.type,
      actor: row.actor,
      keyId: row.key_id,
      signature: row.signature,
      eventJson: row.event_json,
      contentHash: row.content_hash,
      leafIndex: row.leaf_index === null ? null : Number(row.leaf_index),
      blockHeight: row.block_height,
      items: row.items,
      key: row.public_key
        ? {
            publicKey: row.public_key,
            validFrom: row.valid_from,
            revokedAt: row.revoked_at,
            attestation: row.attestation,
          }
        : null,
      block: toBlock(row),
      nextPrevHash: row.next_prev_hash,
    };
  }

  /**
   * verifyPackage's history. Every event naming `identifier`, what was ever packed in it
   * (an SSCC's contents), or an SSCC any of these was ever packed in (following PACK
   * events, at most `maxDepth` deep), as item or parent, and the recalls of `gtin`, in
   * acceptance order, with the tallies of the identifiers followed and of the GTIN's
   * recalls: one statement, one snapshot. It
   * reads event_item, recall, item_tally, participant_key and block beside ledger_event
   * on purpose: one round trip and one snapshot per scan (docs/adr/0009, issue 17), so it
   * stays here, with the table it is about, rather than split across their owners.
   */
  async history(identifier: string, gtin: string | null, maxDepth: number): Promise<History> {
    const rows = await this.storage.prisma.$queryRaw<HistoryRow[]>(
      historyStatement(identifier, gtin, maxDepth),
    );
    const tallies = new Map<string, Tally>(
      (rows[0]?.tallies ?? []).map(([key, count, last]) => [
        key,
        { eventCount: BigInt(count), lastSeq: BigInt(last) },
      ]),
    );
    const events = rows.flatMap((row) =>
      row.seq === null ? [] : [this.toEvent(row as HistoryRow & { seq: bigint })],
    );
    return { events, tallies };
  }

  /**
   * The EPCIS event query (libs/epcis-repository): up to `limit` events matching `query` after the sequence number `after`.
   * One statement per page over ledger_event with event_item, recall and unit_state
   * beside it (the filters and SPEC section 7's read rule), kept whole, here with the
   * table it pages: splitting it across owners would cost a round trip per filter.
   */
  async queryPage(
    query: EventQuery,
    reader: Reader,
    after: bigint | undefined,
    limit: number,
  ): Promise<QueriedEvent[]> {
    const desc = query.orderDirection === 'DESC';
    const from =
      after === undefined
        ? []
        : [desc ? Prisma.sql`e.seq < ${after}` : Prisma.sql`e.seq > ${after}`];
    return this.querySelect(
      query,
      reader,
      from,
      Prisma.sql`e.seq ${desc ? Prisma.sql`DESC` : Prisma.sql`ASC`}`,
      limit,
    );
  }

  /**
   * Up to `limit` sealed events matching `query` with leaf indexes in [fromLeaf, toLeaf), in
   * log order: what a stream sends next. The sealer commits blocks one after another, each with
   * all its leaves, so a reader that follows leaf indexes never skips an event (acceptance
   * `seq`s can commit out of order: docs/adr/0002).
   */
  async querySealed(
    query: EventQuery,
    reader: Reader,
    fromLeaf: number,
    toLeaf: number,
    limit: number,
  ): Promise<QueriedEvent[]> {
    return this.querySelect(
      query,
      reader,
      [Prisma.sql`e.leaf_index >= ${fromLeaf}`, Prisma.sql`e.leaf_index < ${toLeaf}`],
      Prisma.sql`e.leaf_index ASC`,
      limit,
    );
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

  private async querySelect(
    query: EventQuery,
    reader: Reader,
    bounds: readonly Prisma.Sql[],
    order: Prisma.Sql,
    limit: number,
  ): Promise<QueriedEvent[]> {
    if (query.matchesNothing || query.kinds?.length === 0) return [];
    const where = [...conditions(query), ...bounds];
    let held = Prisma.empty;
    if (reader.kind === 'partner') {
      held = heldBy(reader.id);
      where.push(visibleTo(reader.id));
    }
    const rows = await this.storage.prisma.$queryRaw<QueriedRow[]>`
      ${held}
      SELECT e.seq, e.event_json, e.key_id, e.signature, e.accepted_at, e.leaf_index, e.block_height
        FROM ledger_event e
       WHERE ${where.length > 0 ? Prisma.join(where, ' AND ') : Prisma.sql`TRUE`}
       ORDER BY ${order}
       LIMIT ${limit}`;
    return rows.map((row) => ({
      seq: row.seq,
      eventJson: row.event_json,
      keyId: row.key_id,
      signature: row.signature,
      acceptedAt: row.accepted_at,
      leafIndex: row.leaf_index === null ? null : Number(row.leaf_index),
      blockHeight: row.block_height,
    }));
  }
}

function toBlock(row: HistoryRow): BlockHeader | null {
  if (row.b_height === null) return null;
  return {
    height: row.b_height,
    prevHash: row.b_prev_hash!,
    firstLeafIndex: Number(row.b_first_leaf_index),
    eventCount: row.b_event_count!,
    treeSize: Number(row.b_tree_size),
    rootHash: row.b_root_hash!,
    sealedAt: row.b_sealed_at!,
    hash: row.b_hash!,
  };
}

const json = (field: string) => Prisma.sql`(e.event_json::jsonb ->> ${field})`;

function named(role: Prisma.Sql, identifiers: readonly string[]): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM event_item x
     WHERE x.event_seq = e.seq AND ${role} AND x.identifier = ANY(${[...identifiers]}::text[]))`;
}

function conditions(q: EventQuery): Prisma.Sql[] {
  const out: Prisma.Sql[] = [];
  if (q.kinds) {
    out.push(
      Prisma.sql`(${Prisma.join(
        q.kinds.map((k) =>
          k.reason === undefined
            ? Prisma.sql`e.type::text = ${k.type}`
            : Prisma.sql`(e.type::text = ${k.type} AND ${json('reason')} = ${k.reason})`,
        ),
        ' OR ',
      )})`,
    );
  }
  if (q.eventTime.ge) out.push(Prisma.sql`e.event_time >= ${q.eventTime.ge}`);
  if (q.eventTime.lt) out.push(Prisma.sql`e.event_time < ${q.eventTime.lt}`);
  if (q.recordTime.ge) out.push(Prisma.sql`e.accepted_at >= ${q.recordTime.ge}`);
  if (q.recordTime.lt) out.push(Prisma.sql`e.accepted_at < ${q.recordTime.lt}`);
  if (q.epc) out.push(named(Prisma.sql`x.role = 'ITEM'`, q.epc));
  if (q.parentID) out.push(named(Prisma.sql`x.role = 'PARENT'`, q.parentID));
  if (q.anyEPC) out.push(named(Prisma.sql`x.role IN ('ITEM', 'PARENT')`, q.anyEPC));
  if (q.epcClass) out.push(named(Prisma.sql`x.role = 'LOT'`, q.epcClass));
  if (q.lotNumber)
    out.push(
      Prisma.sql`(e.type = 'COMMISSION' AND ${json('lot')} = ANY(${[...q.lotNumber]}::text[]))`,
    );
  if (q.sourceParty) {
    const p = [...q.sourceParty];
    out.push(Prisma.sql`((e.type = 'SHIP' AND e.actor = ANY(${p}::text[]))
      OR (e.type = 'RECEIVE' AND ${json('from')} = ANY(${p}::text[])))`);
  }
  if (q.destinationParty) {
    const p = [...q.destinationParty];
    out.push(Prisma.sql`((e.type = 'SHIP' AND ${json('to')} = ANY(${p}::text[]))
      OR (e.type = 'RECEIVE' AND e.actor = ANY(${p}::text[])))`);
  }
  if (q.eventIds) {
    const ids = q.eventIds.map((id) => id.toLowerCase());
    out.push(Prisma.sql`lower(e.event_id) = ANY(${ids}::text[])`);
  }
  return out;
}

/**
 * What `party` held (SPEC 7: "a unit once in its custody"): every identifier an event of
 * its own moved without a custody flag (it commissioned, packed, shipped, received,
 * dispensed it), every identifier shipped to it, and, SSCC by SSCC, what was packed inside.
 * A flagged item (a custody break, a conflicting commission) gives no custody, so signing
 * an event about someone else's unit does not open that unit's history.
 */
function heldBy(party: string): Prisma.Sql {
  return Prisma.sql`WITH RECURSIVE held(identifier, depth) AS (
      SELECT i.identifier, 0
        FROM ledger_event h JOIN event_item i ON i.event_seq = h.seq
       WHERE i.role IN ('ITEM', 'PARENT') AND i.flag IS NULL
         AND (h.actor = ${party} OR (h.type = 'SHIP' AND (h.event_json::jsonb ->> 'to') = ${party}))
      UNION
      SELECT c.identifier, held.depth + 1
        FROM held
        JOIN event_item p ON p.identifier = held.identifier AND p.role = 'PARENT'
        JOIN ledger_event pe ON pe.seq = p.event_seq AND pe.type = 'PACK'
        JOIN event_item c ON c.event_seq = pe.seq AND c.role = 'ITEM'
       WHERE held.depth < ${MAX_NESTING}
    )`;
}

/** The events `party` may read: its own, those naming it, those of what it held, recalls of lots it held. */
function visibleTo(party: string): Prisma.Sql {
  return Prisma.sql`(e.actor = ${party}
    OR (e.type = 'SHIP' AND ${json('to')} = ${party})
    OR (e.type = 'RECEIVE' AND ${json('from')} = ${party})
    OR EXISTS (SELECT 1 FROM event_item x JOIN held ON held.identifier = x.identifier
                WHERE x.event_seq = e.seq AND x.role IN ('ITEM', 'PARENT'))
    OR EXISTS (SELECT 1 FROM recall r
                 JOIN unit_state u ON u.gtin = r.gtin AND u.lot = r.lot
                 JOIN held ON held.identifier = u.identifier
                WHERE r.event_seq = e.seq))`;
}
