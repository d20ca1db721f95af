// The one owner of the block table (SPEC section 5): the sealed blocks, each with the
// fields its hash covers (libs/ledger/block.ts), the hash it claims and its signed
// checkpoint. Everything read here is re-verified by whoever believes it.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import type { BlockFields } from '@custos/ledger/block';

/** A stored block: the fields its hash covers (libs/ledger), its hash and signed checkpoint. */
export type BlockRow = BlockFields & { readonly hash: string; readonly checkpoint: string };

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
}
