// verifyPackage under load (issue 8): 200 concurrent scans over HTTP against the built
// product in its own process (CUSTOS_ROLE=api), on a ledger of at least 1,000,000 sealed
// entries (smoke: 10,000). The scanned units have 6-event trails inherited through a case
// (COMMISSION, PACK, then the case shipped and received twice) and were submitted through
// the real GraphQL ingest; the other entries are filler sealed by the real sealer, so
// every scan reads events, recomputes leaf inputs, checks signatures and proves inclusion
// against the latest checkpoint in a full-size tree. Latency is measured by the client,
// end to end. Target: p50 <= 10 ms, p99 <= 50 ms (EU rule: < 300 ms for 95%).
import '../test/resolve-ts.cjs';
import { createHash, createPrivateKey, randomUUID, sign as nodeSign } from 'node:crypto';
import { Client } from 'pg';
import { MAX_BLOCKS_PER_SEAL } from '../libs/sealing/src/sealing.service';
import { canonicalJson } from '../libs/ledger/src/jcs';
import { bytesToBase64Url } from '../libs/ledger/src/bytes';
import { publicKeyOf } from '../libs/ledger/src/ed25519';
import { eventSigningBytes, leafInput } from '../libs/ledger/src/events';
import {
  createTestDatabase,
  serverConfig,
  testQueuePrefix,
  testRedisUrl,
  testSecrets,
} from '../test/storage';
import { insertPending, type PendingRow } from '../test/sealing/fixture';
import { openSealer, type TestSealer } from '../test/sealing/sealer';
import { startProduct } from '../test/product';
import {
  COMPANY_PREFIX,
  gln,
  LedgerWorld,
  sscc,
  ssccUri,
  unitUri,
  VERIFY,
} from '../test/fixtures/ledger-world';
import { type Bench, percentile, profilerArgs, rawSha256Rate } from './harness';

const ADMIN_TOKEN = 'bench-verification-admin-token-0123456789abcdef';
const SEALING_KEY = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
// Filler is never scanned, but the sealer checks every signature: really signed, by one
// registered key, through node:crypto (the same RFC 8032 bytes as libs/ledger, faster).
const FILLER_SEED = createHash('sha256').update('bench-verification-filler').digest();
const FILLER_KEY = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), FILLER_SEED]),
  format: 'der',
  type: 'pkcs8',
});
const FILLER_PUBLIC = bytesToBase64Url(publicKeyOf(FILLER_SEED));

/** Other parties' entries: real events, signatures and content hashes, never scanned. */
function filler(count: number, tag: string): PendingRow[] {
  const actor = '9506000000997';
  return Array.from({ length: count }, (_, i) => {
    const event = {
      eventId: randomUUID(),
      type: 'SHIP',
      actor,
      eventTime: '2026-11-01T10:00:00Z',
      items: [`https://id.gs1.org/01/09506000134352/21/${tag}${i}`],
      to: '9506000000980',
    };
    const signature = nodeSign(null, eventSigningBytes(event), FILLER_KEY).toString('base64url');
    const input = leafInput({ event, keyId: 'k1', signature });
    return {
      eventId: event.eventId,
      type: 'SHIP',
      actor,
      keyId: 'k1',
      signature,
      eventJson: canonicalJson(event),
      contentHash: createHash('sha256').update(input).digest(),
      eventTime: event.eventTime,
      publicKey: FILLER_PUBLIC,
    };
  });
}

async function fill(pg: Client, sealer: TestSealer, count: number, tag: string): Promise<void> {
  const chunk = 20_000;
  for (let i = 0; i < count; i += chunk) {
    await insertPending(pg, filler(Math.min(chunk, count - i), `${tag}${i}-`));
    await sealAll(sealer);
  }
}

async function sealAll(sealer: TestSealer): Promise<void> {
  while ((await sealer.sealing.sealBlocks(MAX_BLOCKS_PER_SEAL)).blocks.length > 0);
}

