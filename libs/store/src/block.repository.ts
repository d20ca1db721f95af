// The one owner of the block table (SPEC section 5): the sealed blocks, each with the
// fields its hash covers (libs/ledger/block.ts), the hash it claims and its signed
// checkpoint. Everything read here is re-verified by whoever believes it. The seal's
// write (`seal`) is the one statement that appends to the log: blocks, their tree nodes
// and the leaf indexes of the events they hold, together.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import type { BlockFields } from '@custos/ledger/block';
import { prismaOf, type Tx } from './transaction.repository';
import type { NodeRow } from './tree-node.repository';

/** A stored block: the fields its hash covers (libs/ledger), its hash and signed checkpoint. */
export type BlockRow = BlockFields & { readonly hash: string; readonly checkpoint: string };

/** A stored block read without its checkpoint (verifyPackage proves against the latest one). */
export type BlockHeader = Omit<BlockRow, 'checkpoint'>;

/** A block row as PostgreSQL returns it (snake case, bigints). */
export interface RawBlock {
  height: number;
  prev_hash: string;
  first_leaf_index: bigint;
  event_count: number;
  tree_size: bigint;
  root_hash: string;
  sealed_at: string;
  hash: string;
  checkpoint: string;
}

export function toBlockRow(r: RawBlock): BlockRow {
  return {
    height: r.height,
    prevHash: r.prev_hash,
    firstLeafIndex: Number(r.first_leaf_index),
    eventCount: r.event_count,
    treeSize: Number(r.tree_size),
    rootHash: r.root_hash,
    sealedAt: r.sealed_at,
    hash: r.hash,
    checkpoint: r.checkpoint,
  };
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

@Injectable()
export class BlockRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** The head block, the latest sealed; none before the first seal. */
  async latest(): Promise<BlockRow | undefined> {
    const rows = await this.storage.prisma.$queryRaw<RawBlock[]>`
      SELECT height, prev_hash, first_leaf_index, event_count, tree_size, root_hash,
             sealed_at, hash, checkpoint
      FROM block ORDER BY height DESC LIMIT 1`;
    return rows[0] && toBlockRow(rows[0]);
  }

  async at(height: number): Promise<BlockRow | undefined> {
    const rows = await this.storage.prisma.$queryRaw<RawBlock[]>`
      SELECT height, prev_hash, first_leaf_index, event_count, tree_size, root_hash,
             sealed_at, hash, checkpoint
      FROM block WHERE height = ${height}`;
    return rows[0] && toBlockRow(rows[0]);
  }

  /** Every block in height order (tests; small: one row per block). */
  async all(): Promise<BlockRow[]> {
    const rows = await this.storage.prisma.$queryRaw<RawBlock[]>`
      SELECT height, prev_hash, first_leaf_index, event_count, tree_size, root_hash,
             sealed_at, hash, checkpoint
      FROM block ORDER BY height`;
    return rows.map(toBlockRow);
  }

  /** The blocks of heights [fromHeight, toHeight), in height order. */
  async range(fromHeight: number, toHeight: number): Promise<BlockRow[]> {
    const rows = await this.storage.prisma.$queryRawUnsafe<RawBlock[]>(
      `SELECT height, prev_hash, first_leaf_index, event_count, tree_size, root_hash, sealed_at,
              hash, checkpoint
       FROM block WHERE height >= $1 AND height < $2 ORDER BY height`,
      fromHeight,
      toHeight,
    );
    return rows.map(toBlockRow);
  }

  /** Inside a seal: the latest block, if any, and the database clock (for sealedAt). */
  async headAndClock(tx: Tx): Promise<{ head: BlockRow | undefined; now: Date }> {
    const rows = await prismaOf(tx).$queryRaw<(RawBlock & { now: Date })[]>`
      SELECT b.height, b.prev_hash, b.first_leaf_index, b.event_count, b.tree_size, b.root_hash,
             b.sealed_at, b.hash, b.checkpoint, clock_timestamp() AS now
      FROM (SELECT clock_timestamp()) AS c
      LEFT JOIN LATERAL (SELECT * FROM block ORDER BY height DESC LIMIT 1) b ON true`;
    const row = rows[0]!;
    return { head: row.height === null ? undefined : toBlockRow(row), now: row.now };
  }

  /**
   * The seal's write, in `tx` (which holds the sequencer lock): inserts the blocks
   * (consecutive heights) and the new tree nodes, and gives the events `seqs` (seq order,
   * as many as the blocks hold) their leaf indexes from the first block's firstLeafIndex
   * on and their block heights. One statement over block, tree_node and ledger_event, kept
   * here, with the table it appends to, because a seal is all of it or none of it: a
   * block whose events did not all take their leaf indexes is an error, never half written.
   */
  async seal(
    tx: Tx,
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
    const rows = await prismaOf(tx).$queryRaw<{ updated: bigint }[]>`
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
