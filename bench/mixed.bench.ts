// Mixed read/write (issue 17: pharmacies scan while manufacturers commission). The ledger
// of bench/filled-ledger.ts (full: 1,000,000 entries; smoke: 2,000; --size=N), served by
// the built product as two processes on PostgreSQL, the API (CUSTOS_ROLE=api) and the
// worker (CUSTOS_ROLE=worker) with the default SEAL_MAX_EVENTS / SEAL_MAX_WAIT_MS. First
// scans alone at 1 to 32 connections (throughput against concurrency); then the same
// scans at 32 connections while a separate process submits COMMISSION events over
// GraphQL at a paced 2,000 events/s, which the worker seals. Scans come from autocannon in
// its own process; accept→sealed is read from the database clock (accepted_at, the
// block's sealed_at) for every event of the paced ingest. Resident memory of both
// processes is sampled from /proc during the mixed load.
// Reference, same run: one core's native Ed25519 verify rate.
// Targets: scans p99 <= 100 ms during the ingest; accept→sealed p99 <= 1 s at 2,000/s.
import '../test/resolve-ts.cjs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { VERIFY } from '../test/fixtures/ledger-world';
import { startProduct } from '../test/product';
import { openSealer } from '../test/sealing/sealer';
import { createTestDatabase, serverConfig, testQueuePrefix } from '../test/storage';
import { fillLedger } from './filled-ledger';
import { acceptedToSealedMs, productEnv } from './product-db';
import { type Bench, benchNodeArgs, percentile } from './harness';
import { loadTest, pacedIngest } from './load';
import { sampleMemory } from './memory';
import { nativeVerifyRates, signer } from './signer';

const ADMIN_TOKEN = 'bench-mixed-admin-token-0123456789abcdef0123456';
const SEALING_KEY = '3f8e2b6c1d0a4957e6c3b2a1908f7e6d5c4b3a291807f6e5d4c3b2a190817263';
const PER_SECOND = 2_000;
const BATCH = 100;
const CONNECTIONS = 32;

