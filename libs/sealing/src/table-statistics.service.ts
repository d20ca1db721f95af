import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import {
  type StaleThreshold,
  TableStatisticsRepository,
} from '@custos/store/table-statistics.repository';

/**
 * A table is analysed once more rows changed since its last ANALYZE than 10,000 plus a
 * tenth of its size (autovacuum's own scale factor, with a floor that spares small tables).
 */
export const STALE_THRESHOLD: StaleThreshold = { minRows: 10_000, fraction: 0.1 };

/** This process looks at the counters at most this often. */
export const CHECK_EVERY_MS = 10_000;

/**
 * Keeps the planner's statistics current after large appends (BENCHMARKS.md step 8): the
 * worker's sealing scheduler asks on its sweep and after it writes blocks, apart from the
 * seal and never awaited by it, whether a ledger table grew past its threshold, and
 * analyses it. On PostgreSQL only: the embedded
 * database has one connection, and an ANALYZE there would stop everything else.
 */
@Injectable()
export class TableStatisticsService {
  private readonly logger = new Logger('TableStatistics');
  private running: Promise<void> | undefined;
  private lastCheck = -Infinity;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly repository: TableStatisticsRepository,
  ) {}

  /** Rows may have been appended: analyse what is stale, unless this process looked recently. */
  appended(now = performance.now()): void {
    if (this.config.database.kind !== 'postgresql') return;
    if (this.running || now - this.lastCheck < CHECK_EVERY_MS) return;
    this.lastCheck = now;
    this.running = this.analyseStale().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when this process runs no ANALYZE (at shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async analyseStale(): Promise<void> {
    try {
      const started = performance.now();
      const tables = await this.repository.analyseStale(STALE_THRESHOLD);
      if (tables && tables.length > 0)
        this.logger.log(
          `analysed ${tables.join(', ')} in ${Math.round(performance.now() - started)} ms`,
        );
    } catch (err) {
      // Statistics are an optimisation: the next append tries again.
      this.logger.warn(`ANALYZE failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
