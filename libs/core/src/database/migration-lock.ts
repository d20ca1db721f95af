// Processes that start together on one database (an API and its workers after
// `docker compose up`, a rollout) all apply the migrations at start. Prisma's schema engine
// serialises them with an advisory lock it waits for only 10 s (then P1002, "Timed out
// trying to acquire a postgres advisory lock"), which a first migration on a busy machine
// outlasts, and the later processes exited. So the processes queue on a lock of our own,
// for a bounded time, saying so; the one that gets it next finds nothing left to apply.
import { Client } from 'pg';

/** The advisory-lock key of starting processes ("custos-mig" in ASCII; Prisma's is 72707369). */
export const MIGRATION_LOCK_KEY = 0x637573746f736d69n.toString();

export class MigrationWaitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationWaitError';
  }
}

export interface MigrationLockOptions {
  /** The longest wait for another process's migrations before giving up. */
  readonly waitMs: number;
  readonly log: (message: string) => void;
  /** Between two attempts at the lock. */
  readonly pollMs?: number;
}

/**
 * Runs `migrate` holding the migration lock (a session lock: it ends with the process,
 * whatever kills it). While another process holds it, waits and says so once; when Prisma's
 * own lock times out (a `prisma migrate` run from elsewhere), tries again, both within the
 * same bound. Past it, throws a MigrationWaitError naming who holds the lock.
 */
export async function withMigrationLock<T>(
  databaseUrl: string,
  options: MigrationLockOptions,
  migrate: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + options.waitMs;
  const pollMs = options.pollMs ?? 250;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let waited = false;
    while (!(await tryLock(client))) {
      if (!waited) {
        options.log(
          `another process is applying the database migrations; waiting for it (at most ${seconds(options.waitMs)})`,
        );
        waited = true;
      }
      if (Date.now() >= deadline) throw new MigrationWaitError(await gaveUp(client, options));
      await sleep(pollMs);
    }
    if (waited) options.log('the other process is done with the migrations; applying what is left');
    for (;;) {
      try {
        return await migrate();
      } catch (err) {
        if (!isPrismaLockTimeout(err) || Date.now() >= deadline) throw err;
        options.log(
          'Prisma Migrate is running elsewhere (its advisory lock is held); trying again',
        );
      }
    }
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

async function tryLock(client: Client): Promise<boolean> {
  const result = await client.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock($1::bigint) AS locked',
    [MIGRATION_LOCK_KEY],
  );
  return result.rows[0]?.locked === true;
}

/** The sentence for giving up: how long, who holds the lock, what to do. */
async function gaveUp(client: Client, options: MigrationLockOptions): Promise<string> {
  const holder = await client
    .query<{ pid: number; application_name: string; client_addr: string | null; since: string }>(
      `SELECT a.pid, a.application_name, a.client_addr::text AS client_addr,
              to_char(a.backend_start, 'YYYY-MM-DD"T"HH24:MI:SSOF') AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint`,
      [MIGRATION_LOCK_KEY],
    )
    .then((result) => result.rows[0])
    .catch(() => undefined);
  const who = holder
    ? `database session ${holder.pid}${holder.client_addr ? ` from ${holder.client_addr}` : ''}, connected since ${holder.since}`
    : 'another session';
  return `gave up after ${seconds(options.waitMs)} waiting for the database migrations another process is applying (the lock is held by ${who}); if no other Custos process is starting, end that session (SELECT pg_terminate_backend(<pid>)), or allow a longer wait with CUSTOS_MIGRATION_WAIT_SECONDS`;
}

function isPrismaLockTimeout(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === 'P1002' &&
    /advisory lock/.test(String((err as { message?: unknown }).message))
  );
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
