import { loadConfig } from '../config/config';
import { JobQueue, JobWorker } from '../queue/job-queue';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testQueuePrefix,
  testSecrets,
  type TestDatabase,
} from '../../../../test/storage';
import { DataDirInUseError } from './data-dir-lock';
import { openStorage, type Storage } from './storage';

interface TestJobs {
  remember: { key: string; value: string };
}

/** Runs one queued job through a real worker and waits for its effect. */
async function roundTripJob(storage: Storage, queueName: string, key: string): Promise<string> {
  const queue = new JobQueue<TestJobs>(storage.queue, queueName);
  let seen: (value: string) => void = () => undefined;
  const done = new Promise<string>((resolve) => (seen = resolve));
  const worker = new JobWorker<TestJobs>(
    storage.queue,
    queueName,
    {
      remember: async ({ key: k, value }) => {
        await storage.prisma.systemSetting.create({ data: { key: k, value } });
        seen(value);
      },
    },
    { jobNames: ['remember'] },
  );
  await worker.ready();
  await queue.add('remember', { key, value: `value of ${key}` });
  const value = await done;
  await worker.close();
  await queue.close();
  return value;
}

describe('storage on PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let storage: Storage;

  beforeAll(async () => {
    db = await createTestDatabase('storage');
    storage = await openStorage(serverConfig(db, testQueuePrefix('storage')), { migrate: true });
  });
  afterAll(async () => {
    await storage?.close();
    await db?.drop();
  });

  it('applied the committed migrations once, and none on a second open', async () => {
    expect(storage.appliedMigrations.length).toBeGreaterThan(0);
    const again = await openStorage(serverConfig(db, testQueuePrefix('storage2')), {
      migrate: true,
    });
    expect(again.appliedMigrations).toEqual([]);
    await again.close();
  });

  it('answers pings and runs a queued job that writes through Prisma', async () => {
    await expect(storage.pingDatabase()).resolves.toBeUndefined();
    await expect(storage.pingQueue()).resolves.toBeUndefined();
    await expect(roundTripJob(storage, 'test', 'redis-job')).resolves.toBe('value of redis-job');
    const row = await storage.prisma.systemSetting.findUnique({ where: { key: 'redis-job' } });
    expect(row?.value).toBe('value of redis-job');
  });

  it('refuses a worker whose handler map misses a job name', () => {
    expect(
      () =>
        new JobWorker<TestJobs>(storage.queue, 'test', {} as never, {
          jobNames: ['remember'],
        }),
    ).toThrow('queue test: no handler for job remember');
  });

  it('reports the queue down when Redis cannot be reached', async () => {
    const down = await openStorage(
      {
        ...serverConfig(db, testQueuePrefix('down')),
        queue: { kind: 'redis', url: 'redis://127.0.0.1:1', prefix: 'x' },
      },
      { migrate: false },
    );
    await expect(down.pingDatabase()).resolves.toBeUndefined();
    await expect(down.pingQueue()).rejects.toThrow();
    await down.close();
  });
});

describe('queue on PostgreSQL (BullMQ PostgreSQL backend, no Redis)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('pgqueue');
  });
  afterAll(() => db?.drop());

  it('runs a queued job in the same database', async () => {
    const config = loadConfig({
      ...testSecrets(db),
      DATABASE_URL: db.url,
      CUSTOS_QUEUE_PREFIX: 'jobs',
    });
    const storage = await openStorage(config, { migrate: true });
    try {
      expect(storage.queue.kind).toBe('postgresql');
      await expect(roundTripJob(storage, 'pgtest', 'pg-job')).resolves.toBe('value of pg-job');
      await expect(storage.pingQueue()).resolves.toBeUndefined();
    } finally {
      await storage.close();
    }
  });
});

describe('embedded storage (PGlite in a data folder)', () => {
  const dir = tempDir('embedded');
  afterAll(() => dir.remove());

  it('keeps rows and queued jobs across a restart, and locks the folder while open', async () => {
    const config = loadConfig({ CUSTOS_DATA_DIR: dir.path });
    const first = await openStorage(config, { migrate: true });
    await first.prisma.systemSetting.create({ data: { key: 'before-restart', value: 'kept' } });
    const queue = new JobQueue<TestJobs>(first.queue, 'embedded');
    await queue.add('remember', { key: 'queued-before-restart', value: 'processed after restart' });
    await queue.close();
    await expect(openStorage(config, { migrate: true })).rejects.toBeInstanceOf(DataDirInUseError);
    await first.close();

    const second = await openStorage(config, { migrate: true });
    try {
      expect(second.appliedMigrations).toEqual([]);
      // The embedded database's smaller buffer pool (storage.ts, PGLITE_START_PARAMS).
      const [setting] = await second.prisma.$queryRaw<
        { shared_buffers: string }[]
      >`SHOW shared_buffers`;
      expect(setting?.shared_buffers).toBe('32MB');
      const row = await second.prisma.systemSetting.findUnique({
        where: { key: 'before-restart' },
      });
      expect(row?.value).toBe('kept');
      // The job queued before the restart is still waiting and runs now.
      let seen: (v: string) => void = () => undefined;
      const done = new Promise<string>((resolve) => (seen = resolve));
      const worker = new JobWorker<TestJobs>(
        second.queue,
        'embedded',
        { remember: ({ value }) => Promise.resolve(seen(value)) },
        { jobNames: ['remember'] },
      );
      await expect(done).resolves.toBe('processed after restart');
      await worker.close();
      await expect(second.pingQueue()).resolves.toBeUndefined();
    } finally {
      await second.close();
    }
  });
});
