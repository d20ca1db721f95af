// auditProgress: every chunk an audit commits is announced with pg_notify(AUDIT_CHANNEL,
// run id) from the worker that runs it; an API process LISTENs (Storage.listen, started
// with the first subscriber), reads the run and pushes its progress to the subscribers of
// that run. Each stream starts with the run's current state and ends after it finishes.
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Storage, Unlisten } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import { AUDIT_CHANNEL, AuditRepository, type AuditRunRecord } from './audit.repository';
import { type AuditProgress, progressOf } from './audit-checks';
import { PushIterator } from './push-iterator';

const finished = (run: AuditRunRecord) => run.status === 'COMPLETED' || run.status === 'FAILED';

@Injectable()
export class AuditProgressListener implements OnModuleDestroy {
  private readonly logger = new Logger('AuditProgress');
  private readonly subscribers = new Map<string, Set<PushIterator<AuditProgress>>>();
  private listening: Promise<Unlisten> | undefined;

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly runs: AuditRepository,
  ) {}

  async subscribe(runId: bigint): Promise<AsyncIterableIterator<AuditProgress>> {
    const key = runId.toString();
    const set = this.subscribers.get(key) ?? new Set();
    this.subscribers.set(key, set);
    const iterator = new PushIterator<AuditProgress>(() => {
      set.delete(iterator);
      if (set.size === 0 && this.subscribers.get(key) === set) this.subscribers.delete(key);
    });
    set.add(iterator);
    this.listening ??= this.storage
      .listen(AUDIT_CHANNEL, (payload) => void this.heard(payload), {
        onReconnect: () => {
          for (const id of this.subscribers.keys()) void this.heard(id);
        },
      })
      .catch((err: unknown) => {
        this.listening = undefined;
        throw err;
      });
    await this.listening;
    await this.heard(key);
    return iterator;
  }

  private async heard(payload: string): Promise<void> {
    const set = this.subscribers.get(payload);
    if (!set || set.size === 0) return;
    try {
      const run = await this.runs.find(BigInt(payload));
      for (const subscriber of [...set]) {
        if (!run) {
          subscriber.close();
          continue;
        }
        subscriber.push(progressOf(run));
        if (finished(run)) subscriber.close();
      }
    } catch (err) {
      this.logger.error(`could not read audit ${payload}: ${String(err)}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    for (const set of [...this.subscribers.values()]) for (const s of [...set]) s.close();
    const unlisten = await this.listening?.catch(() => undefined);
    this.listening = undefined;
    await unlisten?.();
  }
}
