import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/storage';
import { MIGRATION_LOCK_KEY, MigrationWaitError, withMigrationLock } from './migration-lock';

describe('withMigrationLock', () => {
  let db: TestDatabase;
  let other: Client;
  beforeAll(async () => {
    db = await createTestDatabase('migration_lock');
    other = new Client({ connectionString: db.url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await db?.drop();
  });
  const hold = () => other.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
  const release = () => other.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);

  it('runs at once when nobody migrates, and releases the lock', async () => {
    const log: string[] = [];
    await expect(
      withMigrationLock(db.url, { waitMs: 5000, log: (m) => log.push(m) }, () =>
        Promise.resolve('done'),
      ),
    ).resolves.toBe('done');
    expect(log).toEqual([]);
    await hold(); // free again
    await release();
  });

  it('waits for the process that holds it, says so once, then runs', async () => {
    await hold();
    const log: string[] = [];
    const order: string[] = [];
    const waiting = withMigrationLock(
      db.url,
      { waitMs: 30_000, pollMs: 50, log: (m) => log.push(m) },
      () => {
        order.push('migrated');
        return Promise.resolve([]);
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 600));
    order.push('released');
    await release();
    await waiting;
    expect(order).toEqual(['released', 'migrated']);
    expect(log).toEqual([
      'another process is applying the database migrations; waiting for it (at most 30 s)',
      'the other process is done with the migrations; applying what is left',
    ]);
  });

  it('gives up after the bound with a sentence naming the holder and what to do', async () => {
    // Advisory locks belong to one database: processes migrating other databases on the same
    // server with the same key (other test files, other deployments) are not the holder. The
    // database asked about is made last, so the server lists the others' locks first.
    const holding = async (label: string) => {
      const database = await createTestDatabase(label);
      const client = new Client({ connectionString: database.url });
      await client.connect();
      await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      return { database, client, pid: rows[0]!.pid };
    };
    const elsewhere = [];
    for (const n of [1, 2, 3]) elsewhere.push(await holding(`migration_lock_elsewhere_${n}`));
    const here = await holding('migration_lock_here');
    try {
      const error = await withMigrationLock(
        here.database.url,
        { waitMs: 1000, pollMs: 50, log: () => undefined },
        () => Promise.resolve('never'),
      ).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(MigrationWaitError);
      expect((error as Error).message).toContain(
        `gave up after 1 s waiting for the database migrations another process is applying (the lock is held by database session ${here.pid} `,
      );
      for (const { pid } of elsewhere) {
        expect((error as Error).message).not.toContain(`database session ${pid} `);
      }
      expect((error as Error).message).toContain('CUSTOS_MIGRATION_WAIT_SECONDS');
    } finally {
      for (const { database, client } of [...elsewhere, here]) {
        await client.end();
        await database.drop();
      }
    }
  });

  it("tries again when Prisma's own advisory lock timed out, within the bound", async () => {
    const log: string[] = [];
    let attempts = 0;
    const result = await withMigrationLock(
      db.url,
      { waitMs: 10_000, log: (m) => log.push(m) },
      () => {
        attempts += 1;
        if (attempts < 3) {
          const timeout = new Error('Timed out trying to acquire a postgres advisory lock');
          return Promise.reject(Object.assign(timeout, { code: 'P1002' }));
        }
        return Promise.resolve('applied');
      },
    );
    expect(result).toBe('applied');
    expect(attempts).toBe(3);
    expect(log).toHaveLength(2);
    const broken = await withMigrationLock(db.url, { waitMs: 10_000, log: () => undefined }, () =>
      Promise.reject(new Error('a broken migration')),
    ).catch((err: unknown) => err);
    expect((broken as Error).message).toBe('a broken migration');
  });
});