export const bench: Bench = {
  name: 'verification',
  async run(ctx) {
    const sha = rawSha256Rate(ctx.smoke ? 100 : 1000);
    ctx.report('raw SHA-256 (64 B, node:crypto), reference', sha, 'hash/s');
    const ledgerSize = ctx.size ?? (ctx.smoke ? 10_000 : 1_000_000);
    const cases = ctx.smoke ? 10 : 200;
    const unitsPerCase = 10;
    const scans = ctx.smoke ? 400 : 6_000;
    const concurrency = ctx.smoke ? 50 : 200;

    const db = await createTestDatabase('bench_verify');
    const prefix = testQueuePrefix('bench_verify');
    const env = {
      ...testSecrets(db),
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl,
      CUSTOS_QUEUE_PREFIX: prefix,
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
      CUSTOS_SEALING_KEY: SEALING_KEY,
      SEAL_MAX_EVENTS: '5000',
    };
    const config = serverConfig(db, prefix, env);
    const sealer = await openSealer(config);
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const product = await startProduct({ ...env, CUSTOS_ROLE: 'api' }, 60_000, profilerArgs());
    try {
      const seedStart = performance.now();
      const trailEvents = cases * (unitsPerCase + 5);
      await fill(pg, sealer, Math.floor((ledgerSize - trailEvents) / 2), 'A');

      // The scanned units, through the real ingest: maker -> wholesaler -> pharmacy, in cases.
      const world = new LedgerWorld(product.url, ADMIN_TOKEN);
      const maker = await world.register(
        gln('950600000000'),
        'Maker',
        ['MANUFACTURER'],
        [COMPANY_PREFIX],
      );
      const wholesaler = await world.register(gln('950600000001'), 'Wholesaler', ['DISTRIBUTOR']);
      const pharmacy = await world.register(gln('950600000002'), 'Pharmacy', ['DISPENSER']);
      const units: string[] = [];
      for (let c = 0; c < cases; c++) {
        const box = ssccUri(sscc(`0${COMPANY_PREFIX}${String(c + 1).padStart(9, '0')}`));
        const items = Array.from({ length: unitsPerCase }, (_, u) => unitUri(`S${c}-${u}`));
        units.push(...items);
        await world.submit(maker, [
          ...items.map((unit) =>
            world.signed(maker, 'COMMISSION', { items: [unit], lot: 'L1', expiry: '2030-12-31' }),
          ),
          world.signed(maker, 'PACK', { items, parent: box }),
          world.signed(maker, 'SHIP', { items: [box], to: wholesaler.id }),
        ]);
        await world.act(wholesaler, 'RECEIVE', { items: [box], from: maker.id });
        await world.act(wholesaler, 'SHIP', { items: [box], to: pharmacy.id });
        await world.act(pharmacy, 'RECEIVE', { items: [box], from: wholesaler.id });
      }
      await sealAll(sealer);
      const { rows } = await pg.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM ledger_event',
      );
      await fill(pg, sealer, ledgerSize - Number(rows[0]!.n), 'B');
      await pg.query('VACUUM ANALYZE');
      const size = Number(
        (await pg.query<{ n: string }>('SELECT max(tree_size)::text AS n FROM block')).rows[0]!.n,
      );
      ctx.report(
        'ledger built (sealed entries)',
        size,
        'entries',
        `in ${((performance.now() - seedStart) / 1000).toFixed(0)} s`,
      );

      const token = pharmacy.token ?? (await world.signIn(pharmacy), pharmacy.token!);
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
      for (let i = 0; i < Math.min(100, units.length); i++) await scan(units[i]!); // warm-up

      const single: number[] = [];
      for (let i = 0; i < 100; i++) single.push((await scan(units[(i * 31) % units.length]!)).ms);
      single.sort((a, b) => a - b);
      ctx.report('verifyPackage p50, one scan at a time', percentile(single, 50), 'ms');

      // 200 pharmacists at the counter, each scanning once every 4 s (50 scans/s arrive,
      // whatever the answers' speed): the latency a person sees under that load.
      const open: number[] = [];
      let openWrong = 0;
      const interval = 4_000;
      const rounds = ctx.smoke ? 2 : 5;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, c) => {
          await new Promise((r) => setTimeout(r, (c * interval) / concurrency));
          for (let round = 0; round < rounds; round++) {
            const due = performance.now() + interval;
            const answer = await scan(units[(c * 131 + round * 17) % units.length]!);
            open.push(answer.ms);
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
      ctx.report('verifyPackage saturation throughput', scans / seconds, 'scan/s');
      ctx.report('answers not AUTHENTIC with 6 proofs (must be 0)', wrong, 'scans');
    } finally {
      await product.stop();
      await pg.end();
      await sealer.close();
      await db.drop();
    }
  },
};
