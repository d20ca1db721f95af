// alertRaised across processes. Whoever commits an alert (ingest, sealing, verification,
// in any process) announces its id with pg_notify(ALERT_CHANNEL) in the same transaction
// (libs/store/src/alert.repository.ts). This process LISTENs once, on a connection of
// its own (Storage.listen), so it hears each committed alert exactly once; it reads the
// rows by id, in batches, and hands each alert to each of its own subscribers once. Ids
// already handed out are remembered (the last 10,000), so the catch-up read after a lost
// connection cannot deliver one twice. Listening starts with the first subscriber: a
// worker-only process never opens the connection.
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Storage, Unlisten } from '@custos/core/database/storage';
import type { Config } from '@custos/core/config/config';
import { CONFIG, STORAGE } from '@custos/core/tokens';
import {
  ALERT_CHANNEL,
  type AlertFilter,
  type AlertRecord,
  AlertRepository,
  matchesFilter,
} from '@custos/store/alert.repository';
import { replayThenLive } from './alert-replay';
import { PushIterator } from './push-iterator';

const REMEMBERED = 10_000;
/** How far back the catch-up after a reconnect reads (clock skew between processes). */
const CATCH_UP_MARGIN_MS = 10_000;

@Injectable()
export class AlertListener implements OnModuleDestroy {
  private readonly logger = new Logger('AlertListener');
  private readonly subscribers = new Set<PushIterator<AlertRecord>>();
  private readonly delivered = new Set<bigint>();
  private listening: Promise<Unlisten> | undefined;
  /** The LISTEN is in place: a committed alert reaches every subscriber. */
  private listened = false;
  private heardAt = new Date();
  private pendingIds: bigint[] = [];
  private reading: Promise<void> | undefined;

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly alerts: AlertRepository,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /**
   * The alerts matching `filter` committed from now on; with `filter.since`, first those
   * raised since then already committed, read once the LISTEN is in place (alert-replay.ts).
   * `since` bounds the replay only: a live alert is new whenever it was raised.
   */
  async follow(filter: AlertFilter): Promise<AsyncIterableIterator<AlertRecord>> {
    const { since, ...live } = filter;
    const wanted = (alert: AlertRecord) => matchesFilter(live, alert);
    const pageSize = this.config.requestLimits.maxPageSize;
    const source = await this.subscribe();
    if (since === undefined) {
      return replayThenLive(() => Promise.resolve([]), pageSize, source, wanted);
    }
    return replayThenLive(
      (afterId) => this.alerts.pageOldestFirst(filter, afterId, pageSize),
      pageSize,
      source,
      wanted,
    );
  }

  /** A stream of every alert committed from now on, anywhere; ends when the client leaves. */
  async subscribe(): Promise<AsyncIterableIterator<AlertRecord>> {
    const iterator = new PushIterator<AlertRecord>(() => this.subscribers.delete(iterator));
    this.subscribers.add(iterator);
    try {
      await this.listen();
    } catch (err) {
      this.subscribers.delete(iterator);
      throw err;
    }
    return iterator;
  }

  /** Subscribers that hear the next alert committed (none until the LISTEN is in place). */
  get subscriberCount(): number {
    return this.listened ? this.subscribers.size : 0;
  }

  private listen(): Promise<Unlisten> {
    this.listening ??= this.storage
      .listen(ALERT_CHANNEL, (payload) => this.heard(payload), {
        onReconnect: () => void this.catchUp(),
      })
      .then((unlisten) => {
        this.listened = true;
        return unlisten;
      })
      .catch((err: unknown) => {
        this.listening = undefined;
        throw err;
      });
    return this.listening;
  }

  private heard(payload: string): void {
    this.heardAt = new Date();
    if (!/^\d+$/.test(payload)) return;
    this.pendingIds.push(BigInt(payload));
    this.reading ??= this.readPending();
  }

  /** Reads every id heard so far in one statement, then again for those heard meanwhile. */
  private async readPending(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.pendingIds.length > 0) {
        const ids = this.pendingIds;
        this.pendingIds = [];
        try {
          this.deliver(await this.alerts.byIds(ids));
        } catch (err) {
          this.logger.error(`could not read alerts ${ids.join(', ')}: ${String(err)}`);
        }
      }
    } finally {
      this.reading = undefined;
    }
  }

  private async catchUp(): Promise<void> {
    const since = new Date(this.heardAt.getTime() - CATCH_UP_MARGIN_MS);
    this.logger.warn(
      `alert channel reconnected; reading alerts raised since ${since.toISOString()}`,
    );
    try {
      this.deliver(await this.alerts.raisedSince(since));
    } catch (err) {
      this.logger.error(`catch-up after reconnect failed: ${String(err)}`);
    }
  }

  private deliver(alerts: readonly AlertRecord[]): void {
    for (const alert of alerts) {
      if (this.delivered.has(alert.id)) continue;
      this.delivered.add(alert.id);
      if (this.delivered.size > REMEMBERED) {
        this.delivered.delete(this.delivered.values().next().value!);
      }
      for (const subscriber of this.subscribers) subscriber.push(alert);
    }
  }

  async onModuleDestroy(): Promise<void> {
    for (const subscriber of [...this.subscribers]) await subscriber.return();
    const unlisten = await this.listening?.catch(() => undefined);
    this.listening = undefined;
    this.listened = false;
    await unlisten?.();
  }
}