export const bench: Bench = {
  name: 'mixed',
  async run(ctx) {
    const ledgerSize = ctx.size ?? (ctx.smoke ? 2_000 : 1_000_000);
    const cases = ctx.smoke ? 5 : 200;
    const sweep = ctx.smoke ? [4] : [1, 4, 16, 32];
    const sweepSeconds = ctx.smoke ? 2 : 5;
    const scanSeconds = ctx.smoke ? 2 : 10;
    // The ingest starts first and ends after the scans, so every scan overlaps it.
    const ingestSeconds = scanSeconds + (ctx.smoke ? 2 : 3);

    const reference = signer('0000000000000');
    const sample = reference.sign({ eventId: randomUUID(), type: 'X' });
    const verifyRate = nativeVerifyRates(reference, sample, ctx.smoke ? 100 : 1000).fast;
    ctx.report('raw Ed25519 verifyFast, 1 core (reference)', verifyRate, 'sig/s');
    const vsVerify = (rate: number) =>
      `${(rate / verifyRate).toFixed(4)} x Ed25519 at ${Math.round(verifyRate).toLocaleString('en')}/s`;

    const db = await createTestDatabase('bench_mixed');
    const prefix = testQueuePrefix('bench_mixed');
    const env = productEnv(db, prefix, { adminToken: ADMIN_TOKEN, sealingKey: SEALING_KEY });
    // The ledger is filled by a sealer in this process, in big blocks, before the worker starts.
    const sealer = await openSealer(serverConfig(db, prefix, { ...env, SEAL_MAX_EVENTS: '5000' }));
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const api = await startProduct({ ...env, CUSTOS_ROLE: 'api' }, 60_000, benchNodeArgs());
    let sealerOpen = true;
    let worker: Awaited<ReturnType<typeof startProduct>> | undefined;
    try {
      const ledger = await fillLedger(pg, sealer, api.url, ADMIN_TOKEN, ledgerSize, cases);
      await sealer.close();
      sealerOpen = false;
      ctx.report(
        'ledger built (sealed entries)',
        ledger.size,
        'entries',
        `in ${ledger.seconds.toFixed(0)} s`,
      );
      worker = await startProduct({ ...env, CUSTOS_ROLE: 'worker' }, 60_000);

      const requests = ledger.units.map((code) => ({
        method: 'POST' as const,
        path: '/graphql',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${ledger.pharmacy.token!}`,
        },
        body: JSON.stringify({ query: VERIFY, variables: { code } }),
      }));
      await loadTest(api.url, requests, 4, 1); // warm-up

      // Scans alone: throughput and latency against concurrency.
      for (const connections of sweep) {
        const alone = await loadTest(api.url, requests, connections, sweepSeconds);
        const note = `scans alone, ${connections} connections, ${sweepSeconds} s, ${vsVerify(alone.requestsPerSecond)}`;
        ctx.report(`scans alone at ${connections}: rate`, alone.requestsPerSecond, 'scan/s', note);
        ctx.report(`scans alone at ${connections}: p50`, alone.p50Ms, 'ms');
        ctx.report(`scans alone at ${connections}: p99`, alone.p99Ms, 'ms');
        if (alone.failures > 0) throw new Error(`${alone.failures} scans failed alone`);
      }

      // The maker's new units, signed beforehand so that signing costs the load nothing.
      const maker = signer(ledger.maker.id, ledger.maker.secretKey, ledger.maker.keyId);
      const eventTime = new Date(Date.now() - 60_000).toISOString();
      const batches = Array.from({ length: (PER_SECOND * ingestSeconds) / BATCH }, (_, b) =>
        Array.from({ length: BATCH }, (_, i) =>
          maker.sign({
            eventId: randomUUID(),
            type: 'COMMISSION',
            actor: maker.id,
            eventTime,
            items: [`https://id.gs1.org/01/09506000134352/21/M${b}-${i}`],
            lot: 'L2',
            expiry: '2030-12-31',
          }),
        ),
      );
      const firstSeq = (
        await pg.query<{ n: string }>('SELECT coalesce(max(seq), 0)::text AS n FROM ledger_event')
      ).rows[0]!.n;

      const apiMemory = sampleMemory(api.process.pid!);
      const workerMemory = sampleMemory(worker.process.pid!);
      const ingest = pacedIngest(api.url, ledger.maker.token!, batches, PER_SECOND, ingestSeconds);
      await new Promise((r) => setTimeout(r, 1_500));
      const mixed = await loadTest(api.url, requests, CONNECTIONS, scanSeconds);
      const ingested = await ingest;
      const deadline = Date.now() + 120_000;
      for (;;) {
        const left = await pg.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM ledger_event WHERE leaf_index IS NULL',
        );
        if (left.rows[0]!.n === '0') break;
        if (Date.now() > deadline)
          throw new Error(`${left.rows[0]!.n} events unsealed after 2 min`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const apiRss = apiMemory.stop();
      const workerRss = workerMemory.stop();
      const sealedMs = await acceptedToSealedMs(pg, firstSeq);

      const note = `${CONNECTIONS} connections, ${scanSeconds} s, while ${PER_SECOND.toLocaleString('en')} events/s were offered; ledger ${ledger.size.toLocaleString('en')} entries`;
      ctx.report('mixed: scans rate', mixed.requestsPerSecond, 'scan/s', note);
      ctx.report('mixed: scans p50', mixed.p50Ms, 'ms');
      ctx.report('mixed: scans p99 (target <= 100)', mixed.p99Ms, 'ms');
      ctx.report(
        'mixed: scans / native verify',
        mixed.requestsPerSecond / verifyRate,
        'x',
        vsVerify(mixed.requestsPerSecond),
      );
      ctx.report('mixed: failed scans (must be 0)', mixed.failures, 'requests');
      ctx.report(
        'mixed: ingest achieved',
        ingested.acceptedPerSecond,
        'event/s',
        `${ingested.accepted.toLocaleString('en')} accepted in ${ingested.seconds.toFixed(1)} s of ${PER_SECOND.toLocaleString('en')}/s offered in ${BATCH}-event batches, ${ingested.skipped.toLocaleString('en')} not sent (8 batches unanswered); batch answer p50 ${ingested.batchP50Ms.toFixed(0)} ms, p99 ${ingested.batchP99Ms.toFixed(0)} ms; ${vsVerify(ingested.acceptedPerSecond)}`,
      );
      ctx.report(
        'mixed: accept-to-sealed p50',
        percentile(sealedMs, 50),
        'ms',
        `${sealedMs.length} events`,
      );
      ctx.report('mixed: accept-to-sealed p99 (target <= 1000)', percentile(sealedMs, 99), 'ms');
      ctx.report(
        'mixed: API peak RSS (VmHWM, target <= 256)',
        apiRss.peakMb,
        'MB',
        `VmRSS max ${apiRss.maxRssMb.toFixed(0)}, median ${apiRss.medianRssMb.toFixed(0)} MB over ${apiRss.samples} samples`,
      );
      ctx.report(
        'mixed: worker peak RSS (VmHWM)',
        workerRss.peakMb,
        'MB',
        `VmRSS max ${workerRss.maxRssMb.toFixed(0)}, median ${workerRss.medianRssMb.toFixed(0)} MB over ${workerRss.samples} samples`,
      );
      if (mixed.failures > 0)
        throw new Error(`${mixed.failures} scans failed under the mixed load`);
    } finally {
      await worker?.stop();
      await api.stop();
      await pg.end();
      if (sealerOpen) await sealer.close();
      await db.drop();
    }
  },
};
