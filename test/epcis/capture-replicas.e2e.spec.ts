// EPCIS capture jobs behind several API replicas (SPEC section 10, docs/epcis.md "Capture"):
// a job started on one replica is read from another, and a job whose process is killed
// mid-capture is reported finished and failed, not running forever. Two real processes on
// one database: the in-process app and the built product, SIGKILLed.
import { Client } from 'pg';
import { epcisDocument } from '../../libs/epcis/src/document';
import { toEpcisEvent } from '../../libs/epcis/src/to-epcis';
import { CAPTURE_STALE_MS } from '../../libs/epcis-repository/src/capture-job.repository';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { type Product, startProduct } from '../product';
import {
  createTestDatabase,
  serverConfig,
  servicesEnv,
  testQueuePrefix,
  type TestDatabase,
} from '../storage';
import { COMPANY_PREFIX, gln, LedgerWorld, type Party, unitUri } from '../fixtures/ledger-world';

const LABEL = 'capture_replicas';

interface Job {
  captureID: string;
  running: boolean;
  success: boolean;
  errors: { type: string; title: string; detail: string }[];
  finishedAt?: string;
}

let db: TestDatabase;
let app: RunningApp;
let replica: Product | undefined;
let world: LedgerWorld;
let maker: Party;
let serials = 0;
let adminToken: string;

beforeAll(async () => {
  db = await createTestDatabase(LABEL);
  const env = servicesEnv(db, LABEL);
  app = await startApp(
    serverConfig(db, testQueuePrefix(LABEL), { ...env, SEAL_MAX_WAIT_MS: '50' }),
    {
      logger: process.env.CUSTOS_TEST_LOGS ? undefined : false,
    },
  );
  replica = await startProduct({ ...env, CUSTOS_ROLE: 'api' });
  adminToken = env.CUSTOS_ADMIN_TOKEN!;
  world = new LedgerWorld(app.url, adminToken);
  maker = await world.register(
    gln('950600000000'),
    'Maker Pharma',
    ['MANUFACTURER'],
    [COMPANY_PREFIX],
  );
  await world.signIn(maker);
}, 120_000);

afterAll(async () => {
  await replica?.stop('SIGKILL');
  await app?.stop();
  await db?.drop();
});

function commissions(count: number): { id: string; event: Record<string, unknown> }[] {
  return Array.from({ length: count }, () => {
    serials += 1;
    const signed = world.signed(maker, 'COMMISSION', {
      items: [unitUri(`R${serials}`)],
      lot: 'L1',
      expiry: '2030-12-31',
    });
    return { id: String(signed.event.eventId), event: toEpcisEvent(signed) };
  });
}

async function capture(url: string, events: { event: unknown }[]): Promise<string> {
  const response = await fetch(`${url}/epcis/capture`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${maker.token}` },
    body: JSON.stringify(
      epcisDocument(
        events.map((e) => e.event),
        new Date().toISOString(),
      ),
    ),
  });
  expect(response.status).toBe(202);
  return response.headers.get('location')!;
}

async function job(url: string, location: string): Promise<Job> {
  const response = await fetch(`${url}${location}`, {
    headers: { authorization: `Bearer ${maker.token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Job;
}

async function untilFinished(url: string, location: string, withinMs: number): Promise<Job> {
  const until = Date.now() + withinMs;
  for (;;) {
    const found = await job(url, location);
    if (!found.running || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function storedCount(ids: readonly string[]): Promise<number> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM ledger_event WHERE event_id = ANY($1::text[])',
      [ids],
    );
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe('capture jobs across replicas', () => {
  it('a job started on one replica is read, to its end, from another', async () => {
    const events = commissions(3);
    const location = await capture(replica!.url, events);
    const finished = await untilFinished(app.url, location, 30_000);
    expect(finished).toMatchObject({ running: false, success: true, errors: [] });
    expect(finished.finishedAt).toEqual(expect.any(String));
    expect(await storedCount(events.map((e) => e.id))).toBe(3);
    // And the other way round, with the capturer's rights only.
    const back = await capture(app.url, commissions(1));
    expect((await untilFinished(replica!.url, back, 30_000)).success).toBe(true);
    const stranger = await fetch(`${replica!.url}${back}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(stranger.status).toBe(200); // the admin reads every job
    const unknown = await fetch(`${app.url}/epcis/capture/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Bearer ${maker.token}` },
    });
    expect(unknown.status).toBe(404);
  });

  it('a job whose process is killed mid-capture ends failed, naming why; the batch is all or nothing', async () => {
    const events = commissions(10_000);
    const location = await capture(replica!.url, events);
    await replica!.stop('SIGKILL');
    replica = undefined;
    const running = await job(app.url, location);
    expect(running.running).toBe(true);
    const ended = await untilFinished(app.url, location, CAPTURE_STALE_MS + 20_000);
    expect(ended.running).toBe(false);
    expect(ended.success).toBe(false);
    expect(ended.errors.at(-1)).toMatchObject({
      type: 'epcisException:ImplementationException',
      title: 'The capture stopped',
    });
    expect(ended.errors.at(-1)!.detail).toMatch(/capture the document again/);
    expect([0, events.length]).toContain(await storedCount(events.map((e) => e.id)));
  }, 90_000);
});
