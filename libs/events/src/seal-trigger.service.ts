// Tells the sealer that events are waiting, after they are committed. A hint only: the
// sealer also sweeps pending events on its own timer, so correctness never depends on
// the queue. With Redis down BullMQ would wait for it forever, so the enqueue is given a
// short time, its failure is logged, and at most one enqueue is outstanding at a time
// (while one hangs, later triggers are dropped rather than piled into ioredis's offline
// queue).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { JOB_QUEUE, type CustosQueue } from '@custos/core/tokens';

export const SEAL_TRIGGER_TIMEOUT_MS = 250;

@Injectable()
export class SealTriggerService {
  private readonly logger = new Logger('Ingest');
  private outstanding: Promise<void> | undefined;

  constructor(@Inject(JOB_QUEUE) private readonly queue: CustosQueue) {}

  /** Enqueues a `seal` job; resolves within SEAL_TRIGGER_TIMEOUT_MS, whatever the queue does. */
  async trigger(): Promise<'queued' | 'skipped' | 'failed'> {
    if (this.outstanding) return 'skipped';
    const add = this.queue.add('seal', { trigger: 'accepted' }).finally(() => {
      this.outstanding = undefined;
    });
    this.outstanding = add;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SEAL_TRIGGER_TIMEOUT_MS);
    });
    try {
      const outcome = await Promise.race([add.then(() => 'queued' as const), timeout]);
      if (outcome === 'timeout') {
        this.logger.warn('the queue did not take the seal job in time; the sealer sweep will seal');
        add.catch((err: unknown) =>
          this.logger.warn(`seal job not queued: ${(err as Error).message}`),
        );
        return 'failed';
      }
      return 'queued';
    } catch (err) {
      this.logger.warn(
        `seal job not queued (${(err as Error).message}); the sealer sweep will seal`,
      );
      return 'failed';
    } finally {
      clearTimeout(timer);
    }
  }
}
