// The sealer's statements: the pending events (its queue of work) and the seal
// transaction, which holds the sequencer lock and writes blocks, tree nodes and leaf
// indexes in one statement. The log's reads of sealed blocks, nodes and entries are
// libs/store's (docs/adr/0015). Bulk writes are single statements over arrays passed as
// text, so a block of a thousand events costs a handful of round trips.
import { Inject, Injectable } from '@nestjs/common';
import { STORAGE } from '@custos/core/tokens';
import type { Storage } from '@custos/core/database/storage';
import { Prisma } from '@custos/core/generated/prisma/client';
import { type BlockRow, type RawBlock, toBlockRow } from '@custos/store/block.repository';
import { type NodeRow, readNodes } from '@custos/store/tree-node.repository';

/**
 * The one advisory-lock key of the sequencer (any constant; "custos-seal" in ASCII). Every
 * seal transaction takes it first, so exactly one sealer at a time reads the head and
 * appends, whatever number of workers run.
 */
export const SEAL_LOCK_KEY = 0x637573746f73n;

/** The actor's key row a pending event names, as stored (null when there is none). */
export interface PendingKey {
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | null;
  readonly revokedAt: Date | null;
  readonly attestation: Uint8Array | null;
}

export interface PendingEvent {
  readonly seq: bigint;
  readonly eventId: string;
  readonly actor: string;
  readonly key: PendingKey | null;
  readonly eventJson: string;
  readonly keyId: string;
  readonly signature: string;
  readonly contentHash: Uint8Array;
  readonly acceptedAt: Date;
}

export interface PendingStatus {
  /** Pending events, counted up to the limit asked. */
  readonly count: number;
  /** How long the oldest pending event has waited, by the database's clock (0 when none). */
  readonly oldestWaitMs: number;
}

/** The statements of one seal transaction, run while it holds the sequencer lock. */
export interface SealTransaction {
  /** The latest block, if any, and the database clock (for sealedAt). */
  head(): Promise<{ head: BlockRow | undefined; now: Date }>;
  pending(limit: number): Promise<PendingEvent[]>;
  nodes(ids: readonly { level: number; index: number }[]): Promise<NodeRow[]>;
  /** Marks where `rollbackToSavepoint` returns to (SAVEPOINT). */
  savepoint(): Promise<void>;
  /** Takes back every write since `savepoint`, keeping the lock and the transaction. */
  rollbackToSavepoint(): Promise<void>;
  /**
   * Inserts the blocks (consecutive heights) and the new tree nodes, and gives the events
   * `seqs` (seq order, as many as the blocks hold) their leaf indexes from the first
   * block's firstLeafIndex on and their block heights. One statement.
   */
  writeBlocks(
    blocks: readonly BlockRow[],
    seqs: readonly bigint[],
    nodes: readonly NodeRow[],
  ): Promise<void>;
}

type Tx = Prisma.TransactionClient;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * The reads of the pending events (leaf_index IS NULL). Each can use the partial index
 * ledger_event_pending_idx (prisma/migrations/…_pending_events_index), which holds only
 * them, so their plans stay small on a large ledger that has not been analysed. Exported
 * for the test that EXPLAINs them.
 */
