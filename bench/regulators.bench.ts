// Regulators: lotTrace page latency on a lot of 100,000 units (smoke: 5,000) seeded into
// unit_state with SQL, a tenth packed in cases held by another party; an EPCIS 2.0 query
// page of 100 events (GET /events's service, as a regulator and as the trading partner the
// read rule filters for) over the signed ledger below, beside that lotTrace page, since
// issue 16 gives it the same latency budget; and the full-ledger
// audit rate over a sealed ledger of really signed events (full: 50,000; smoke: 2,000),
// each next to the same-run raw SHA-256 rate; the audit also next to the same-run
// single-core Ed25519 verification rate, the cost that bounds it (every event's signature
// is re-checked, on both cores). Needs the test PostgreSQL and Redis.
import '../test/resolve-ts.cjs';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { CoreModule } from '../libs/core/src/core.module';
import type { Principal } from '../libs/core/src/auth/principal';
import { parseEventQuery } from '../libs/epcis/src/event-query';
import { EpcisQueryService } from '../libs/epcis-repository/src/epcis-query.service';
import { EpcisRepositoryModule } from '../libs/epcis-repository/src/epcis-repository.module';
import { AuditService } from '../libs/regulators/src/audit.service';
import { LotTraceService } from '../libs/regulators/src/lot-trace.service';
import { RegulatorsModule } from '../libs/regulators/src/regulators.module';
import { SealingService } from '../libs/sealing/src/sealing.service';
import { gln, gtin, unit } from '../test/events/fixture';
import { seedSignedLedger } from '../test/regulators/signed-ledger';
import { createTestDatabase, serverConfig, testQueuePrefix } from '../test/storage';
import { verifyFast } from '../libs/ledger/src/ed25519-native';
import { type Bench, opsPerSecond, percentile, rawSha256Rate } from './harness';

