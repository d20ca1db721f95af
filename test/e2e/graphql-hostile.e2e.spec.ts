// Hostile GraphQL documents against the assembled API (issue 12): each is refused with its
// code and a sentence naming what to change, before anything runs and before the caller
// is known, and none of them stalls the event loop (the stall is measured in this
// process, which runs the server: the longest gap between two turns of a setImmediate
// ticker while the request is under way).
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { collect, wsClient } from '../regulators/ws-client';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

interface Answer {
  readonly status: number;
  readonly body: {
    data?: unknown;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

async function post(url: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/** The longest gap between setImmediate turns while `work` runs: the event-loop stall. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let longest = 0;
  let last = performance.now();
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  try {
    const result = await work();
    return { result, stallMs: longest };
  } finally {
    running = false;
  }
}

/**
 * The stall of posting `query`, the least of three tries: the machine is shared, so one
 * try may be descheduled for a while, but a stall the request causes is in every try.
 * Each try is a new document (a comment differs), so no cache answers it.
 */
async function stallOf(url: string, query: string, variables?: Record<string, unknown>) {
  let least = Infinity;
  let answer: Answer | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const { result, stallMs } = await longestStall(() =>
      post(url, `# try ${attempt}\n${query}`, variables),
    );
    least = Math.min(least, stallMs);
    answer = result;
  }
  return { result: answer!, stallMs: least };
}

const refusal = (answer: Answer) => ({
  status: answer.status,
  code: answer.body.errors?.[0]?.extensions?.code,
  message: answer.body.errors?.[0]?.message,
});

/** `levels` fragments, each spreading the next twice: 2^(levels-1) paths in about 1 KB. */
function nestedFragments(levels: number): string {
  const parts = ['query { serverInfo { ...F0 } }'];
  for (let i = 0; i < levels - 1; i++) {
    parts.push(`fragment F${i} on ServerInfo { version ...F${i + 1} ...F${i + 1} }`);
  }
  parts.push(`fragment F${levels - 1} on ServerInfo { version }`);
  return parts.join('\n');
}

// What the same machine does anyway between two requests: a bound well above noise, far
// below the seconds the unmemoised walk took (2.7 s at 21 levels, doubling per level).
const STALL_BOUND_MS = 250;

describe('hostile GraphQL documents', () => {
  let db: TestDatabase;
  let running: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('hostile');
    running = await startApp(serverConfig(db, testQueuePrefix('hostile'), { CUSTOS_ROLE: 'api' }), {
      logger: process.env.CUSTOS_TEST_LOGS ? undefined : false,
    });
  });
  afterAll(async () => {
    await running?.stop();
    await db?.drop();
  });

  it('refuses 21 levels of nested fragments, anonymous, without stalling the event loop', async () => {
    const query = nestedFragments(21);
    expect(query.length).toBeLessThan(1200);
    await post(running.url, '{ serverInfo { version } }'); // warm the route
    const { result, stallMs } = await stallOf(running.url, query);
    expect(refusal(result)).toEqual({
      status: 400,
      code: 'QUERY_TOO_COMPLEX',
      message: `the query would cost ${2 ** 21}; at most 5000 (CUSTOS_GRAPHQL_MAX_COMPLEXITY): ask for fewer fields or smaller pages`,
    });
    console.log(`21 nested fragment levels: longest event-loop stall ${stallMs.toFixed(0)} ms`);
    expect(stallMs).toBeLessThan(STALL_BOUND_MS);
  });

  it('answers a query of more than 10,000 nodes QUERY_TOO_COMPLEX (400), never a 500', async () => {
    const aliased = Array.from({ length: 10_001 }, (_, i) => `a${i}: serverInfo { version }`);
    const { result, stallMs } = await stallOf(running.url, `{ ${aliased.join(' ')} }`);
    expect(refusal(result)).toEqual({
      status: 400,
      code: 'QUERY_TOO_COMPLEX',
      message:
        'the query is longer than 10000 tokens (CUSTOS_GRAPHQL_MAX_TOKENS): ask for fewer fields, or pass long inputs as variables',
    });
    expect(stallMs).toBeLessThan(STALL_BOUND_MS);

    // Under the token cap, fragments can still expand to more than 10,000 fields.
    const expanded = await post(
      running.url,
      `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: serverInfo { ...V }`).join(' ')} }
       fragment V on ServerInfo { ${Array.from({ length: 60 }, (_, i) => `v${i}: version`).join(' ')} }`,
    );
    expect(refusal(expanded)).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX' });
    expect(refusal(expanded).message).toMatch(/^the query would cost 12200; at most 5000/);
  });

  it.each([
    ['one field 1,650 times', `{ ${'serverInfo { version } '.repeat(1650)}}`],
    [
      '800 fragments side by side',
      `{ ${Array.from({ length: 800 }, (_, i) => `...F${i}`).join(' ')} } ${Array.from(
        { length: 800 },
        (_, i) => `fragment F${i} on Query { serverInfo { version } }`,
      ).join(' ')}`,
    ],
  ])(
    'refuses %s before validation compares them pairwise (QUERY_TOO_COMPLEX)',
    async (_, query) => {
      // graphql-js compares overlapping siblings pairwise (up to its own budget, about half
      // a second here): such a document is refused before validation starts.
      expect(query.length).toBeLessThan(50_000);
      const { result, stallMs } = await stallOf(running.url, query);
      console.log(`${query.length} bytes of repeated siblings: stall ${stallMs.toFixed(0)} ms`);
      expect(refusal(result)).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX' });
      expect(refusal(result).message).toMatch(
        /^the query repeats fields or fragments side by side too often \(\d+ pairs to compare, at most 5000\): ask for each field once$/,
      );
      expect(stallMs).toBeLessThan(STALL_BOUND_MS);
    },
  );

  it('prices verifyPackage at 100: 49 aliased fit a request, 50 or 2,400 are QUERY_TOO_COMPLEX', async () => {
    const batch = (n: number) =>
      `query ($c: String!) { ${Array.from({ length: n }, (_, i) => `v${i}: verifyPackage(code: $c) { verdict }`).join(' ')} }`;
    const variables = { c: '(01)09506000134352(21)A1' };
    // 49 × (100 + 1) = 4,949: within the limit, so the request runs (and, anonymous, is refused).
    const fits = await post(running.url, batch(49), variables);
    expect(fits.status).toBe(200);
    expect(fits.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refusal(await post(running.url, batch(50), variables))).toEqual({
      status: 400,
      code: 'QUERY_TOO_COMPLEX',
      message:
        'the query would cost 5050; at most 5000 (CUSTOS_GRAPHQL_MAX_COMPLEXITY): ask for fewer fields or smaller pages',
    });
    const { result, stallMs } = await stallOf(running.url, batch(2400), variables);
    expect(refusal(result)).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX' });
    expect(stallMs).toBeLessThan(STALL_BOUND_MS);
  });

  it.each([
    [
      'lotTrace.lot',
      'query ($v: String!) { lotTrace(gtin: "09506000134352", lot: $v) { __typename } }',
    ],
    ['alerts.code', 'query ($v: String) { alerts(code: $v) { __typename } }'],
    ['alerts.participant', 'query ($v: ID) { alerts(participant: $v) { __typename } }'],
    [
      'signIn.nonce',
      'mutation ($v: String!) { signIn(participantId: "0950600000005", keyId: "k", nonce: $v, signature: "s") { token } }',
    ],
  ])('refuses a NUL byte in %s with BAD_USER_INPUT naming it, anonymous', async (field, query) => {
    const answer = await post(running.url, query, { v: 'ab\u0000cd' });
    expect(refusal(answer)).toEqual({
      status: 400,
      code: 'BAD_USER_INPUT',
      message: `${field}: contains a NUL character (U+0000), which no identifier or text may hold; remove it`,
    });
  });

  it('refuses a NUL byte written into the document itself', async () => {
    const answer = await post(running.url, '{ alerts(code: "x\\u0000") { edges { cursor } } }');
    expect(refusal(answer)).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(refusal(answer).message).toMatch(/^alerts\.code: contains a NUL character/);
  });

  it('applies the same checks to operations over graphql-ws, anonymous', async () => {
    const client = wsClient(running.url);
    try {
      const fragments = ['subscription { alertRaised { ...F0 } }'];
      for (let i = 0; i < 20; i++) {
        fragments.push(`fragment F${i} on Alert { id ...F${i + 1} ...F${i + 1} }`);
      }
      fragments.push('fragment F20 on Alert { id }');
      const { result: nested, stallMs } = await longestStall(async () => {
        const stream = collect(client, fragments.join('\n'));
        return stream.ended.then(
          () => 'completed',
          (err: Error) => err.message,
        );
      });
      expect(nested).toMatch(/"code":"QUERY_TOO_COMPLEX"/);
      expect(nested).toContain('(CUSTOS_GRAPHQL_MAX_COMPLEXITY)');
      expect(stallMs).toBeLessThan(STALL_BOUND_MS);

      const nul = collect(client, 'subscription ($v: ID!) { auditProgress(id: $v) { id } }', {
        v: 'a\u0000',
      });
      await expect(nul.ended).rejects.toThrow(
        /"message":"auditProgress.id: contains a NUL character \(U\+0000\)[^"]*","extensions":\{"code":"BAD_USER_INPUT"\}/,
      );

      const long = collect(client, `subscription { ${'alertRaised { id } '.repeat(3000)}}`);
      await expect(long.ended).rejects.toThrow(/CUSTOS_GRAPHQL_MAX_TOKENS/);
    } finally {
      await client.dispose();
    }
  });
});
