// The full-ledger audit as a regulator runs it, on the real PostgreSQL and Redis: the API
// in this process (CUSTOS_ROLE=api) and the audit in a worker process of the built product
// (CUSTOS_ROLE=worker). startAudit, auditRun and the auditProgress subscription go through
// GraphQL with real clients. The worker is SIGKILLed in the middle of the run; a new worker
// resumes from the last committed chunk, and the result equals that of an uninterrupted
// audit of the same ledger. The ledger: 15,000 really signed events in blocks of 1,000
// (three chunks of 5,000 leaves), three rows of it changed behind the application's back.
// Needs `npm run build` first (npm test builds).
import { Test } from '@nestjs/testing';
import { gql, type GraphQLClient } from 'graphql-request';
import { Client } from 'pg';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { CoreModule } from '../../libs/core/src/core.module';
import { CHUNK_LEAVES } from '../../libs/regulators/src/audit.service';
import { SealingModule } from '../../libs/sealing/src/sealing.module';
import { SealingService } from '../../libs/sealing/src/sealing.service';
import { gln } from '../events/fixture';
import { client, failure, newKey, participantInput, register, signInWith } from '../participants';
import { startProduct, type Product } from '../product';
import {
  createTestDatabase,
  serverConfig,
  testQueuePrefix,
  testRedisUrl,
  testSecrets,
  type TestDatabase,
} from '../storage';
import { seedSignedLedger } from './signed-ledger';
import { collect, wsClient } from './ws-client';

const ADMIN_TOKEN = 'audit-resume-e2e-admin-token-0123456789abcdef';
const SEALING_KEY = 'a1'.repeat(32);
const EVENTS = 15_000; // three audit chunks: one committed before the kill, more after

const RUN_FIELDS = `id status requestedBy treeSize doneEvents percentDone eventsPerSecond resumes
  discrepancyCount startedAt finishedAt error`;
interface RunView {
  id: string;
  status: string;
  requestedBy: string;
  treeSize: number;
  doneEvents: number;
  percentDone: number;
  eventsPerSecond: number;
  resumes: number;
  discrepancyCount: number;
  finishedAt: string | null;
}
interface Discrepancy {
  kind: string;
  blockHeight: number | null;
  leafIndex: number | null;
  message: string;
}

/** 15,000 signed SHIP events sealed by the real sealer, then three rows changed. */
async function seedLedger(db: TestDatabase, prefix: string): Promise<void> {
  const module = await Test.createTestingModule({
    imports: [
      CoreModule.forRoot(
        serverConfig(db, prefix, { SEAL_MAX_EVENTS: '1000', CUSTOS_SEALING_KEY: SEALING_KEY }),
      ),
      SealingModule,
    ],
  }).compile();
  await module.init();
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  try {
    await seedSignedLedger(sql, module.get(SealingService), { events: EVENTS, serialPrefix: 'R' });
    // Changed behind the application's back, in each chunk: an event's recipient (leaf 100,
    // block 0), a stored leaf hash (leaf 7,000, block 7), a block's sealedAt (block 14).
    await sql.query(
      `UPDATE ledger_event SET event_json = replace(event_json, $1, $2) WHERE leaf_index = 100`,
      [gln(2), gln(3)],
    );
    await sql.query(
      `UPDATE tree_node SET hash = decode(repeat('cd', 32), 'hex') WHERE level = 0 AND index = 7000`,
    );
    await sql.query(`UPDATE block SET sealed_at = '2020-01-01T00:00:00.000Z' WHERE height = 14`);
  } finally {
    await sql.end();
    await module.close();
  }
}

