// Opens the database and the queue connection the configuration asks for. The choice
// is configuration only: one Prisma schema and one generated client, with the `pg`
// driver adapter on PostgreSQL or the PGlite adapter on the embedded database; BullMQ
// on Redis, or on its PostgreSQL backend in the same database (docs/adr/0001).
import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { runMigrations, type PostgresConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { Config } from '../config/config';
import { PrismaClient } from '../generated/prisma/client';
import { lockDataDir } from './data-dir-lock';
import { withMigrationLock } from './migration-lock';
import { ensurePGliteDataDir } from './pglite-data-dir';
import { PGlitePool } from './pglite-pool';
import { applyMigrations } from './schema-engine';

/**
 * PGlite's start with shared_buffers at 32 MB instead of PostgreSQL's 128 MB, which PGlite
 * keeps resident in the process from the start: standalone, 289 -> 187 MB RSS just opened,
 * 334 -> 213 MB after reading a 70 MB table, for ~20% more time on a table that outgrows
 * the buffers (read again from the OS's cache); 16 MB saved nothing more (step 13).
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

export type QueueConnection =
  | { readonly kind: 'redis'; readonly options: RedisOptions; readonly prefix: string }
  | { readonly kind: 'postgresql'; readonly connection: PostgresConnectionOptions };

export interface Storage {
  readonly prisma: PrismaClient;
  readonly databaseKind: Config['database']['kind'];
  readonly queue: QueueConnection;
  /** Names of the migrations this open applied. */
  readonly appliedMigrations: readonly string[];
  /** Resolves when the database answers; rejects with the reason otherwise. */
  pingDatabase(): Promise<void>;
  /** Resolves when the queue's store answers; rejects with the reason otherwise. */
  pingQueue(): Promise<void>;
  /**
   * LISTENs on `channel` over a connection of its own (a `pg` Client on PostgreSQL,
   * PGlite's listen when embedded) and calls `handler` with each notification's payload.
   * Resolves once listening, with the function that stops. A lost PostgreSQL connection
   * is reopened; `onLost` runs when it is lost (what was announced from then on is not
   * heard) and `onReconnect` once it listens again, so the caller can catch up on what was
   * announced while it was away.
   */
  listen(channel: string, handler: NotificationHandler, options?: ListenOptions): Promise<Unlisten>;
  close(): Promise<void>;
}

export type NotificationHandler = (payload: string) => void;
export type Unlisten = () => Promise<void>;
export interface ListenOptions {
  readonly onLost?: () => void;
  readonly onReconnect?: () => void;
}

export interface OpenStorageOptions {
  /** Apply pending Prisma migrations first (npm start does; tests of a fresh database do). */
  readonly migrate: boolean;
  /** Where to say that the start waits for another process's migrations. */
  readonly log?: (message: string) => void;
}

