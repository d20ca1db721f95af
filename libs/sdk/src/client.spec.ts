// The client's transport against a real HTTP server on 127.0.0.1 that answers as the
// Custos API does, failing on purpose: retries, halving, rejection indexes, sign-in.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyStrict } from '@custos/ledger/ed25519';
import { signInBytes } from '@custos/ledger/events';
import { base64UrlToBytes } from '@custos/ledger/bytes';
import { ALERTS_MAX_PAGE, CustosClient } from './client';
import { CustosRequestError, CustosUnreachableError } from './errors';
import { createSignedEvent } from './events';
import { generateKey } from './keys';

type Handler = (
  body: { query: string; variables: Record<string, unknown> },
  req: IncomingMessage,
  res: ServerResponse,
) => void;

let server: Server;
let url: string;
let handler: Handler;
const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => handler(JSON.parse(text) as never, req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const key = generateKey('k1', '0950600000019');
const events = (n: number) =>
  Array.from({ length: n }, () => createSignedEvent(key, 'DISPENSE', { items: ['u'] }));

describe('CustosClient', () => {
  it('retries a batch while the server answers 503, then reports what it stored', async () => {
    let calls = 0;
    handler = (body, _req, res) => {
      calls++;
      if (calls <= 2)
        return json(res, 503, {
          errors: [{ message: 'busy', extensions: { code: 'UNAVAILABLE' } }],
        });
      const list = body.variables.events as { event: { eventId: string } }[];
      json(res, 200, {
        data: {
          submitEvents: {
            accepted: list.map((e) => ({ eventId: e.event.eventId, status: 'PENDING' })),
            rejected: [],
          },
        },
      });
    };
    const client = new CustosClient({ url, token: 't', retryDelayMs: 1 });
    const report = await client.submit(events(3));
    expect(calls).toBe(3);
    expect(report).toMatchObject({
      ok: true,
      submitted: 3,
      accepted: 3,
      duplicates: 0,
      batches: 1,
    });
  });

  it("waits the Retry-After of a busy server's 503, never shorter, and gives up on one asking too long", async () => {
    const busy = (res: ServerResponse, retryAfter: string) => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': retryAfter });
      res.end(
        JSON.stringify({
          errors: [{ message: 'the server is busy', extensions: { code: 'UNAVAILABLE' } }],
        }),
      );
    };
    const at: number[] = [];
    handler = (_b, _r, res) => {
      at.push(Date.now());
      if (at.length === 1) return busy(res, '1');
      json(res, 200, {
        data: { checkpoint: { origin: 'o', treeSize: 0, rootHash: '', note: '' } },
      });
    };
    const client = new CustosClient({ url, retryDelayMs: 1 });
    await client.checkpoint();
    expect(at).toHaveLength(2);
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(990);

    at.length = 0;
    handler = (_b, _r, res) => {
      at.push(Date.now());
      busy(res, '120');
    };
    const error = await client.checkpoint().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustosRequestError);
    expect(error).toMatchObject({ status: 503, code: 'UNAVAILABLE', retryAfterMs: 120_000 });
    expect(at).toHaveLength(1); // beyond maxRetryAfterMs (60 s): the error at once
  });

  it('gives up after its retries with the server error, and does not retry a client error', async () => {
    let calls = 0;
    handler = (_b, _r, res) => {
      calls++;
      json(res, 500, {
        errors: [{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      });
    };
    const client = new CustosClient({ url, retries: 2, retryDelayMs: 1 });
    await expect(client.checkpoint()).rejects.toThrow('INTERNAL_SERVER_ERROR: boom');
    expect(calls).toBe(3);
    calls = 0;
    handler = (_b, _r, res) => {
      calls++;
      json(res, 200, {
        data: null,
        errors: [{ message: 'only a regulator may do this', extensions: { code: 'FORBIDDEN' } }],
      });
    };
    const error = await client.lotTrace('x', 'y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustosRequestError);
    expect((error as CustosRequestError).code).toBe('FORBIDDEN');
    expect(calls).toBe(1);
  });

  it('splits batches at the limits, halves one answered 413, and numbers rejections in the whole submission', async () => {
    const sizes: number[] = [];
    handler = (body, _req, res) => {
      const list = body.variables.events as { event: { eventId: string } }[];
      sizes.push(list.length);
      if (list.length > 2) {
        return json(res, 413, {
          errors: [{ message: 'too large', extensions: { code: 'REQUEST_TOO_LARGE' } }],
        });
      }
      const bad = list.findIndex((e) => e.event.eventId === badId);
      json(res, 200, {
        data: {
          submitEvents:
            bad >= 0
              ? {
                  accepted: [],
                  rejected: [{ index: bad, eventId: badId, code: 'BAD_SIGNATURE', message: 'no' }],
                }
              : {
                  accepted: list.map((e) => ({ eventId: e.event.eventId, status: 'DUPLICATE' })),
                  rejected: [],
                },
        },
      });
    };
    const all = events(9);
    const badId = String(all[6]!.event.eventId);
    const progress: number[] = [];
    const client = new CustosClient({ url, retryDelayMs: 1 });
    const report = await client.submit(all, {
      limits: { maxEvents: 4 },
      onProgress: (p) => progress.push(p.submitted),
    });
    // 4 → 413 → 2+2; then 4 → 413 → 2 (ok) + 2 (event 6 rejected): stop.
    expect(sizes).toEqual([4, 2, 2, 4, 2, 2]);
    expect(report.ok).toBe(false);
    expect(report.duplicates).toBe(6);
    expect(report.rejections).toEqual([
      { index: 6, eventId: badId, code: 'BAD_SIGNATURE', message: 'no' },
    ]);
    expect(progress).toEqual([4, 8]);
  });

  /**
   * Answers as the Custos API does about tokens: any operation — requestChallenge and
   * signIn too — that carries a token other than a live one is refused UNAUTHENTICATED.
   */
  function signInServer(live: Set<string>, options: { issueLive?: boolean } = {}) {
    const seen = { signIns: [] as string[], requests: 0, tokensOnSignIn: [] as string[] };
    let issued = 0;
    handler = (body, req, res) => {
      seen.requests++;
      const bearer = req.headers.authorization?.replace(/^Bearer /, '');
      const signingIn = /requestChallenge|signIn\(/.test(body.query);
      if (signingIn && bearer) seen.tokensOnSignIn.push(bearer);
      if (bearer !== undefined && !live.has(bearer)) {
        return json(res, 200, {
          data: null,
          errors: [{ message: 'session expired', extensions: { code: 'UNAUTHENTICATED' } }],
        });
      }
      if (body.query.includes('requestChallenge')) {
        return json(res, 200, {
          data: { requestChallenge: { nonce: `n${issued}`, expiresAt: 'x' } },
        });
      }
      if (body.query.includes('signIn(')) {
        const v = body.variables as { nonce: string; signature: string; keyId: string; id: string };
        const ok = verifyStrict(
          base64UrlToBytes(v.signature),
          signInBytes(v.nonce),
          base64UrlToBytes(key.publicKey),
        );
        seen.signIns.push(`${v.id}/${v.keyId}/${ok}`);
        const token = `t${++issued}`;
        if (options.issueLive ?? true) live.add(token);
        return json(res, 200, { data: { signIn: { token, expiresAt: 'x' } } });
      }
      if (!bearer) {
        return json(res, 200, {
          data: null,
          errors: [{ message: 'sign in first', extensions: { code: 'UNAUTHENTICATED' } }],
        });
      }
      json(res, 200, { data: { ledgerKey: 'vkey' } });
    };
    return seen;
  }

  it('signs in with the key alone, and again when the session expired', async () => {
    const live = new Set<string>();
    const seen = signInServer(live);
    const client = new CustosClient({ url });
    await client.signIn(key);
    expect(client.token).toBe('t1');
    live.delete('t1'); // expired
    await expect(client.ledgerKey()).resolves.toBe('vkey');
    expect(client.token).toBe('t2');
    expect(seen.signIns).toEqual(['0950600000019/k1/true', '0950600000019/k1/true']);
    expect(seen.tokensOnSignIn).toEqual([]);
  });

  it('hands each new session to onSession, so that a stored token can be replaced', async () => {
    const live = new Set<string>();
    signInServer(live);
    const sessions: string[] = [];
    const client = new CustosClient({ url, key, onSession: (s) => sessions.push(s.token) });
    await client.signIn(key);
    live.delete('t1'); // expired: the request signs in again
    await client.ledgerKey();
    await client.renewSession();
    expect(sessions).toEqual(['t1', 't2', 't3']);
  });

  it('signs in without the token it holds, which may be dead (a revoked key, an expired session)', async () => {
    const seen = signInServer(new Set());
    const client = new CustosClient({ url, token: 'of-a-revoked-key' });
    await expect(client.signIn(key)).resolves.toEqual({ token: 't1', expiresAt: 'x' });
    expect(client.token).toBe('t1');
    expect(seen.tokensOnSignIn).toEqual([]);
    await expect(client.ledgerKey()).resolves.toBe('vkey');
  });

  it('signs in again once per request: a new session refused too ends in the error, not a loop', async () => {
    // A server whose sessions are dead at once (clock skew, say): every token is refused.
    const seen = signInServer(new Set(), { issueLive: false });
    const client = new CustosClient({ url, token: 'expired', key, retryDelayMs: 1 });
    const error = await client.ledgerKey().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustosRequestError);
    expect((error as CustosRequestError).code).toBe('UNAUTHENTICATED');
    // ledgerKey, requestChallenge, signIn, ledgerKey again: then the error.
    expect(seen.requests).toBe(4);
    expect(seen.signIns).toHaveLength(1);
    expect(seen.tokensOnSignIn).toEqual([]);
  });

  it('alertList pages until it has them all (or the limit), halving a page the server refuses', async () => {
    const alerts = Array.from({ length: 1000 }, (_, i) => ({ id: `a${1000 - i}` }));
    let maxPage = ALERTS_MAX_PAGE;
    const pages: number[] = [];
    handler = (body, _req, res) => {
      const v = body.variables as { first: number; after?: string; since?: string };
      if (v.first > maxPage) {
        const code = 'QUERY_TOO_COMPLEX';
        return json(res, 200, { data: null, errors: [{ message: code, extensions: { code } }] });
      }
      pages.push(v.first);
      const start = v.after ? alerts.findIndex((a) => a.id === v.after) + 1 : 0;
      const page = alerts.slice(start, start + v.first);
      json(res, 200, {
        data: {
          alerts: {
            edges: page.map((node) => ({ cursor: node.id, node })),
            pageInfo: {
              hasNextPage: start + v.first < alerts.length,
              endCursor: page.at(-1)?.id ?? null,
            },
          },
        },
      });
    };
    const client = new CustosClient({ url, token: 't' });
    expect((await client.alertList({ since: '2026-01-01T00:00:00Z' })).map((a) => a.id)).toEqual(
      alerts.map((a) => a.id),
    );
    expect(pages).toEqual([384, 384, 384]);
    pages.length = 0;
    maxPage = 50;
    expect(await client.alertList({}, 120)).toHaveLength(120);
    expect(pages).toEqual([30, 30, 30, 30]); // 120 and 60 refused
  });

  it('says the server cannot be reached, after retrying', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const client = new CustosClient({
      url: `http://127.0.0.1:${port}/`,
      retries: 1,
      retryDelayMs: 1,
    });
    const error = await client.checkpoint().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustosUnreachableError);
    expect((error as Error).message).toBe(
      `cannot reach the Custos server at http://127.0.0.1:${port} (ECONNREFUSED): is it running? Start it with \`npm start\`, or point to it with --server or CUSTOS_URL`,
    );
  });

  it('names a server that is not Custos', async () => {
    handler = (_b, _r, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>nope</h1>');
    };
    await expect(new CustosClient({ url }).checkpoint()).rejects.toThrow(
      /answered HTTP 404 without a GraphQL body/,
    );
  });
});