describe('the audit through GraphQL: progress, subscription, kill and resume', () => {
  let db: TestDatabase;
  let prefix: string;
  let api: RunningApp;
  let regulator: GraphQLClient;
  let regulatorToken: string;
  let distributor: GraphQLClient;
  let distributorToken: string;
  const workers: Product[] = [];

  const workerEnv = () => ({
    ...testSecrets(db),
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl,
    CUSTOS_QUEUE_PREFIX: prefix,
    CUSTOS_ROLE: 'worker',
    CUSTOS_SEALING_KEY: SEALING_KEY,
  });

  beforeAll(async () => {
    db = await createTestDatabase('audit_resume');
    prefix = testQueuePrefix('audit_resume');
    await seedLedger(db, prefix);
    api = await startApp(
      serverConfig(db, prefix, {
        CUSTOS_ROLE: 'api',
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        CUSTOS_SEALING_KEY: SEALING_KEY,
      }),
      { logger: false },
    );
    const admin = client(api.url, ADMIN_TOKEN);
    const regulatorKey = newKey('k1');
    const distributorKey = newKey('k1');
    await register(admin, participantInput(gln(501), ['REGULATOR'], [regulatorKey]));
    await register(admin, participantInput(gln(502), ['DISTRIBUTOR'], [distributorKey]));
    regulatorToken = (await signInWith(api.url, gln(501), regulatorKey)).token;
    distributorToken = (await signInWith(api.url, gln(502), distributorKey)).token;
    regulator = client(api.url, regulatorToken);
    distributor = client(api.url, distributorToken);
  }, 180_000);
  afterAll(async () => {
    for (const worker of workers) if (worker.process.exitCode === null) await worker.stop();
    await api?.stop();
    await db?.drop();
  });

  const startAudit = async (as: GraphQLClient) =>
    (
      await as.request<{ startAudit: RunView }>(gql`
        mutation {
          startAudit { ${RUN_FIELDS} }
        }
      `)
    ).startAudit;

  const auditRun = async (id: string) =>
    (
      await regulator.request<{ auditRun: (RunView & { discrepancies: Discrepancy[] }) | null }>(
        gql`
          query ($id: ID!) {
            auditRun(id: $id) {
              ${RUN_FIELDS}
              discrepancies(first: 500) { kind blockHeight leafIndex message }
            }
          }
        `,
        { id },
      )
    ).auditRun!;

  async function completed(id: string, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await auditRun(id);
      if (run.status === 'COMPLETED' || run.status === 'FAILED') return run;
      if (Date.now() > deadline) throw new Error(`audit ${id} still ${run.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('is for regulators only', async () => {
    expect((await failure(startAudit(distributor))).code).toBe('FORBIDDEN');
    expect((await failure(startAudit(client(api.url)))).code).toBe('UNAUTHENTICATED');
    expect(
      (
        await failure(
          distributor.request(gql`
            {
              auditRun(id: "1") {
                id
              }
            }
          `),
        )
      ).code,
    ).toBe('FORBIDDEN');
    const progress = collect(
      wsClient(api.url, distributorToken),
      `subscription { auditProgress(id: "1") { id } }`,
    );
    await expect(progress.ended).rejects.toThrow(/"code":"FORBIDDEN"/);
  });

  it('resumes where a SIGKILLed worker stopped; progress never goes back; same result as an uninterrupted audit', async () => {
    workers.push(await startProduct(workerEnv()));
    const started = await startAudit(regulator);
    expect(started).toMatchObject({
      status: 'QUEUED',
      requestedBy: gln(501),
      treeSize: EVENTS,
      doneEvents: 0,
      percentDone: 0,
      resumes: 0,
    });
    const progress = collect<{ auditProgress: RunView }>(
      wsClient(api.url, regulatorToken),
      `subscription ($id: ID!) { auditProgress(id: $id) { ${RUN_FIELDS} } }`,
      { id: started.id },
    );

    // Kill the worker once the audit is under way but not done.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = await auditRun(started.id);
      expect(run.status).not.toBe('COMPLETED'); // too fast to interrupt: make the ledger larger
      if (run.percentDone > 0 && run.percentDone < 100) break;
      if (Date.now() > deadline) throw new Error(`the audit did not start: ${run.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await workers[0]!.stop('SIGKILL')).toBeNull();
    const atKill = await auditRun(started.id);
    expect(atKill.status).toBe('RUNNING');
    expect(atKill.doneEvents).toBeGreaterThan(0);
    expect(atKill.doneEvents).toBeLessThan(EVENTS);
    expect(atKill.doneEvents % CHUNK_LEAVES).toBe(0); // a chunk boundary: what was committed

    // A new worker re-queues the unfinished run and resumes at the committed cursor.
    workers.push(await startProduct(workerEnv()));
    await progress.ended; // the subscription ends when the run finishes
    const done = await completed(started.id);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      doneEvents: EVENTS,
      percentDone: 100,
      resumes: 1,
    });
    expect(workers[1]!.output()).toContain(`resuming at leaf ${atKill.doneEvents}`);
    expect(workers[1]!.output()).not.toMatch(/resuming at leaf 0\b/);

    // Pushed progress: from the start to 100%, through the kill, never backwards.
    const pushed = progress.items.map((p) => p.auditProgress);
    const leaves = pushed.map((p) => p.doneEvents);
    expect(leaves).toEqual([...leaves].sort((a, b) => a - b));
    expect(pushed.at(-1)).toMatchObject({ status: 'COMPLETED', percentDone: 100 });
    expect(leaves.some((n) => n > 0 && n < EVENTS)).toBe(true);
    expect(pushed.at(-1)!.eventsPerSecond).toBeGreaterThan(0);

    // The same ledger audited again, start to end, by the surviving worker.
    const clean = await completed((await startAudit(regulator)).id);
    expect(clean).toMatchObject({ status: 'COMPLETED', resumes: 0 });
    expect(done.discrepancies).toEqual(clean.discrepancies);
    expect(done.discrepancyCount).toBe(done.discrepancies.length);
    // Every change found once, where it is; none reported twice by the resumed run.
    const brief = done.discrepancies.map((d) => `${d.kind} ${d.blockHeight} ${d.leafIndex}`);
    expect(new Set(done.discrepancies.map((d) => JSON.stringify(d))).size).toBe(brief.length);
    expect(brief).toEqual(
      expect.arrayContaining([
        'EVENT_CONTENT 0 100',
        'SIGNATURE 0 100',
        'ROOT 0 null',
        'CHECKPOINT 0 null',
        'TREE_NODE 7 7000',
        'BLOCK_HASH 14 null',
      ]),
    );
  }, 240_000); // two workers, a kill and two full audits: the waits inside allow 120 s each
});
