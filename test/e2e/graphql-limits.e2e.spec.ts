// GraphQL hardening on the assembled service: each limit breach answers its own code in
// GraphQL's error shape with a 4xx status, never a 500 (issue 5).
import { gql } from 'graphql-request';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { client, failure, gln, participantInput, register } from '../participants';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

const ADMIN_TOKEN = 'limits-admin-token-0123456789abcdef012345678';

async function post(url: string, body: string, token = ADMIN_TOKEN) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  return {
    status: res.status,
    body: (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] },
  };
}

describe('GraphQL request limits (small limits)', () => {
  let db: TestDatabase;
  let running: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('limits');
    running = await startApp(
      serverConfig(db, testQueuePrefix('limits'), {
        CUSTOS_ROLE: 'api',
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        CUSTOS_MAX_BODY_BYTES: '4096',
        CUSTOS_GRAPHQL_MAX_DEPTH: '2',
        CUSTOS_GRAPHQL_MAX_COMPLEXITY: '12',
        CUSTOS_GRAPHQL_MAX_LIST: '3',
        CUSTOS_GRAPHQL_INTROSPECTION: 'false',
      }),
      { logger: false },
    );
  });
  afterAll(async () => {
    await running?.stop();
    await db?.drop();
  });

  it('refuses a query nested too deep (QUERY_TOO_DEEP, 400)', async () => {
    const admin = client(running.url, ADMIN_TOKEN);
    const err = await failure(
      admin.request(gql`
        {
          participant(id: "${gln(1)}") {
            license {
              number
            }
          }
        }
      `),
    );
    expect(err).toMatchObject({ code: 'QUERY_TOO_DEEP', status: 400 });
    expect(err.message).toBe('the query nests fields 3 deep; at most 2 (CUSTOS_GRAPHQL_MAX_DEPTH)');
  });

  it('refuses a query that costs too much (QUERY_TOO_COMPLEX, 400)', async () => {
    const fields = Array.from({ length: 13 }, (_, i) => `a${i}: serverInfo { version }`).join(' ');
    const err = await failure(client(running.url).request(`{ ${fields} }`));
    expect(err).toMatchObject({ code: 'QUERY_TOO_COMPLEX', status: 400 });
    expect(err.message).toContain('at most 12');
  });

  it('refuses an argument list over the cap (LIST_TOO_LONG, 400), naming it', async () => {
    const admin = client(running.url, ADMIN_TOKEN);
    const input = participantInput(gln(2), ['DISPENSER'], [], {
      companyPrefixes: ['950600', '950601', '950602', '950603'],
    });
    const err = await failure(
      admin.request(
        gql`
          mutation ($input: ParticipantInput!) {
            registerParticipant(input: $input) {
              id
            }
          }
        `,
        { input },
      ),
    );
    expect(err).toMatchObject({ code: 'LIST_TOO_LONG', status: 400 });
    expect(err.message).toBe(
      'input.companyPrefixes: 4 items, at most 3 in one request of registerParticipant',
    );
  });

  it('refuses a body over CUSTOS_MAX_BODY_BYTES with a GraphQL-shaped REQUEST_TOO_LARGE (413)', async () => {
    const body = JSON.stringify({
      query: 'query ($id: ID!) { participant(id: $id) { id } }',
      variables: { id: 'x'.repeat(5000) },
    });
    const res = await post(running.url, body);
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('REQUEST_TOO_LARGE');
    expect(res.body.errors?.[0]?.message).toContain('larger than 4096 bytes');
  });

  it('answers a body that is not JSON with a GraphQL-shaped BAD_REQUEST (400)', async () => {
    const res = await post(running.url, '{"query": ');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it('refuses introspection when CUSTOS_GRAPHQL_INTROSPECTION=false', async () => {
    const err = await failure(client(running.url).request('{ __schema { queryType { name } } }'));
    expect(err).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', status: 400 });
    expect(err.message).toContain('introspection');
  });
});

describe('GraphQL request limits (defaults)', () => {
  let db: TestDatabase;
  let running: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('limits_default');
    running = await startApp(
      serverConfig(db, testQueuePrefix('limits_default'), {
        CUSTOS_ROLE: 'api',
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
      }),
      { logger: false },
    );
  });
  afterAll(async () => {
    await running?.stop();
    await db?.drop();
  });

  it('takes a 6 MB body (10,000 events of about 0.5 KB) and refuses 17 MB', async () => {
    const query = 'query ($id: ID!) { participant(id: $id) { id } }';
    const big = await post(
      running.url,
      JSON.stringify({ query, variables: { id: 'x'.repeat(6_000_000) } }),
    );
    expect(big.status).toBe(200);
    expect(big.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const huge = await post(
      running.url,
      JSON.stringify({ query, variables: { id: 'x'.repeat(17_000_000) } }),
    );
    expect(huge.status).toBe(413);
    expect(huge.body.errors?.[0]?.extensions?.code).toBe('REQUEST_TOO_LARGE');
  });

  it('serves introspection by default and registers within the default list cap', async () => {
    const admin = client(running.url, ADMIN_TOKEN);
    await expect(admin.request('{ __schema { queryType { name } } }')).resolves.toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
    const created = await register(admin, participantInput(gln(3), ['DISPENSER'], []));
    expect(created.id).toBe(gln(3));
  });
});
