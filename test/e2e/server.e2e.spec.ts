// The assembled service on the real PostgreSQL and Redis, through HTTP and a real
// GraphQL client.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

const SCHEMA_FILE = join(__dirname, '..', '..', 'apps', 'api', 'src', 'schema.gql');

describe('custos service on PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let client: GraphQLClient;

  beforeAll(async () => {
    db = await createTestDatabase('e2e');
    running = await startApp(serverConfig(db, testQueuePrefix('e2e')), { logger: false });
    client = new GraphQLClient(`${running.url}/graphql`);
  });
  afterAll(async () => {
    await running?.stop();
    await db?.drop();
  });

  it('answers /health with 200 when database and queue are reachable', async () => {
    const res = await fetch(`${running.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'up', queue: 'up' });
  });

  it('answers a GraphQL query, and the worker has taken a job', async () => {
    const data = await client.request<{
      serverInfo: { version: string; database: string; queue: string; workerSeenAt: string | null };
    }>(gql`
      {
        serverInfo {
          version
          database
          queue
          workerSeenAt
        }
      }
    `);
    expect(data.serverInfo).toMatchObject({
      version: '0.1.0',
      database: 'POSTGRESQL',
      queue: 'REDIS',
    });
    expect(Date.parse(data.serverInfo.workerSeenAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('answers a malformed query with a stable code and no internals', async () => {
    const error = await client
      .request(gql`
        {
          serverInfo {
            nope
          }
        }
      `)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ClientError);
    const [first] = (error as ClientError).response.errors ?? [];
    expect(first?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(first?.message).toContain('nope');
    expect(JSON.stringify((error as ClientError).response)).not.toMatch(/stacktrace|at .*\.js:\d+/);
  });

  it('keeps the committed schema.gql in step with the code (npm run schema rewrites it)', () => {
    const printed = printSchema(running.app.get(GraphQLSchemaHost).schema) + '\n';
    if (process.env.CUSTOS_UPDATE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, printed);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printed);
  });
});

describe('custos API role with the queue unreachable', () => {
  let db: TestDatabase;
  let running: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('e2e_down');
    const config = serverConfig(db, testQueuePrefix('e2e_down'), {
      CUSTOS_ROLE: 'api',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    running = await startApp(config, { logger: false });
  });
  afterAll(async () => {
    await running?.stop();
    await db?.drop();
  });

  it('answers /health with 503 and says the queue is down', async () => {
    const res = await fetch(`${running.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'degraded', database: 'up', queue: 'down' });
  });
});
