// Memory in embedded mode (issue 17: <= 300 MB steady): `npm start`'s product with neither
// DATABASE_URL nor REDIS_URL, so one process holds the API, the worker, PGlite and the
// queue, in a fresh CUSTOS_DATA_DIR. It ingests cases of units over GraphQL (full: 20,000
// events; smoke: 1,000), seals them, then answers scans from autocannon in its own process;
// its resident memory is read from /proc/<pid>/status: at rest after start, during the
// scans, its peak (VmHWM) over the whole run, and steady (VmRSS 5 s after the load ended; 1 s in smoke).
// Reference, same run: the scans against one core's native Ed25519 verify rate.
import '../test/resolve-ts.cjs';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMPANY_PREFIX,
  gln,
  LedgerWorld,
  sscc,
  ssccUri,
  unitUri,
  VERIFY,
} from '../test/fixtures/ledger-world';
import { startProduct } from '../test/product';
import { tempDir } from '../test/storage';
import type { SignedEventSubmission } from '@custos/events/submission';
import { type Bench, benchNodeArgs } from './harness';
import { loadTest } from './load';
import { describeResidentSplit, resident, sampleMemory } from './memory';
import { nativeVerifyRates, signer } from './signer';

const UNITS_PER_CASE = 10;

/** A bench signer's submission in the shape LedgerWorld.submit takes. */
const submitted = (s: SignedEventSubmission) => ({
  event: s.event as Record<string, unknown>,
  keyId: String(s.keyId),
  signature: String(s.signature),
});

export const bench: Bench = {
  name: 'embedded',
  async run(ctx) {
    const events = ctx.size ?? (ctx.smoke ? 1_000 : 20_000);
    const cases = Math.max(1, Math.floor(events / (UNITS_PER_CASE + 3)));
    const scanSeconds = ctx.smoke ? 2 : 15;
    const connections = ctx.smoke ? 4 : 32;
    const settleMs = ctx.smoke ? 1_000 : 5_000;

    const reference = signer('0000000000000');
    const sample = reference.sign({ eventId: randomUUID(), type: 'X' });
    const verifyRate = nativeVerifyRates(reference, sample, ctx.smoke ? 100 : 1000).fast;
    ctx.report('raw Ed25519 verifyFast, 1 core (reference)', verifyRate, 'sig/s');

    const data = tempDir('bench-embedded');
    const product = await startProduct(
      { CUSTOS_DATA_DIR: data.path, SEAL_MAX_WAIT_MS: '100' },
      60_000,
      benchNodeArgs(),
    );
    const pid = product.process.pid!;
    try {
      await new Promise((r) => setTimeout(r, 2_000));
      ctx.report('embedded: RSS at rest after start', resident(pid)!.rssMb, 'MB');

      const token = readFileSync(join(data.path, 'secrets', 'admin-token'), 'utf8').trim();
      const world = new LedgerWorld(product.url, token);
      const makerParty = await world.register(
        gln('950600000000'),
        'Maker',
        ['MANUFACTURER'],
        [COMPANY_PREFIX],
      );
      const pharmacyParty = await world.register(gln('950600000002'), 'Pharmacy', ['DISPENSER']);
      const maker = signer(makerParty.id, makerParty.secretKey, makerParty.keyId);
      const pharmacy = signer(pharmacyParty.id, pharmacyParty.secretKey, pharmacyParty.keyId);
      await world.signIn(makerParty);
      await world.signIn(pharmacyParty);

      // Cases of units: commissioned, packed, shipped to the pharmacy, received there.
      const ingestMemory = sampleMemory(pid);
      const ingestStart = performance.now();
      const units: string[] = [];
      const at = new Date(Date.now() - 3_600_000).toISOString();
      const casesPerBatch = 75; // about 1,000 events
      for (let c = 0; c < cases; c += casesPerBatch) {
        const made = [];
        const received = [];
        for (let k = c; k < Math.min(cases, c + casesPerBatch); k++) {
          const box = ssccUri(sscc(`0${COMPANY_PREFIX}${String(k + 1).padStart(9, '0')}`));
          const items = Array.from({ length: UNITS_PER_CASE }, (_, u) => unitUri(`E${k}-${u}`));
          units.push(...items);
          const base = () => ({ eventId: randomUUID(), actor: maker.id, eventTime: at });
          made.push(
            ...items.map((unit) =>
              maker.sign({
                ...base(),
                type: 'COMMISSION',
                items: [unit],
                lot: 'L1',
                expiry: '2030-12-31',
              }),
            ),
            maker.sign({ ...base(), type: 'PACK', items, parent: box }),
            maker.sign({ ...base(), type: 'SHIP', items: [box], to: pharmacy.id }),
          );
          received.push(
            pharmacy.sign({
              eventId: randomUUID(),
              actor: pharmacy.id,
              eventTime: at,
              type: 'RECEIVE',
              items: [box],
              from: maker.id,
            }),
          );
        }
        await world.submit(makerParty, made.map(submitted));
        await world.submit(pharmacyParty, received.map(submitted));
      }
      const ingested = cases * (UNITS_PER_CASE + 3);
      await world.sealedUpTo(makerParty.client!, ingested, 300_000);
      const ingestRss = ingestMemory.stop();
      ctx.report(
        'embedded: ingested and sealed',
        ingested / ((performance.now() - ingestStart) / 1000),
        'event/s',
        `${ingested.toLocaleString('en')} events in ~1,000-event batches, sealed; VmRSS max ${ingestRss.maxRssMb.toFixed(0)} MB meanwhile`,
      );

      const requests = units.map((code) => ({
        method: 'POST' as const,
        path: '/graphql',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${pharmacyParty.token!}`,
        },
        body: JSON.stringify({ query: VERIFY, variables: { code } }),
      }));
      const scanMemory = sampleMemory(pid);
      const scans = await loadTest(product.url, requests, connections, scanSeconds);
      const scanRss = scanMemory.stop();
      ctx.report(
        'embedded: scans',
        scans.requestsPerSecond,
        'scan/s',
        `${connections} connections, ${scanSeconds} s, p50 ${scans.p50Ms} ms, p99 ${scans.p99Ms} ms; ${(scans.requestsPerSecond / verifyRate).toFixed(4)} x Ed25519`,
      );
      ctx.report(
        'embedded: RSS during the scans (median)',
        scanRss.medianRssMb,
        'MB',
        `max ${scanRss.maxRssMb.toFixed(0)} MB`,
      );
      await new Promise((r) => setTimeout(r, settleMs));
      const after = resident(pid)!;
      ctx.report(
        'embedded: steady RSS after the load (target <= 300)',
        after.rssMb,
        'MB',
        `${settleMs / 1000} s after the scans ended; ${await describeResidentSplit(pid, product.url)}`,
      );
      ctx.report('embedded: peak RSS over the run (VmHWM)', after.peakMb, 'MB');
      // A memory figure, not a latency one: a few scans timing out (10 s) at 32 connections on
      // one process is itself a finding, reported; more than 1% means the load was not served.
      ctx.report(
        'embedded: failed scans (timeouts, errors)',
        scans.failures,
        'requests',
        `of ${scans.total}`,
      );
      if (scans.failures > scans.total / 100)
        throw new Error(`${scans.failures} of ${scans.total} scans failed in embedded mode`);
    } finally {
      await product.stop();
      data.remove();
    }
  },
};
