// verifyPackage under load (issue 8): 200 concurrent scans over HTTP against the built
// product in its own process (CUSTOS_ROLE=api), on a ledger of at least 1,000,000 sealed
// entries (smoke: 4,000). The scanned units have 6-event trails inherited through a case
// (COMMISSION, PACK, then the case shipped and received twice) and were submitted through
// the real GraphQL ingest; the other entries are filler sealed by the real sealer, so
// every scan reads events, recomputes leaf inputs, checks signatures and proves inclusion
// against the latest checkpoint in a full-size tree. Latency is measured by the client,
// end to end. Target: p50 <= 10 ms, p99 <= 50 ms (EU rule: < 300 ms for 95%), and
// >= 0.08x one core's native Ed25519 verify rate (same run) back to back. The API
// process's resident memory is sampled under the scans (target <= 256 MB on PostgreSQL).
import '../test/resolve-ts.cjs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, serverConfig, testQueuePrefix } from '../test/storage';
import { openSealer } from '../test/sealing/sealer';
import { startProduct } from '../test/product';
import { VERIFY } from '../test/fixtures/ledger-world';
import { fillLedger } from './filled-ledger';
import { productEnv } from './product-db';
import { type Bench, benchNodeArgs, percentile, rawSha256Rate } from './harness';
import { describeResidentSplit, sampleMemory } from './memory';
import { describeStalls, watchStalls } from './stalls';
import { nativeVerifyRates, signer } from './signer';

const ADMIN_TOKEN = 'bench-verification-admin-token-0123456789abcdef';
const SEALING_KEY = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

