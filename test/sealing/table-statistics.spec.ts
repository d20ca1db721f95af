// The product keeps the planner's statistics current after large appends (autovacuum is
// off on some machines, and its autoanalyze comes late): a table past its threshold of
// changed rows is analysed once, whatever the number of replicas asking, without holding
// up the sealer. On the real PostgreSQL; no timings asserted.
import { Client } from 'pg';
import { SealingScheduler } from '../../libs/sealing/src/sealing-scheduler.service';
import type { SealingService } from '../../libs/sealing/src/sealing.service';
import {
  STALE_THRESHOLD,
  TableStatisticsService,
} from '../../libs/sealing/src/table-statistics.service';
import { LedgerEventRepository } from '../../libs/store/src/ledger-event.repository';
import {
  ANALYSE_LOCK_KEY,
  KEPT_TABLES,
  TableStatisticsRepository,
} from '../../libs/store/src/table-statistics.repository';
import { insertPending, shipEvent, testSigner } from './fixture';
import { openSealer, type TestSealer } from './sealer';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

const ROWS = STALE_THRESHOLD.minRows + 2_000;

interface TableStats {
  readonly analyses: number;
  readonly changed: number;
  readonly tuples: number;
}

describe('table statistics after large appends', () => {
  let db: TestDatabase;
  let sealer: TestSealer;
  let replica: TestSealer;
  let pg: Client;
  const a = testSigner('9506000000003');
  const b = testSigner('9506000000010');

  beforeAll(async () => {
    db = await createTestDatabase('table_stats');
    const config = serverConfig(db, testQueuePrefix('table_stats'));
    sealer = await openSealer(config);
    replica = await openSealer(config, { migrate: false });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 60_000);

  afterAll(async () => {
    await pg?.end();
    await replica?.close();
    await sealer?.close();
    await db?.drop();
  });

  const stats = async (): Promise<Record<string, TableStats>> => {
    const { rows } = await pg.query<{ relname: string } & TableStats>(
      `SELECT s.relname, (s.analyze_count + s.autoanalyze_count)::int AS analyses,
              s.n_mod_since_analyze::int AS changed, c.reltuples::float8 AS tuples
       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
       WHERE s.relname = ANY($1::text[])`,
      [[...KEPT_TABLES]],
    );
    return Object.fromEntries(rows.map(({ relname, ...s }) => [relname, s]));
  };

  /**
   * Appends `n` units and their tallies, as one large load would (tables the sealer does
   * not read, so it seals only the events each test gives it).
   */
  const append = async (n: number, tag: string) => {
    // Flushed to the shared statistics when this session goes idle, not up to 10 s later.
    await pg.query('SELECT pg_stat_force_next_flush()');
    await pg.query(
      `WITH u AS (
         INSERT INTO unit_state (identifier, kind, status, commission_seq, updated_seq)
         SELECT $2 || g, 'UNIT', 'ACTIVE', g, g FROM generate_series(1, $1::int) g
         RETURNING identifier, commission_seq)
       INSERT INTO item_tally (key, event_count, last_seq) SELECT identifier, 1, commission_seq FROM u`,
      [n, tag],
    );
    for (let i = 0; i < 200; i++) {
      const seen = await stats();
      if ((seen.unit_state?.changed ?? 0) >= n && (seen.item_tally?.changed ?? 0) >= n) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the appended rows never showed in pg_stat_user_tables');
  };

  /** Waits until `table` was analysed more than `times` times (or gives up). */
  const analysedMoreThan = async (table: string, times: number) => {
    for (let i = 0; i < 300; i++) {
      if ((await stats())[table]!.analyses > times) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /** The worker's sealing scheduler over `sealing`, sweeping every millisecond. */
  const startScheduler = (sealing: SealingService) => {
    const statistics = new TableStatisticsService(
      sealer.config,
      new TableStatisticsRepository(sealer.storage),
    );
    const scheduler = new SealingScheduler(
      { ...sealer.config, sealMaxWaitMs: 1 },
      sealing,
      statistics,
    );
    scheduler.start();
    return { statistics, scheduler };
  };

  it('leaves small changes alone', async () => {
    await append(100, 'small-');
    const repository = new TableStatisticsRepository(sealer.storage);
    expect(await repository.analyseStale(STALE_THRESHOLD)).toEqual([]);
    expect((await stats()).unit_state!.tuples).toBe(-1); // never analysed
  });

  it('analyses each table past its threshold once, and the planner then knows its size', async () => {
    await append(ROWS, 'big-');
    const before = await stats();
    const repository = new TableStatisticsRepository(sealer.storage);
    expect(await repository.analyseStale(STALE_THRESHOLD)).toEqual(['item_tally', 'unit_state']);
    const after = await stats();
    expect(after.unit_state!.analyses).toBe(before.unit_state!.analyses + 1);
    expect(after.item_tally!.analyses).toBe(before.item_tally!.analyses + 1);
    expect(after.unit_state!.tuples).toBe(ROWS + 100);
    expect(after.unit_state!.changed).toBe(0);
    expect(after.ledger_event!.analyses).toBe(before.ledger_event!.analyses); // not stale
    // Asked again at once, by anyone: nothing is stale any more.
    expect(await repository.analyseStale(STALE_THRESHOLD)).toEqual([]);
    expect(
      await new TableStatisticsRepository(replica.storage).analyseStale(STALE_THRESHOLD),
    ).toEqual([]);
    expect((await stats()).unit_state!.analyses).toBe(after.unit_state!.analyses);
  });

  it('is skipped, not waited for, while another session holds the lock', async () => {
    await append(ROWS * 2, 'held-');
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [ANALYSE_LOCK_KEY.toString()]);
      const before = await stats();
      expect(
        await new TableStatisticsRepository(replica.storage).analyseStale(STALE_THRESHOLD),
      ).toBeNull();
      expect((await stats()).unit_state!.analyses).toBe(before.unit_state!.analyses);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  it('runs one ANALYZE per table when several replicas ask at once', async () => {
    const before = await stats();
    const answers = await Promise.all(
      [sealer, replica, sealer, replica].map((s) =>
        new TableStatisticsRepository(s.storage).analyseStale(STALE_THRESHOLD),
      ),
    );
    const analysed = answers.flatMap((tables) => tables ?? []);
    expect(analysed.sort()).toEqual(['item_tally', 'unit_state']);
    const after = await stats();
    expect(after.unit_state!.analyses).toBe(before.unit_state!.analyses + 1);
    expect(after.item_tally!.analyses).toBe(before.item_tally!.analyses + 1);
  });

  it('does not hold up the sealer while an ANALYZE is running', async () => {
    await insertPending(
      pg,
      Array.from({ length: 20 }, (_, i) => shipEvent(a, b.gln, `A${i}`)),
    );
    const analysing = new Client({ connectionString: db.url });
    await analysing.connect();
    try {
      // An ANALYZE's lock is kept to the end of its transaction: kept open here.
      await analysing.query('BEGIN');
      await analysing.query('ANALYZE ledger_event, event_item, block, tree_node');
      const sealed = await sealer.sealing.sealBlocks(10);
      expect(sealed.blocks.reduce((n, block) => n + block.eventCount, 0)).toBe(20);
    } finally {
      await analysing.query('ROLLBACK');
      await analysing.end();
    }
  });

  it('is asked by the worker’s sealing scheduler as it seals, apart from the seal', async () => {
    await append(ROWS * 3, 'sched-');
    await insertPending(
      pg,
      Array.from({ length: 5 }, (_, i) => shipEvent(a, b.gln, `B${i}`)),
    );
    const before = await stats();
    const { scheduler } = startScheduler(sealer.sealing);
    try {
      for (
        let i = 0;
        i < 200 && (await new LedgerEventRepository(sealer.storage).pendingCount()) > 0;
        i++
      )
        await new Promise((r) => setTimeout(r, 50));
      await analysedMoreThan('unit_state', before.unit_state!.analyses);
    } finally {
      await scheduler.onModuleDestroy();
    }
    expect(await new LedgerEventRepository(sealer.storage).pendingCount()).toBe(0);
    const after = await stats();
    expect(after.unit_state!.analyses).toBe(before.unit_state!.analyses + 1);
    expect(after.item_tally!.analyses).toBe(before.item_tally!.analyses + 1);
  });

  it('is asked on the scheduler’s sweep too, whether or not a seal returns', async () => {
    // Under a steady stream one drain lasts as long as the stream: the sweep asks meanwhile.
    await append(ROWS * 4, 'sweep-');
    const before = await stats();
    const { statistics, scheduler } = startScheduler({
      sealDue: () => new Promise(() => undefined),
      idle: () => Promise.resolve(),
    } as never);
    try {
      await analysedMoreThan('unit_state', before.unit_state!.analyses);
      await statistics.idle();
    } finally {
      await scheduler.onModuleDestroy();
    }
    expect((await stats()).unit_state!.analyses).toBe(before.unit_state!.analyses + 1);
  });

  it('leaves the embedded database alone (one connection: an ANALYZE would stop everything)', async () => {
    await append(ROWS, 'embedded-');
    const before = await stats();
    const statistics = new TableStatisticsService(
      { ...sealer.config, database: { kind: 'pglite', dataDir: '/nonexistent' } },
      new TableStatisticsRepository(sealer.storage),
    );
    statistics.appended();
    await statistics.idle();
    expect((await stats()).unit_state!.analyses).toBe(before.unit_state!.analyses);
  });
});