export const pendingStatements = {
  /** Pending events after `afterSeq`, oldest first, with their actor's key row. */
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

/** Pending events after `afterSeq`, oldest first, with their actor's key row. */
async function readPending(
  db: Tx | Storage['prisma'],
  limit: number,
  afterSeq: bigint,
): Promise<PendingEvent[]> {
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

class PrismaSealTransaction implements SealTransaction {
  constructor(private readonly tx: Tx) {}

  async head(): Promise<{ head: BlockRow | undefined; now: Date }> {
    const rows = await this.tx.$queryRaw<(RawBlock & { now: Date })[]>`
      SELECT b.height, b.prev_hash, b.first_leaf_index, b.event_count, b.tree_size, b.root_hash,
             b.sealed_at, b.hash, b.checkpoint, clock_timestamp() AS now
      FROM (SELECT clock_timestamp()) AS c
      LEFT JOIN LATERAL (SELECT * FROM block ORDER BY height DESC LIMIT 1) b ON true`;
    const row = rows[0]!;
    return { head: row.height === null ? undefined : toBlockRow(row), now: row.now };
  }

  pending(limit: number): Promise<PendingEvent[]> {
    return readPending(this.tx, limit, -1n);
  }

  nodes(ids: readonly { level: number; index: number }[]): Promise<NodeRow[]> {
    return readNodes(this.tx, ids);
  }

  async savepoint(): Promise<void> {
    await this.tx.$executeRaw`SAVEPOINT seal_write`;
  }

  async rollbackToSavepoint(): Promise<void> {
    await this.tx.$executeRaw`ROLLBACK TO SAVEPOINT seal_write`;
  }

  async writeBlocks(
    blocks: readonly BlockRow[],
    seqs: readonly bigint[],
    nodes: readonly NodeRow[],
  ): Promise<void> {
    const first = blocks[0];
    if (!first) return;
    const heights = blocks.flatMap((b) => Array<number>(b.eventCount).fill(b.height));
    if (heights.length !== seqs.length) throw new Error('blocks and events do not match');
    const blockJson = JSON.stringify(
      blocks.map((b) => ({
        height: b.height,
        prev_hash: b.prevHash,
        first_leaf_index: b.firstLeafIndex,
        event_count: b.eventCount,
        tree_size: b.treeSize,
        root_hash: b.rootHash,
        sealed_at: b.sealedAt,
        hash: b.hash,
        checkpoint: b.checkpoint,
      })),
    );
    // Leaf indexes follow seq order: the k-th seq of the list gets firstLeafIndex + k - 1.
    // `leaf_index IS NULL` makes a second sealer of the same rows update nothing; the
    // count check below turns that into a rollback, never a silent half block.
    const rows = await this.tx.$queryRaw<{ updated: bigint }[]>`
      WITH new_block AS (
        INSERT INTO block (height, prev_hash, first_leaf_index, event_count, tree_size,
                           root_hash, sealed_at, hash, checkpoint)
        SELECT * FROM json_to_recordset(${blockJson}::json) AS x(
          height int, prev_hash text, first_leaf_index bigint, event_count int,
          tree_size bigint, root_hash text, sealed_at text, hash text, checkpoint text)
        RETURNING 1
      ), new_node AS (
        INSERT INTO tree_node (level, index, hash)
        SELECT l, i, decode(h, 'hex')
        FROM unnest(string_to_array(${nodes.map((n) => n.level).join(',')}, ',')::int[],
                    string_to_array(${nodes.map((n) => n.index).join(',')}, ',')::bigint[],
                    string_to_array(${nodes.map((n) => hex(n.hash)).join(',')}, ','))
          AS t(l, i, h)
        RETURNING 1
      ), sealed AS (
        UPDATE ledger_event e
        SET leaf_index = ${first.firstLeafIndex}::bigint + s.ord - 1, block_height = s.height
        FROM unnest(string_to_array(${seqs.join(',')}, ',')::bigint[],
                    string_to_array(${heights.join(',')}, ',')::int[])
          WITH ORDINALITY AS s(seq, height, ord)
        WHERE e.seq = s.seq AND e.leaf_index IS NULL
          -- a range the planner can see, so it probes the primary key, never scans the table
          AND e.seq BETWEEN ${seqs[0]}::bigint AND ${seqs[seqs.length - 1]}::bigint
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM sealed) AS updated,
             (SELECT count(*) FROM new_block) + (SELECT count(*) FROM new_node) AS written`;
    const updated = Number(rows[0]?.updated ?? 0);
    if (updated !== seqs.length) {
      throw new Error(
        `sealing from block ${first.height}: ${updated} of ${seqs.length} events updated`,
      );
    }
  }
}

@Injectable()
export class SealingRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /**
   * Runs `work` in one transaction holding the sequencer lock (pg_advisory_xact_lock,
   * released at commit or rollback, also when the session dies with its process).
   */
  async inSealTransaction<T>(work: (tx: SealTransaction) => Promise<T>): Promise<T> {
    return this.storage.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(${SEAL_LOCK_KEY})::text`;
        return work(new PrismaSealTransaction(tx));
      },
      { maxWait: 30_000, timeout: 120_000 },
    );
  }

  async pendingStatus(limit: number): Promise<PendingStatus> {
    const rows = await this.storage.prisma.$queryRaw<{ count: bigint; wait_ms: number | null }[]>(
      pendingStatements.status(limit),
    );
    const row = rows[0];
    return { count: Number(row?.count ?? 0), oldestWaitMs: Math.max(0, row?.wait_ms ?? 0) };
  }

  /**
   * The pending events after `afterSeq`, read outside any seal transaction: what the
   * next one will most likely seal (its signatures are verified ahead, signature-verdicts.ts).
   */
  pendingAfter(afterSeq: bigint, limit: number): Promise<PendingEvent[]> {
    return readPending(this.storage.prisma, limit, afterSeq);
  }

  async pendingCount(): Promise<number> {
    const rows = await this.storage.prisma.$queryRaw<{ count: bigint }[]>(
      pendingStatements.count(),
    );
    return Number(rows[0]?.count ?? 0);
  }
}
