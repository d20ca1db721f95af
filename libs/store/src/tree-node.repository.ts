// The one owner of the tree_node table: the stored nodes of the RFC 9162 tree (level,
// index, hash), written by the sealer with each block and read back by proofs and the
// audit, which recompute what they believe.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import type { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import { prismaOf, type Tx } from './transaction.repository';

/** A stored node of the tree: its level (0 for leaves), index in the level, and hash. */
export interface NodeRow {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

async function readNodes(
  db: Prisma.TransactionClient | Storage['prisma'],
  ids: readonly { level: number; index: number }[],
): Promise<NodeRow[]> {
  if (ids.length === 0) return [];
  const levels = ids.map((id) => id.level).join(',');
  const indexes = ids.map((id) => id.index).join(',');
  const rows = await db.$queryRaw<{ level: number; index: bigint; hash: Uint8Array }[]>`
    SELECT n.level, n.index, n.hash
    FROM tree_node n
    JOIN unnest(string_to_array(${levels}, ',')::int[], string_to_array(${indexes}, ',')::bigint[])
      AS want(level, index) ON n.level = want.level AND n.index = want.index`;
  return rows.map((r) => ({ level: r.level, index: Number(r.index), hash: r.hash }));
}

@Injectable()
export class TreeNodeRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /**
   * The stored nodes among `ids` (proofs, hash tiles); absent ones are left out. Inside
   * `tx` when given: the sealer reads the nodes a block needs inside its seal.
   */
  nodes(ids: readonly { level: number; index: number }[], tx?: Tx): Promise<NodeRow[]> {
    return readNodes(tx ? prismaOf(tx) : this.storage.prisma, ids);
  }

  /**
   * Stored tree nodes of each level in [lo, hi] (inclusive), keyed "level/index". One row
   * per level (indexes, lengths and the hashes end to end), not one per node: an audit
   * chunk reads about two nodes per leaf, and decoding rows costs more than the query.
   */
  async levelRanges(
    ranges: readonly { level: number; lo: number; hi: number }[],
  ): Promise<Map<string, Uint8Array>> {
    if (ranges.length === 0) return new Map();
    const rows = await this.storage.prisma.$queryRawUnsafe<
      { level: number; indexes: (bigint | number)[]; lengths: number[]; hashes: Uint8Array }[]
    >(
      `SELECT r.level, array_agg(n.index ORDER BY n.index) AS indexes,
              array_agg(octet_length(n.hash) ORDER BY n.index) AS lengths,
              string_agg(n.hash, ''::bytea ORDER BY n.index) AS hashes
       FROM unnest($1::int[], $2::bigint[], $3::bigint[]) AS r(level, lo, hi)
       JOIN tree_node n ON n.level = r.level AND n.index BETWEEN r.lo AND r.hi
       GROUP BY r.level`,
      ranges.map((r) => r.level),
      ranges.map((r) => String(r.lo)),
      ranges.map((r) => String(r.hi)),
    );
    const nodes = new Map<string, Uint8Array>();
    for (const row of rows) {
      let offset = 0;
      row.indexes.forEach((index, i) => {
        const length = row.lengths[i]!;
        nodes.set(`${row.level}/${Number(index)}`, row.hashes.subarray(offset, offset + length));
        offset += length;
      });
    }
    return nodes;
  }
}
