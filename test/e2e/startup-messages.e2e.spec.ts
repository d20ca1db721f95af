// What the built server (`node dist/apps/server/src/main.js`, what npm start runs) says
// when it starts, or cannot (issue 12): a port in use and a data folder held by another
// process are one sentence and exit 1, before anything is opened; the line that says it
// listens names what it binds (127.0.0.1 in embedded mode, 0.0.0.0 with DATABASE_URL or
// CUSTOS_BIND_ADDRESS); introspection off names CUSTOS_GRAPHQL_INTROSPECTION; no
// X-Powered-By; no source maps in production. Needs `npm run build` first (npm test does).
import { writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { runProductToExit, startProduct, type Product } from '../product';
import {
  createTestDatabase,
  tempDir,
  testQueuePrefix,
  testRedisUrl,
  testSecrets,
  type TestDatabase,
} from '../storage';

/** A port some other program holds on `host`. */
async function occupiedPort(host: string): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return { port: address.port, server };
}

const lines = (output: string) => output.split('\n').filter((line) => line.trim() !== '');

describe('startup messages of the built server', () => {
  it('a port in use: one sentence telling to set PORT, exit 1, no stack, nothing opened', async () => {
    const data = tempDir('port-in-use');
    const { port, server } = await occupiedPort('127.0.0.1');
    try {
      const started = performance.now();
      const run = await runProductToExit({ CUSTOS_DATA_DIR: data.path, PORT: String(port) });
      const seconds = (performance.now() - started) / 1000;
      expect(run.code).toBe(1);
      expect(lines(run.output)).toEqual([
        `custos: port ${port} on 127.0.0.1 is already in use by another program: stop it, or set PORT to a free port (PORT=0 takes any)`,
      ]);
      console.log(`port in use: refused after ${seconds.toFixed(1)} s`);
    } finally {
      server.close();
      data.remove();
    }
  }, 90_000);

  it('a data folder held by another live process: one sentence, exit 1, no stack', async () => {
    const data = tempDir('data-in-use');
    try {
      mkdirSync(data.path, { recursive: true });
      writeFileSync(join(data.path, 'custos.lock'), String(process.pid)); // this test process: alive
      const run = await runProductToExit({ CUSTOS_DATA_DIR: data.path });
      expect(run.code).toBe(1);
      expect(lines(run.output)).toEqual([
        `custos: the data folder ${data.path} is in use by process ${process.pid}; stop it, or set CUSTOS_DATA_DIR to another folder`,
      ]);
    } finally {
      data.remove();
    }
  }, 90_000);

  describe('embedded, NODE_ENV=production, introspection off', () => {
    let data: ReturnType<typeof tempDir>;
    let product: Product;

    beforeAll(async () => {
      data = tempDir('embedded-production');
      product = await startProduct({
        CUSTOS_DATA_DIR: data.path,
        NODE_ENV: 'production',
        CUSTOS_GRAPHQL_INTROSPECTION: 'false',
      });
    }, 120_000);
    afterAll(async () => {
      await product?.stop();
      data?.remove();
    });

    it('binds 127.0.0.1 and says so', () => {
      expect(product.output()).toMatch(
        /listening on http:\/\/127\.0\.0\.1:\d+, this machine only \(CUSTOS_BIND_ADDRESS=0\.0\.0\.0 opens it to the network\)/,
      );
    });

    it('refuses introspection naming CUSTOS_GRAPHQL_INTROSPECTION', async () => {
      const res = await fetch(`${product.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
      });
      const body = (await res.json()) as { errors: { message: string }[] };
      expect(res.status).toBe(400);
      expect(body.errors[0]?.message).toBe(
        'introspection is off on this server (CUSTOS_GRAPHQL_INTROSPECTION=false): the query asks for "__schema"; the schema is apps/api/src/schema.gql in the source',
      );
    });

    it('sends no X-Powered-By and serves no source map', async () => {
      for (const path of ['/', '/health', '/assets/app.js']) {
        const res = await fetch(`${product.url}${path}`);
        expect(res.headers.get('x-powered-by')).toBeNull();
        if (path === '/assets/app.js') {
          expect(res.status).toBe(200);
          expect(await res.text()).not.toContain('sourceMappingURL');
        } else {
          await res.arrayBuffer();
        }
      }
      const graphql = await fetch(`${product.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ serverInfo { version } }' }),
      });
      expect(graphql.headers.get('x-powered-by')).toBeNull();
      expect((await fetch(`${product.url}/assets/app.js.map`)).status).toBe(404);
    });
  });

  describe('with DATABASE_URL, outside production', () => {
    let db: TestDatabase;
    let product: Product;

    beforeAll(async () => {
      db = await createTestDatabase('startup_services');
      product = await startProduct({
        ...testSecrets(db),
        DATABASE_URL: db.url,
        REDIS_URL: testRedisUrl,
        CUSTOS_QUEUE_PREFIX: testQueuePrefix('startup_services'),
        CUSTOS_ROLE: 'api',
      });
    }, 120_000);
    afterAll(async () => {
      await product?.stop();
      await db?.drop();
    });

    it('binds every interface and says so; the scan page keeps its source maps', async () => {
      expect(product.output()).toMatch(
        /listening on 0\.0\.0\.0:\d+, every network interface \(http:\/\/127\.0\.0\.1:\d+ from here\)/,
      );
      const script = await (await fetch(`${product.url}/assets/app.js`)).text();
      expect(script).toContain('sourceMappingURL=app.js.map');
      expect((await fetch(`${product.url}/assets/app.js.map`)).status).toBe(200);
    });
  });
});
