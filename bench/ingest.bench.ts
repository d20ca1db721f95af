// Event ingest end to end through IngestService (validation, key look-up, Ed25519 over
// both cores, custody projection with row locks, bulk inserts, seal trigger) against an
// own PostgreSQL database and the local Redis: 100,000 events in batches of 1,000, a
// third each COMMISSION, SHIP and RECEIVE of one unit. Reported next to the same-run
// single-core raw Ed25519 verification rate (the ledger's rule, and OpenSSL alone), with
// the process's peak resident memory (worker threads included).
import '../test/resolve-ts.cjs';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CoreModule } from '@custos/core/core.module';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import { EventsModule } from '@custos/events/events.module';
import { ParticipantsModule } from '@custos/participants/participants.module';
import { ParticipantService } from '@custos/participants/participant.service';
import { IngestService } from '@custos/events/ingest.service';
import type { SignedEventSubmission } from '@custos/events/submission';
import { gs1CheckDigit } from '@custos/gs1/check-digit';
import { createTestDatabase, serverConfig, testQueuePrefix, testRedisUrl } from '../test/storage';
import type { Bench } from './harness';
import { nativeVerifyRates, type Signer, signer } from './signer';

const withCheck = (body: string) => `${body}${gs1CheckDigit(body)}`;
const GTIN = withCheck('0950600013435');
const MAKER = withCheck('950600000001');
const DISTRIBUTOR = withCheck('950600000002');

/** Batches of COMMISSION, then SHIP, then RECEIVE of the same `batchSize` units. */
function workload(total: number, batchSize: number, maker: Signer, dist: Signer) {
  const batches: SignedEventSubmission[][] = [];
  let time = Date.now() - 3_600_000;
  const at = () => new Date((time += 1)).toISOString();
  let unitNo = 0;
  while (batches.length * batchSize < total) {
    const units = Array.from(
      { length: batchSize },
      () => `https://id.gs1.org/01/${GTIN}/21/B${(unitNo++).toString(36)}`,
    );
    const base = () => ({ eventId: randomUUID(), eventTime: at() });
    batches.push(
      units.map((u) =>
        maker.sign({
          ...base(),
          type: 'COMMISSION',
          actor: maker.id,
          items: [u],
          lot: 'L1',
          expiry: '2028-06-30',
        }),
      ),
      units.map((u) =>
        maker.sign({ ...base(), type: 'SHIP', actor: maker.id, items: [u], to: dist.id }),
      ),
      units.map((u) =>
        dist.sign({ ...base(), type: 'RECEIVE', actor: dist.id, items: [u], from: maker.id }),
      ),
    );
  }
  return batches.slice(0, Math.ceil(total / batchSize));
}

@Module({})
class BenchModule {}

export const bench: Bench = {
  name: 'ingest',
  async run(ctx) {
    const total = ctx.smoke ? 3_000 : 103_000; // 3,000 of them warm-up
    const batchSize = ctx.smoke ? 200 : 1_000;
    const maker = signer(MAKER);
    const dist = signer(DISTRIBUTOR);

    // Same-run references on one core: the ledger's rule and OpenSSL alone.
    const sample = maker.sign({
      eventId: randomUUID(),
      type: 'SHIP',
      actor: MAKER,
      eventTime: new Date().toISOString(),
      items: [`https://id.gs1.org/01/${GTIN}/21/X1`],
      to: DISTRIBUTOR,
    });
    const rates = nativeVerifyRates(maker, sample, ctx.smoke ? 100 : 1000);
    const fastRate = rates.fast;
    const sslRate = rates.openSsl;
    ctx.report('raw Ed25519 verifyFast, 1 core (reference)', fastRate, 'sig/s');
    ctx.report('raw Ed25519 node:crypto only, 1 core (reference)', sslRate, 'sig/s');

    const batches = workload(total, batchSize, maker, dist);
    const db = await createTestDatabase('bench_ingest');
    const prefix = testQueuePrefix('bench_ingest');
    const config = serverConfig(db, prefix, { CUSTOS_ROLE: 'api' });
    const app = await NestFactory.createApplicationContext(
      {
        module: BenchModule,
        imports: [CoreModule.forRoot(config), ParticipantsModule, EventsModule],
      },
      { logger: ['error'] },
    );
    try {
      const storage = app.get<Storage>(STORAGE);
      // Registered as the admin registers them, so that the key directory holds their keys.
      const participants = app.get(ParticipantService);
      for (const s of [maker, dist]) {
        await participants.register(
          {
            id: s.id,
            name: s.id,
            roles: s === maker ? ['MANUFACTURER'] : ['DISTRIBUTOR'],
            companyPrefixes: s === maker ? ['9506000'] : [],
            license: { number: 'L', authority: 'A', validUntil: '2099-01-01' },
            keys: [{ keyId: s.keyId, publicKey: Buffer.from(s.publicKey).toString('base64url') }],
          },
          { kind: 'admin' },
        );
      }
      const ingest = app.get(IngestService);
      const submitAll = async (list: SignedEventSubmission[][]) => {
        for (const batch of list) {
          const result = await ingest.submit(batch);
          if (result.rejected.length > 0) {
            throw new Error(JSON.stringify(result.rejected.slice(0, 3)));
          }
        }
      };
      const rssBefore = process.memoryUsage().rss / 2 ** 20;
      // Warm-up (JIT, connection pool, worker threads) on the first COMMISSION/SHIP/RECEIVE
      // triple, not counted.
      await submitAll(batches.slice(0, 3));
      // One client sending its batches one after the other, as a manufacturer's system
      // does. (Two concurrent clients measured no faster on two cores: verification
      // already uses both.)
      const rest = batches.slice(3);
      const runs: { label: string; clients: SignedEventSubmission[][][] }[] = [
        { label: '1 client', clients: [rest] },
      ];
      for (const { label, clients } of runs) {
        const events = clients.flat().reduce((n, b) => n + b.length, 0);
        const started = process.hrtime.bigint();
        await Promise.all(clients.map(submitAll));
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const rate = events / seconds;
        ctx.report(
          `ingest ${events.toLocaleString('en')} events in batches of ${batchSize}, ${label}`,
          rate,
          'event/s',
          `${(rate / fastRate).toFixed(2)} x verifyFast, ${(rate / sslRate).toFixed(2)} x node:crypto on 1 core`,
        );
        ctx.report(
          '  same, milliseconds per batch',
          (seconds * 1000 * clients.length) / clients.flat().length,
          'ms',
        );
      }
      const stored = await storage.prisma.ledgerEvent.count();
      ctx.report('  events stored (PENDING, incl. warm-up)', stored, 'event');
      ctx.report(
        'peak resident memory (process, incl. workers)',
        process.resourceUsage().maxRSS / 1024,
        'MB',
        `${Math.round(rssBefore)} MB before ingest, the signed workload held in memory`,
      );
    } finally {
      await app.close();
      await db.drop();
      const redis = new Redis(testRedisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  },
};
