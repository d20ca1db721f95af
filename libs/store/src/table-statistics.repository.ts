// The planner's statistics of the ledger's tables, kept current by the product instead of
// left to autovacuum's autoanalyze (which may be off, and on a large append comes late):
// PostgreSQL counts the rows changed since each table's last ANALYZE
// (pg_stat_user_tables.n_mod_since_analyze, in every replica's sessions alike), and a
// table past its threshold is analysed under a try-lock, so several replicas run one
// ANALYZE, not one each, and nobody waits for it. ANALYZE takes SHARE UPDATE EXCLUSIVE:
// inserts, the sealer's updates and reads go on beside it.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';

/** The tables large appends grow: ingest's and the sealer's. */
export const KEPT_TABLES = [
  'ledger_event',
  'event_item',
  'item_tally',
  'unit_state',
  'recall',
  'block',
  'tree_node',
] as const;

export type KeptTable = (typeof KEPT_TABLES)[number];

/** A table is stale when more rows changed since its last ANALYZE than this. */
export interface StaleThreshold {
  /** Rows changed, whatever the table's size (so a new table is analysed once it has some). */
  readonly minRows: number;
  /** And this fraction of the rows the planner believes the table holds. */
  readonly fraction: number;
}

/** The try-lock one ANALYZE round holds (exported for the test that holds it elsewhere). */
export const ANALYSE_LOCK_KEY = 0x637573746f732d616e61n & 0x7fffffffffffffffn;

@Injectable()
export class TableStatisticsRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /**
   * Analyses the kept tables past `threshold`, in one transaction holding the analyse
   * try-lock. Resolves with the tables analysed, or null when another session holds the
   * lock (its ANALYZE is the one that counts).
   */
  async analyseStale(threshold: StaleThreshold): Promise<KeptTable[] | null> {
    return this.storage.prisma.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRaw<{ held: boolean }[]>`
          SELECT pg_try_advisory_xact_lock(${ANALYSE_LOCK_KEY}) AS held`;
        if (!lock?.held) return null;
        const stale = await tx.$queryRaw<{ relname: KeptTable }[]>`
          SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
          WHERE s.schemaname = current_schema() AND s.relname = ANY(${[...KEPT_TABLES]}::text[])
            AND s.n_mod_since_analyze > ${threshold.minRows}::float8
                                         + ${threshold.fraction}::float8 * greatest(c.reltuples, 0)
          ORDER BY s.relname`;
        // Names from KEPT_TABLES only, never from input.
        const tables = stale.map((r) => r.relname).filter((t) => KEPT_TABLES.includes(t));
        for (const table of tables) await tx.$executeRawUnsafe(`ANALYZE "${table}"`);
        return tables;
      },
      { maxWait: 10_000, timeout: 600_000 },
    );
  }
}
