// The per-request cost of the GraphQL path (issue 17): a trivial authenticated query,
// `{ ledgerKey }` with a pharmacy's session token, against the built product in its own
// process (CUSTOS_ROLE=api, PostgreSQL), beside the same-run reference: a bare `node:http`
// server in its own process answering the same JSON body. One load generator (autocannon,
// in a third process) drives both with the same connections and duration; runs alternate
// reference / product so that drift in the machine's load hits both.
// Target: trivial authenticated query >= 0.25x the bare node:http rate.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createTestDatabase, servicesEnv } from '../test/storage';
import { startProduct } from '../test/product';
import { gln, LedgerWorld } from '../test/fixtures/ledger-world';
import { type Bench, benchNodeArgs } from './harness';
import { loadTest, median, type LoadResult } from './load';

const ADMIN_TOKEN = 'bench-http-admin-token-0123456789abcdef0123';
const QUERY = JSON.stringify({ query: '{ ledgerKey }' });

/** A bare node:http server in its own process that answers `body` to every request. */
async function startReference(body: string): Promise<{ url: string; stop(): void }> {
  const source = `
    const body = Buffer.from(process.env.BODY);
    const server = require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        res.end(body);
      });
    });
    server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));`;
  const child: ChildProcess = spawn(process.execPath, ['-e', source], {
    env: { PATH: process.env.PATH ?? '', BODY: body },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = /port (\d+)/.exec(chunk.toString())?.[1];
  if (!port) throw new Error(`reference server did not start: ${chunk.toString()}`);
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

export const bench: Bench = {
  name: 'http',
  async run(ctx) {
    const connections = 32;
    const seconds = ctx.smoke ? 2 : 10;
    const rounds = ctx.smoke ? 1 : 3;

    const db = await createTestDatabase('bench_http');
    const env = {
      ...servicesEnv(db, 'bench_http'),
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
      CUSTOS_ROLE: 'api',
    };
    const product = await startProduct(env, 60_000, benchNodeArgs());
    try {
      const world = new LedgerWorld(product.url, ADMIN_TOKEN);
      const pharmacy = await world.register(gln('950600000002'), 'Pharmacy', ['DISPENSER']);
      await world.signIn(pharmacy);
      const headers = {
        'content-type': 'application/json',
        authorization: `Bearer ${pharmacy.token!}`,
      };

      // The answer the product gives is the body the reference sends, byte for byte.
      const answer = await fetch(`${product.url}/graphql`, {
        method: 'POST',
        headers,
        body: QUERY,
      });
      const body = await answer.text();
      if (answer.status !== 200 || !body.includes('"ledgerKey":"'))
        throw new Error(`trivial query failed: ${answer.status} ${body}`);
      const reference = await startReference(body);
      try {
        const bare: LoadResult[] = [];
        const graphql: LoadResult[] = [];
        const request = [{ method: 'POST' as const, path: '/graphql', headers, body: QUERY }];
        for (let round = 0; round < rounds; round++) {
          bare.push(await loadTest(reference.url, request, connections, seconds));
          graphql.push(await loadTest(product.url, request, connections, seconds));
        }
        const bareRate = median(bare.map((r) => r.requestsPerSecond));
        const graphqlRate = median(graphql.map((r) => r.requestsPerSecond));
        const note = `${connections} connections, ${seconds} s, median of ${rounds}`;
        ctx.report('bare node:http constant JSON, reference', bareRate, 'req/s', note);
        ctx.report('{ ledgerKey } signed in, GraphQL', graphqlRate, 'req/s', note);
        ctx.report('{ ledgerKey } p50', median(graphql.map((r) => r.p50Ms)), 'ms');
        ctx.report('{ ledgerKey } p99', median(graphql.map((r) => r.p99Ms)), 'ms');
        ctx.report('ratio GraphQL / bare node:http (target >= 0.25)', graphqlRate / bareRate, 'x');
        const failures = [...bare, ...graphql].reduce((sum, r) => sum + r.failures, 0);
        ctx.report('failed requests (must be 0)', failures, 'requests');
        if (failures > 0) throw new Error(`${failures} requests failed under load`);
      } finally {
        reference.stop();
      }
    } finally {
      await product.stop();
      await db.drop();
    }
  },
};