export const bench: Bench = {
  name: 'regulators',
  async run(ctx) {
    const sha = rawSha256Rate(ctx.smoke ? 100 : 1000);
    const ref = `same-run raw SHA-256 ${Math.round(sha).toLocaleString('en')}/s`;
    ctx.report('raw SHA-256 (64 B, node:crypto), reference', sha, 'hash/s');
    const db = await createTestDatabase('bench_regulators');
    const config = serverConfig(db, testQueuePrefix('bench_regulators'), {
      SEAL_MAX_EVENTS: '1000',
    });
    const module = await Test.createTestingModule({
      imports: [CoreModule.forRoot(config), RegulatorsModule, EpcisRepositoryModule],
    }).compile();
    await module.init();
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    try {
      // lotTrace on one big lot.
      const units = ctx.smoke ? 5_000 : 100_000;
      const g = gtin(777);
      await sql.query(
        `INSERT INTO unit_state (identifier, kind, gtin, lot, expiry, status, custodian, commission_seq, updated_seq)
         SELECT 'https://id.gs1.org/00/case' || (i / 100), 'LOGISTIC_UNIT'::unit_kind, NULL::text, NULL::text, NULL::text, 'ACTIVE'::package_status, $3, 0, 0
         FROM generate_series(0, $1::int / 10 - 1, 100) AS i
         UNION ALL
         SELECT $4 || lpad(i::text, 7, '0'), 'UNIT'::unit_kind, $2, 'BIG', '2030-12-31',
                (CASE WHEN i % 7 = 0 THEN 'IN_TRANSIT' ELSE 'ACTIVE' END)::package_status, $5, 0, 0
         FROM generate_series(0, $1::int - 1) AS i`,
        [units, g, gln(9), unit('', g), gln(8)],
      );
      await sql.query(
        `UPDATE unit_state SET parent = 'https://id.gs1.org/00/case' || (substr(identifier, length($1) + 1)::int / 100)
         WHERE gtin = $2 AND substr(identifier, length($1) + 1)::int < $3::int / 10`,
        [unit('', g), g, units],
      );
      await sql.query('ANALYZE unit_state');
      const lotTrace = module.get(LotTraceService);
      const latencies: number[] = [];
      let after: string | null = null;
      for (let i = 0; i < (ctx.smoke ? 5 : 40); i++) {
        const t = performance.now();
        const page = await lotTrace.trace(g, 'BIG', 100, after);
        latencies.push(performance.now() - t);
        if (page.totalUnits !== units) throw new Error(`lotTrace counted ${page.totalUnits}`);
        after = page.units.endCursor;
      }
      latencies.sort((a, b) => a - b);
      const lotTraceP50 = percentile(latencies, 50);
      const label = `${units.toLocaleString('en')}-unit lot, page of 100`;
      ctx.report(`lotTrace p50 (${label})`, lotTraceP50, 'ms', ref);
      ctx.report(`lotTrace p99 (${label})`, percentile(latencies, 99), 'ms', ref);

      // The audit over a sealed ledger of really signed events.
      const events = ctx.smoke ? 2_000 : 50_000;
      const { maker, publicKey } = await seedSignedLedger(sql, module.get(SealingService), {
        events,
        serialPrefix: 'B',
        gtin: g,
      });
      // EPCIS query pages over that ledger, next to the lotTrace page above.
      const epcis = module.get(EpcisQueryService);
      const readers: [string, Principal][] = [
        ['a regulator', { kind: 'participant', id: gln(5), roles: ['REGULATOR'] }],
        [
          'the shipper (read rule applied)',
          { kind: 'participant', id: maker, roles: ['MANUFACTURER'] },
        ],
      ];
      for (const [who, principal] of readers) {
        const pages: number[] = [];
        let token: string | undefined;
        for (let i = -3; i < (ctx.smoke ? 5 : 40); i++) {
          const raw = { eventType: 'ObjectEvent', EQ_bizStep: 'shipping', perPage: '100' };
          const query = parseEventQuery(token ? { ...raw, nextPageToken: token } : raw);
          const t = performance.now();
          const page = await epcis.page(principal, query, JSON.stringify(raw), 'digital-link');
          if (i >= 0) pages.push(performance.now() - t); // the first three pages warm up
          if (page.events.length !== 100) throw new Error(`EPCIS page of ${page.events.length}`);
          token = page.nextPageToken;
        }
        pages.sort((a, b) => a - b);
        const p50 = percentile(pages, 50);
        const note = `${ref}; lotTrace p50 ${lotTraceP50.toFixed(1)} ms, ratio ${(p50 / lotTraceP50).toFixed(2)}×`;
        ctx.report(`EPCIS GET /events p50 (page of 100, ${who})`, p50, 'ms', note);
        ctx.report(`EPCIS GET /events p99 (page of 100, ${who})`, percentile(pages, 99), 'ms', ref);
      }

      const sample = await sql.query<{ event_json: string; signature: string }>(
        `SELECT event_json, signature FROM ledger_event LIMIT 1`,
      );
      const message = Buffer.from(`custos-event:v1:${sample.rows[0]!.event_json}`);
      const signature = Buffer.from(sample.rows[0]!.signature, 'base64url');
      const verifyRate = opsPerSecond(() => verifyFast(signature, message, publicKey), 500);
      ctx.report('raw Ed25519 verifyFast, 1 core, reference', verifyRate, 'sig/s');
      const refs = `${ref}; Ed25519 ${Math.round(verifyRate).toLocaleString('en')}/s on 1 core`;
      const audit = module.get(AuditService);
      const started = await audit.start(undefined);
      const t = performance.now();
      await audit.run(started.run.id.toString());
      const wall = (performance.now() - t) / 1000;
      const result = (await audit.progress(started.run.id.toString()))!;
      if (result.run.status !== 'COMPLETED' || result.run.discrepancyCount !== 0) {
        throw new Error(
          `audit ended ${result.run.status} with ${result.run.discrepancyCount} discrepancies`,
        );
      }
      ctx.report(
        `audit (${events.toLocaleString('en')} events, blocks of 1,000), wall`,
        events / wall,
        'event/s',
        refs,
      );
      ctx.report(
        'audit, as the run reports it (eventsPerSecond)',
        result.eventsPerSecond,
        'event/s',
        refs,
      );
    } finally {
      await sql.end();
      await module.close();
      await db.drop();
    }
  },
};
