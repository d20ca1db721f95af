// The client's transport against a real HTTP server on 127.0.0.1 that answers as the
// Custos API does, failing on purpose: retries, halving, rejection indexes, sign-in.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyStrict } from '@custos/ledger/ed25519';
import { signInBytes } from '@custos/ledger/events';
import { base64UrlToBytes } from '@custos/ledger/bytes';
import { CustosClient } from './client';
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

  it('signs in with the key alone, and again when the session expired', async () => {
    const signIns: string[] = [];
    let token = 'first';
    handler = (body, req, res) => {
      if (body.query.includes('requestChallenge')) {
        return json(res, 200, {
          data: { requestChallenge: { nonce: `n${signIns.length}`, expiresAt: 'x' } },
        });
      }
      if (body.query.includes('signIn(')) {
        const v = body.variables as { nonce: string; signature: string; keyId: string; id: string };
        const ok = verifyStrict(
          base64UrlToBytes(v.signature),
          signInBytes(v.nonce),
          base64UrlToBytes(key.publicKey),
        );
        signIns.push(`${v.id}/${v.keyId}/${ok}`);
        return json(res, 200, { data: { signIn: { token, expiresAt: 'x' } } });
      }
      if (req.headers.authorization !== 'Bearer second') {
        return json(res, 200, {
          data: null,
          errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }],
        });
      }
      json(res, 200, { data: { ledgerKey: 'vkey' } });
    };
    const client = new CustosClient({ url });
    await client.signIn(key);
    expect(client.token).toBe('first');
    token = 'second';
    await expect(client.ledgerKey()).resolves.toBe('vkey');
    expect(signIns).toEqual(['0950600000019/k1/true', '0950600000019/k1/true']);
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
