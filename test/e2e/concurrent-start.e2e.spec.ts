// An API and a worker started together on a fresh database (docker compose up, a
// Kubernetes rollout): one applies the migrations, the other waits for it, then finds
// nothing left to apply. Both come up.
import { startProduct, type Product } from '../product';
import {
  createTestDatabase,
  testQueuePrefix,
  testRedisUrl,
  testSecrets,
  type TestDatabase,
} from '../storage';

jest.setTimeout(240_000);

describe('processes starting at once on a fresh database', () => {
  let db: TestDatabase;
  const started: Product[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('concurrent_start');
  });
  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop()));
    await db?.drop();
  });

  it('the api and the worker both come up; the migrations are applied once', async () => {
    const env = {
      ...testSecrets(db),
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl,
      CUSTOS_QUEUE_PREFIX: testQueuePrefix('concurrent_start'),
    };
    const results = await Promise.allSettled([
      startProduct({ ...env, CUSTOS_ROLE: 'api' }, 180_000),
      startProduct({ ...env, CUSTOS_ROLE: 'worker' }, 180_000),
      startProduct({ ...env, CUSTOS_ROLE: 'worker' }, 180_000),
    ]);
    for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'up'))).toEqual([
      'up',
      'up',
      'up',
    ]);
    const appliers = started.filter((p) => p.output().includes('applied migration'));
    expect(appliers).toHaveLength(1);
    for (const p of started) expect((await fetch(`${p.url}/health`)).status).toBe(200);
  });
});
