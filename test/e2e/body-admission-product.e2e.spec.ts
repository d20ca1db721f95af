// The admission limit on the assembled service, on its own database (issue 17): large
// submitEvents batches sent at once under a small CUSTOS_MAX_INFLIGHT_BODY_BYTES are all
// stored, one after the other; on a replica with a short CUSTOS_ADMISSION_WAIT_MS a batch
// that finds the limit taken is answered 503 UNAVAILABLE with Retry-After, and the SDK's
// retry is stored once the upload that held the limit has been cut off.
import { request as httpRequest } from 'node:http';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { CustosClient } from '../../libs/sdk/src/client';
import { LedgerWorld, gln, unitUri, type Party } from '../fixtures/ledger-world';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

const ADMIN_TOKEN = 'admission-e2e-admin-token-0123456789abcdef012';
const KIB = 1024;
const LIMITS = {
  CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
  CUSTOS_MAX_BODY_BYTES: String(512 * KIB),
  CUSTOS_MAX_INFLIGHT_BODY_BYTES: String(512 * KIB),
};

describe('the admission limit on the assembled service', () => {
  let db: TestDatabase;
  let queued: RunningApp; // the default wait (30 s)
  let busy: RunningApp; // a replica on the same database that waits 200 ms
  let world: LedgerWorld;
  let maker: Party;

  beforeAll(async () => {
    db = await createTestDatabase('admission');
    const prefix = testQueuePrefix('admission');
    queued = await startApp(serverConfig(db, prefix, LIMITS), { logger: false });
    busy = await startApp(
      serverConfig(db, prefix, { ...LIMITS, CUSTOS_ROLE: 'api', CUSTOS_ADMISSION_WAIT_MS: '200' }),
      { logger: false },
    );
    world = new LedgerWorld(queued.url, ADMIN_TOKEN);
    maker = await world.register(gln('950600000000'), 'Maker', ['MANUFACTURER'], ['9506000']);
    await world.signIn(maker);
  }, 60_000);
  afterAll(async () => {
    await busy?.stop();
    await queued?.stop();
    await db?.drop();
  });

  /** ~300 KB of submitEvents: two do not fit under the 512 KiB limit at once. */
  const batch = (tag: string) =>
    Array.from({ length: 360 }, (_, i) =>
      world.signed(maker, 'COMMISSION', {
        items: Array.from({ length: 10 }, (_, k) => unitUri(`${tag}${i}x${k}`)),
        lot: 'L1',
        expiry: '2030-12-31',
      }),
    );

  it('stores every large batch sent at once: they wait their turn, none is refused', async () => {
    const batches = ['A', 'B', 'C'].map(batch);
    const bytes = JSON.stringify({ variables: { events: batches[0] } }).length;
    expect(bytes).toBeGreaterThan(256 * KIB);
    expect(bytes).toBeLessThan(512 * KIB);
    const answers = await Promise.all(batches.map((events) => world.submit(maker, events)));
    expect(answers.map((a) => a.accepted.length)).toEqual([360, 360, 360]);
  }, 60_000);

  it('answers 503 UNAVAILABLE with Retry-After while an upload holds the limit; the SDK retry is stored once it is cut off', async () => {
    // An upload that announces the whole limit and sends a little: admitted, it holds it.
    const holder = httpRequest(`${busy.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(512 * KIB) },
    });
    holder.on('error', () => undefined);
    holder.write('{"query":"');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const events = batch('D');
    const refused = await fetch(`${busy.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${maker.token}` },
      body: JSON.stringify({
        query:
          'mutation ($events: [SignedEventInput!]!) { submitEvents(events: $events) { accepted { eventId } } }',
        variables: { events },
      }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const answer = (await refused.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(answer.errors[0]?.extensions.code).toBe('UNAVAILABLE');
    expect(answer.errors[0]?.message).toMatch(/CUSTOS_MAX_INFLIGHT_BODY_BYTES/);

    // The SDK is refused the same way, waits the Retry-After (1 s), and is let in then.
    const sdk = new CustosClient({ url: busy.url, token: maker.token });
    const started = Date.now();
    const report = sdk.submit(events);
    await new Promise((resolve) => setTimeout(resolve, 400)); // its first try was refused
    holder.destroy();
    await expect(report).resolves.toMatchObject({ ok: true, accepted: 360 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  }, 60_000);
});
