// The one owner of the tree_node table: the stored nodes of the RFC 9162 tree (level,
// index, hash), written by the sealer with each block and read back by proofs and the
// audit, which recompute what they believe.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';

@Injectable()
export class TreeNodeRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

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
