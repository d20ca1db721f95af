// The built product, started with npm start's node flags (test/product.ts), takes the
// largest batches the request limits let through, two at once: 10,000 events of 10 items
// each, ~8 MB of JSON per request, ~300 MB of heap each while parsed and checked. A V8
// heap cap of 128 or 256 MB in the start command let such a pair kill the process with an
// out-of-memory error (BENCHMARKS.md step 13).
import { LedgerWorld, gln, unitUri } from '../fixtures/ledger-world';
import { productEnv } from '../../bench/product-db';
import { type Product, startProduct } from '../product';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '../storage';

const ADMIN_TOKEN = 'large-batches-e2e-admin-token-0123456789abcdef';
const SEALING_KEY = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const EVENTS = 10_000;
const ITEMS = 10;

describe('the largest batches, two at once', () => {
  let db: TestDatabase;
  let product: Product;

  beforeAll(async () => {
    db = await createTestDatabase('large_batches');
    const env = productEnv(db, testQueuePrefix('large_batches'), {
      adminToken: ADMIN_TOKEN,
      sealingKey: SEALING_KEY,
    });
    product = await startProduct(env);
  });
  afterAll(async () => {
    await product?.stop();
    await db?.drop();
  });

  it('are both accepted, and the process lives on', async () => {
    const world = new LedgerWorld(product.url, ADMIN_TOKEN);
    const maker = await world.register(gln('950600000000'), 'Maker', ['MANUFACTURER'], ['9506000']);
    const batch = (tag: string) =>
      Array.from({ length: EVENTS }, (_, i) =>
        world.signed(maker, 'COMMISSION', {
          items: Array.from({ length: ITEMS }, (_, k) => unitUri(`${tag}${i}x${k}`)),
          lot: 'L1',
          expiry: '2030-12-31',
        }),
      );
    const batches = [batch('A'), batch('B')];
    expect(JSON.stringify({ events: batches[0] }).length).toBeGreaterThan(7_000_000);
    const answers = await Promise.all(batches.map((events) => world.submit(maker, events)));
    expect(answers.map((a) => a.accepted.length)).toEqual([EVENTS, EVENTS]);
    expect(product.process.exitCode).toBeNull();
    expect(product.output()).not.toMatch(/heap out of memory/i);
  }, 240_000);
});
