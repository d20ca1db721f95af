// The sealer on a real PostgreSQL (its own database, from test/storage.ts like the
// tests; CUSTOS_TEST_DATABASE_URL points at the server): sealing alone, pending rows
// inserted beforehand, in events/s; then accept-to-sealed latency p50/p99 under a steady
// 2,000 events/s insert rate, with the worker's own scheduler and the default
// SEAL_MAX_EVENTS / SEAL_MAX_WAIT_MS. Both ends of the latency are the database clock
// (accepted_at, the block's sealedAt). Each figure beside the same-run raw SHA-256 rate.
import '../test/resolve-ts.cjs';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { Client } from 'pg';
import { SealingScheduler } from '../libs/sealing/src/sealing-scheduler.service';
import { MAX_BLOCKS_PER_SEAL } from '../libs/sealing/src/sealing.service';
import { TableStatisticsService } from '../libs/sealing/src/table-statistics.service';
import { TableStatisticsRepository } from '../libs/store/src/table-statistics.repository';
import { createTestDatabase, serverConfig, testQueuePrefix } from '../test/storage';
import { insertPending, shipEvent, testSigner, type PendingRow } from '../test/sealing/fixture';
import { openSealer } from '../test/sealing/sealer';
import { eventSigningBytes, type EventObject } from '../libs/ledger/src/events';
import { type Bench, percentile, rawSha256Rate } from './harness';
import { acceptedToSealedMs } from './product-db';

/** RFC 8032 signatures through node:crypto (same bytes as libs/ledger's signer, faster). */
function fastSigner(secretKey: Uint8Array) {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), secretKey]);
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return (event: EventObject) =>
    nodeSign(null, eventSigningBytes(event), key).toString('base64url');
}

// One signer for every batch: its key is registered (attested) with the first batch, and
// the sealer checks every signature against it.
const signer = testSigner('9506000000003');
const signWithNode = fastSigner(signer.secretKey);

function events(count: number, tag: string): PendingRow[] {
  const a = signer;
  const sign = signWithNode;
  return Array.from({ length: count }, (_, i) =>
    shipEvent(a, '9506000000010', `${tag}${i}`, (e) => sign(e)),
  );
}

export const bench: Bench = {
  name: 'sealing',
  async run(ctx) {
    const sha = rawSha256Rate(ctx.smoke ? 100 : 1000);
    const vsSha = (rate: number) =>
      `${(rate / sha).toFixed(4)} x raw SHA-256 at ${Math.round(sha).toLocaleString('en')}/s`;
    ctx.report('raw SHA-256 (64 B, node:crypto), reference', sha, 'hash/s');

    const db = await createTestDatabase('bench_sealing');
    const config = serverConfig(db, testQueuePrefix('bench_sealing'), {
      CUSTOS_SEALING_KEY: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    });
    const sealer = await openSealer(config);
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      // 1. Sealing alone: a backlog of pending events, sealed block after block.
      const backlog = ctx.smoke ? 5_000 : 100_000;
      await insertPending(pg, events(config.sealMaxEvents, 'W'));
      await sealer.sealing.sealBlock(); // warm-up: connections, prepared statements
      const rows = events(backlog, 'B');
      for (let i = 0; i < rows.length; i += 5_000)
        await insertPending(pg, rows.slice(i, i + 5_000));
      await pg.query('VACUUM ANALYZE ledger_event');
      const start = performance.now();
      let blocks = 0;
      // As the worker works off a backlog: several blocks per transaction.
      for (;;) {
        const sealed = await sealer.sealing.sealBlocks(MAX_BLOCKS_PER_SEAL);
        if (sealed.blocks.length === 0) break;
        blocks += sealed.blocks.length;
      }
      const seconds = (performance.now() - start) / 1000;
      const rate = backlog / seconds;
      ctx.report(
        `sealing alone (${backlog.toLocaleString('en')} pending, ${blocks} blocks of ${config.sealMaxEvents}, up to ${MAX_BLOCKS_PER_SEAL} per transaction)`,
        rate,
        'event/s',
        vsSha(rate),
      );

      // 2. Accept-to-sealed latency at a steady 2,000 events/s, sealed by the worker's
      // scheduler (own timer plus a trigger after each insert, as the seal job does).
      const perSecond = 2_000;
      const durationMs = ctx.smoke ? 1_500 : 15_000;
      const tickMs = 10;
      const steady = events((perSecond * durationMs) / 1000, 'L');
      const statistics = new TableStatisticsService(
        config,
        new TableStatisticsRepository(sealer.storage),
      );
      const scheduler = new SealingScheduler(config, sealer.sealing, statistics);
      scheduler.start();
      const firstSeq = (await pg.query<{ n: string }>('SELECT count(*) AS n FROM ledger_event'))
        .rows[0]!.n;
      // Events arrive at the rate whatever an insert costs: each round inserts every event
      // due by now, so an insert slowed by the seal beside it makes the next one larger
      // instead of lowering the rate offered (one insert a tick fell to 1,452/s).
      const t0 = performance.now();
      for (let sent = 0, tick = 1; sent < steady.length; tick++) {
        const wait = t0 + tick * tickMs - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const due = Math.min(
          steady.length,
          Math.floor(((performance.now() - t0) * perSecond) / 1000),
        );
        if (due === sent) continue;
        await insertPending(pg, steady.slice(sent, due));
        sent = due;
        void scheduler.trigger().catch(() => undefined);
      }
      const achieved = steady.length / ((performance.now() - t0) / 1000);
      for (;;) {
        const left = await pg.query<{ n: string }>(
          'SELECT count(*) AS n FROM ledger_event WHERE leaf_index IS NULL',
        );
        if (left.rows[0]!.n === '0') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await scheduler.onModuleDestroy();
      const latencies = await acceptedToSealedMs(pg, firstSeq);
      const note = `at ${Math.round(achieved).toLocaleString('en')} events/s offered, SEAL_MAX_EVENTS ${config.sealMaxEvents}, SEAL_MAX_WAIT_MS ${config.sealMaxWaitMs}; raw SHA-256 ${Math.round(sha).toLocaleString('en')}/s this run`;
      ctx.report('accept-to-sealed p50', percentile(latencies, 50), 'ms', note);
      ctx.report('accept-to-sealed p99', percentile(latencies, 99), 'ms', note);
      ctx.report('accept-to-sealed max', latencies[latencies.length - 1] ?? NaN, 'ms', note);
    } finally {
      await pg.end();
      await sealer.close();
      await db.drop();
    }
  },
};