export const bench: Bench = {
  name: 'verification',
  async run(ctx) {
    const sha = rawSha256Rate(ctx.smoke ? 100 : 1000);
    ctx.report('raw SHA-256 (64 B, node:crypto), reference', sha, 'hash/s');
    // Issue 17's scan target is a ratio to one core's native Ed25519 verify rate.
    const reference = signer('0000000000000');
    const sample = reference.sign({ eventId: randomUUID(), type: 'X' });
    const verifyRate = nativeVerifyRates(reference, sample, ctx.smoke ? 100 : 1000).fast;
    ctx.report('raw Ed25519 verifyFast, 1 core (reference)', verifyRate, 'sig/s');
    const ledgerSize = ctx.size ?? (ctx.smoke ? 4_000 : 1_000_000);
    const cases = ctx.smoke ? 10 : 200;
    const scans = ctx.smoke ? 200 : 6_000;
    const singles = ctx.smoke ? 30 : 100;
    const concurrency = ctx.smoke ? 50 : 200;

    const db = await createTestDatabase('bench_verify');
    const prefix = testQueuePrefix('bench_verify');
    const env = {
      ...productEnv(db, prefix, { adminToken: ADMIN_TOKEN, sealingKey: SEALING_KEY }),
      SEAL_MAX_EVENTS: '5000',
    };
    const config = serverConfig(db, prefix, env);
    const sealer = await openSealer(config);
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const product = await startProduct({ ...env, CUSTOS_ROLE: 'api' }, 60_000, benchNodeArgs());
    try {
      const ledger = await fillLedger(pg, sealer, product.url, ADMIN_TOKEN, ledgerSize, cases);
      const { units, size } = ledger;
      ctx.report(
        'ledger built (sealed entries)',
        size,
        'entries',
        `in ${ledger.seconds.toFixed(0)} s`,
      );

      const token = ledger.pharmacy.token!;
      const scan = async (
        code: string,
      ): Promise<{ ms: number; verdict: string; proofs: number }> => {
        const start = performance.now();
        const res = await fetch(`${product.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: VERIFY, variables: { code } }),
        });
        const body = (await res.json()) as {
          data?: { verifyPackage: { verdict: string; proof: { entries: unknown[] } | null } };
        };
        const ms = performance.now() - start;
        return {
          ms,
          verdict: body.data?.verifyPackage.verdict ?? 'ERROR',
          proofs: body.data?.verifyPackage.proof?.entries.length ?? 0,
        };
      };
      for (let i = 0; i < Math.min(singles, units.length); i++) await scan(units[i]!); // warm-up

      const single: number[] = [];
      for (let i = 0; i < singles; i++)
        single.push((await scan(units[(i * 31) % units.length]!)).ms);
      single.sort((a, b) => a - b);
      ctx.report('verifyPackage p50, one scan at a time', percentile(single, 50), 'ms');

      // 200 pharmacists at the counter, each scanning once every 4 s (50 scans/s arrive,
      // whatever the answers' speed): the latency a person sees under that load.
      const open: number[] = [];
      const slow: number[] = []; // when (s into the phase) each scan over 100 ms began
      let openWrong = 0;
      const interval = 4_000;
      const rounds = ctx.smoke ? 1 : 5;
      const stalls = await watchStalls(pg, product.url);
      const openStart = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async (_, c) => {
          await new Promise((r) => setTimeout(r, (c * interval) / concurrency));
          for (let round = 0; round < rounds; round++) {
            const began = performance.now();
            const due = began + interval;
            const answer = await scan(units[(c * 131 + round * 17) % units.length]!);
            open.push(answer.ms);
            if (answer.ms > 100) slow.push((began - openStart) / 1000);
            if (answer.verdict !== 'AUTHENTIC' || answer.proofs !== 6) openWrong += 1;
            await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
          }
        }),
      );
      open.sort((a, b) => a - b);
      const openNote = `${concurrency} clients each scanning every ${interval / 1000} s (${((concurrency * 1000) / interval).toFixed(0)} scans/s offered), ${open.length} scans`;
      ctx.report(
        'verifyPackage p50, clients at a counter pace',
        percentile(open, 50),
        'ms',
        openNote,
      );
      ctx.report('verifyPackage p99, clients at a counter pace', percentile(open, 99), 'ms');
      // A slow tail bunched in time is a stall (the pauses beside it say whose); spread
      // over the phase, it is the cost of some scans.
      slow.sort((a, b) => a - b);
      ctx.report(
        'counter pace: scans over 100 ms',
        slow.length,
        'scans',
        `${slow.length ? `begun ${slow[0]!.toFixed(1)}–${slow[slow.length - 1]!.toFixed(1)} s into the ${((performance.now() - openStart) / 1000).toFixed(0)} s phase; ` : ''}${describeStalls(await stalls.stop())}`,
      );

      const memory = sampleMemory(product.process.pid!);
      const saturated = await watchStalls(pg, product.url);
      const latencies: number[] = [];
      let wrong = openWrong;
      let next = 0;
      const loadStart = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < scans) {
            const i = next++;
            const answer = await scan(units[(i * 7919) % units.length]!);
            latencies.push(answer.ms);
            if (answer.verdict !== 'AUTHENTIC' || answer.proofs !== 6) wrong += 1;
          }
        }),
      );
      const seconds = (performance.now() - loadStart) / 1000;
      const rss = memory.stop();
      // Before the split: its /metrics scrape resets the API's event-loop lag maximum.
      const stalled = describeStalls(await saturated.stop());
      const split = await describeResidentSplit(product.process.pid!, product.url);
      latencies.sort((a, b) => a - b);
      const note = `${concurrency} concurrent, ${scans} scans, ledger ${size.toLocaleString('en')} entries; raw SHA-256 ${Math.round(sha).toLocaleString('en')}/s this run`;
      ctx.report(
        'verifyPackage p50, clients scanning back to back',
        percentile(latencies, 50),
        'ms',
        note,
      );
      ctx.report('verifyPackage p95, back to back', percentile(latencies, 95), 'ms');
      ctx.report('verifyPackage p99, back to back', percentile(latencies, 99), 'ms');
      ctx.report('verifyPackage saturation throughput', scans / seconds, 'scan/s', stalled);
      ctx.report(
        'scans / native Ed25519 verify (target >= 0.08)',
        scans / seconds / verifyRate,
        'x',
        `Ed25519 ${Math.round(verifyRate).toLocaleString('en')}/s this run`,
      );
      ctx.report(
        'API process peak RSS (VmHWM) under the scans (target <= 256)',
        rss.peakMb,
        'MB',
        `CUSTOS_ROLE=api on PostgreSQL; VmRSS max ${rss.maxRssMb.toFixed(0)} MB, median ${rss.medianRssMb.toFixed(0)} MB over ${rss.samples} samples; at the end, ${split}`,
      );
      ctx.report('answers not AUTHENTIC with 6 proofs (must be 0)', wrong, 'scans');
    } finally {
      await product.stop();
      await pg.end();
      await sealer.close();
      await db.drop();
    }
  },
};