export async function openStorage(config: Config, options: OpenStorageOptions): Promise<Storage> {
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    let adapter: SqlMigrationAwareDriverAdapterFactory;
    let pglite: PGlite | undefined;
    if (config.database.kind === 'pglite') {
      closers.push(lockDataDir(config.dataDir));
      await ensurePGliteDataDir(config.database.dataDir);
      pglite = new PGlite(config.database.dataDir, { startParams: PGLITE_START_PARAMS });
      await pglite.waitReady;
      const db = pglite;
      closers.push(() => db.close());
      adapter = new PrismaPGlite(db);
    } else {
      // Scans are bound by round trips, not CPU: enough connections to keep PostgreSQL busy,
      // and named statements so PostgreSQL plans each statement once per connection.
      // JIT off: on freshly loaded tables the planner's estimates for the history
      // statement pass jit_optimize_above_cost, and compiling it took 540 ms of a 570 ms
      // scan (EXPLAIN ANALYZE, 5,087-event ledger); our statements are short and indexed,
      // so JIT only ever costs them. random_page_cost 1.1 (the default 4 models spinning
      // disks): the ledger's working set is cached or on SSD, and with the default the
      // analysed planner hash-joins all of event_item into a scan's history (50-95 ms)
      // instead of following the primary key (11 ms, same rows).
      adapter = new PrismaPg(
        {
          connectionString: config.database.url,
          max: 20,
          options: '-c jit=off -c random_page_cost=1.1',
        },
        { statementNameGenerator: statementName },
      );
    }

    // Prisma's tables first, while the session's search_path is still the default. On
    // PostgreSQL several processes may start at once: one migrates, the others wait.
    const migrate = () => applyMigrations(adapter);
    const appliedMigrations = !options.migrate
      ? []
      : config.database.kind === 'postgresql'
        ? await withMigrationLock(
            config.database.url,
            { waitMs: config.migrationWaitMs, log: options.log ?? (() => undefined) },
            migrate,
          )
        : await migrate();
    const prisma = new PrismaClient({ adapter });
    closers.push(() => prisma.$disconnect());

    const { queue, pingQueue } = await openQueueConnection(config, pglite, closers);
    const listeners = new Set<Unlisten>();
    // Stopped before the database closes (closers run in reverse).
    closers.push(async () => {
      for (const stop of [...listeners]) await stop();
    });
    const listen = async (
      channel: string,
      handler: NotificationHandler,
      listenOptions: ListenOptions = {},
    ): Promise<Unlisten> => {
      const stop = pglite
        ? await pglite.listen(channel, handler)
        : await listenPostgres(config, channel, handler, listenOptions);
      const unlisten: Unlisten = async () => {
        if (!listeners.delete(unlisten)) return;
        await stop();
      };
      listeners.add(unlisten);
      return unlisten;
    };
    return {
      prisma,
      databaseKind: config.database.kind,
      queue,
      appliedMigrations,
      pingDatabase: async () => {
        await prisma.$queryRaw`SELECT 1`;
      },
      pingQueue,
      listen,
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

async function openQueueConnection(
  config: Config,
  pglite: PGlite | undefined,
  closers: (() => Promise<void> | void)[],
): Promise<{ queue: QueueConnection; pingQueue: () => Promise<void> }> {
  if (config.queue.kind === 'redis') {
    const options: RedisOptions = {
      ...redisOptionsFromUrl(config.queue.url),
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    };
    const probe = new Redis({
      ...options,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    closers.push(() => probe.disconnect());
    return {
      queue: { kind: 'redis', options, prefix: config.queue.prefix },
      pingQueue: async () => {
        if (probe.status === 'wait' || probe.status === 'end') await probe.connect();
        await probe.ping();
      },
    };
  }
  if (pglite) {
    // BullMQ's tables live in their own schema of the embedded database.
    const pool = new PGlitePool(pglite);
    const client = await pool.connect();
    try {
      await runMigrations(client, config.queue.schema);
    } finally {
      client.release();
    }
    await pglite.exec(`SET search_path TO "${config.queue.schema}", public`);
    closers.push(() => pool.end());
    return {
      queue: { kind: 'postgresql', connection: pool },
      pingQueue: async () => {
        await pool.query('SELECT 1 FROM job LIMIT 1');
      },
    };
  }
  if (config.database.kind !== 'postgresql')
    throw new Error('unreachable: no database for the queue');
  const url = config.database.url;
  const schema = config.queue.schema;
  const connection = { connectionString: url, schema, migrate: true, max: 5 };
  const { Pool } = await import('pg');
  const probe = new Pool({ connectionString: url, max: 1 });
  closers.push(() => probe.end());
  return {
    queue: { kind: 'postgresql', connection },
    pingQueue: async () => {
      await probe.query(`SELECT 1 FROM "${schema}".job LIMIT 1`);
    },
  };
}

/** LISTEN on a dedicated `pg` Client, reopened (every second) while it is lost. */
async function listenPostgres(
  config: Config,
  channel: string,
  handler: NotificationHandler,
  options: ListenOptions,
): Promise<Unlisten> {
  if (config.database.kind !== 'postgresql') throw new Error('unreachable: no PostgreSQL URL');
  const url = config.database.url;
  const { Client } = await import('pg');
  let stopped = false;
  let client: InstanceType<typeof Client> | undefined;
  let retry: NodeJS.Timeout | undefined;
  const open = async (): Promise<void> => {
    const next = new Client({ connectionString: url });
    next.on('notification', (message) => {
      if (message.channel === channel) handler(message.payload ?? '');
    });
    next.on('error', () => {
      if (client !== next || stopped) return;
      client = undefined;
      void next.end().catch(() => undefined);
      options.onLost?.();
      reopen();
    });
    await next.connect();
    await next.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    client = next;
  };
  const reopen = () => {
    retry = setTimeout(() => {
      if (stopped) return;
      open().then(
        () => options.onReconnect?.(),
        () => reopen(),
      );
    }, 1000);
    retry.unref();
  };
  await open();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}

/**
 * A prepared-statement name per SQL text (a hash, so one name never means two texts).
 * Statements with long parameter lists (`IN ($1, …, $n)` of varying length) stay unnamed,
 * so the per-connection statement cache stays bounded.
 */
function statementName(query: { sql: string; args: unknown[] }): string {
  return query.args.length <= 32
    ? `c_${createHash('sha256').update(query.sql).digest('hex').slice(0, 40)}`
    : '';
}

function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}
