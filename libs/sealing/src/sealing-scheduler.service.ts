import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import { WitnessClient } from '@custos/witness/witness-client.service';
import { type DrainOutcome, SealingService } from './sealing.service';
import { TableStatisticsService } from './table-statistics.service';

/**
 * When the worker seals. A `seal` job (enqueued by ingest after each commit) is only a
 * hint: the worker also sweeps on its own every SEAL_MAX_WAIT_MS, and arms a timer for
 * the moment the oldest pending event comes due, so events committed while Redis was
 * down are sealed all the same.
 */
@Injectable()
export class SealingScheduler implements OnModuleDestroy {
  private readonly logger = new Logger('SealingScheduler');
  private sweep: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private lastError = '';

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly sealing: SealingService,
    private readonly statistics: TableStatisticsService,
    @Optional() private readonly witnesses?: WitnessClient,
  ) {}

  start(): void {
    this.stopped = false;
    this.sweep = setInterval(() => {
      // Also on the sweep: under a steady stream of submissions one drain lasts as long
      // as the stream, so the check after it would come only when the load is over.
      this.statistics.appended();
      void this.trigger().catch(() => undefined);
    }, this.config.sealMaxWaitMs);
    void this.trigger().catch(() => undefined);
    this.witnesses?.start();
  }

  /** Seals what is due now; rejects when the database fails (the sweep tries again). */
  async trigger(): Promise<DrainOutcome | undefined> {
    if (this.stopped) return undefined;
    try {
      const outcome = await this.sealing.sealDue();
      this.lastError = '';
      // After the commit, apart from it: witnesses are asked and stale statistics
      // refreshed, never waited for.
      if (outcome.blocks.length > 0) {
        this.witnesses?.blocksSealed();
        this.statistics.appended();
      }
      this.armDueTimer(outcome.nextDueMs);
      return outcome;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.logger.error(`sealing failed: ${message}`);
      this.lastError = message;
      throw err;
    }
  }

  private armDueTimer(nextDueMs: number | undefined): void {
    if (nextDueMs === undefined || this.stopped) return;
    clearTimeout(this.dueTimer);
    this.dueTimer = setTimeout(() => void this.trigger().catch(() => undefined), nextDueMs);
  }

  /** Stops the timers and lets a running seal finish (its transaction commits or not). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweep);
    clearTimeout(this.dueTimer);
    await this.sealing.idle();
    await this.statistics.idle();
    await this.witnesses?.stop();
  }
}
