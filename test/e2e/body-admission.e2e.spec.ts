// The admission limit on request bodies held at once (apps/server/src/body-admission.ts,
// issue 17), on a small app of its own whose handler holds its answer until told: a body
// that finds no room waits, then is answered 503 UNAVAILABLE with Retry-After; small
// bodies and GETs pass; an upload cut off, or a client that leaves while it waits, frees
// what it held; a chunked body holds the largest size until it has arrived, then its own;
// a body trickled slower than CUSTOS_REQUEST_TIMEOUT_SECONDS allows is cut off with 408 and
// what it held is freed.
import { Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { loadConfig } from '../../libs/core/src/config/config';
import { RawBody, RawBodyTypes } from '../../apps/api/src/http/raw-body';
import { configureHttp, createHttpAdapter } from '../../apps/server/src/http-platform';

const KIB = 1024;
/** Handlers waiting to answer, in arrival order; each answers when its function is called. */
const holding: (() => void)[] = [];

@RawBodyTypes('text/plain')
@Controller('t')
class AdmissionTestController {
  @Post('hold')
  async hold(@RawBody() body: Buffer): Promise<{ bytes: number }> {
    await new Promise<void>((resolve) => holding.push(resolve));
    return { bytes: body.length };
  }

  @Post('now')
  now(@RawBody() body: Buffer): { bytes: number } {
    return { bytes: body.length };
  }

  @Get('ping')
  ping(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [AdmissionTestController] })
class AdmissionTestModule {}

async function start(env: Record<string, string>) {
  const config = loadConfig({ PORT: '0', ...env });
  const app = await NestFactory.create<NestFastifyApplication>(
    AdmissionTestModule,
    createHttpAdapter(config),
    { logger: false },
  );
  configureHttp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}` };
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { bytes?: number; errors?: { message: string; extensions: { code: string } }[] };
}

/** A POST whose body is written by `write` (all of it by default); `req` to cut it off. */
function post(
  url: string,
  bytes: number,
  options: { chunked?: boolean; write?: (req: ClientRequest, body: Buffer) => void } = {},
): { answer: Promise<Answer>; req: ClientRequest } {
  const body = Buffer.alloc(bytes, 'x');
  const req = httpRequest(url, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain',
      ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': bytes }),
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: res.headers['retry-after'],
          body: (text === '' ? {} : JSON.parse(text)) as Answer['body'],
        }),
      );
    });
    req.on('error', reject);
  });
  if (options.write) options.write(req, body);
  else req.end(body);
  return { answer, req };
}

const until = async (what: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
const releaseAll = () => holding.splice(0).forEach((answer) => answer());

/** A small app started with `env` for the tests of one describe block, stopped after them. */
function served(env: Record<string, string>): { readonly url: string } {
  let running: { app: NestFastifyApplication; url: string } | undefined;
  beforeAll(async () => {
    running = await start({
      CUSTOS_MAX_BODY_BYTES: String(256 * KIB),
      CUSTOS_MAX_INFLIGHT_BODY_BYTES: String(256 * KIB),
      ...env,
    });
  });
  afterAll(async () => {
    releaseAll();
    await running?.app.close();
  });
  return {
    get url() {
      return running!.url;
    },
  };
}

describe('the admission limit on request bodies held at once', () => {
  describe('with a short wait', () => {
    const server = served({ CUSTOS_ADMISSION_WAIT_MS: '200' });
    afterEach(releaseAll);

    it('answers a body that finds no room 503 UNAVAILABLE with Retry-After; once the first is answered, the retry goes in', async () => {
      const first = post(`${server.url}/t/hold`, 200 * KIB);
      await until(() => holding.length === 1);
      const started = Date.now();
      const second = await post(`${server.url}/t/now`, 100 * KIB).answer;
      expect(Date.now() - started).toBeGreaterThanOrEqual(190); // it waited its 200 ms
      expect(second).toMatchObject({ status: 503, retryAfter: '1' });
      expect(second.body.errors).toEqual([
        {
          message: expect.stringContaining(
            'holds at most 262144 bytes of request bodies at once (CUSTOS_MAX_INFLIGHT_BODY_BYTES)',
          ) as string,
          extensions: { code: 'UNAVAILABLE' },
        },
      ]);
      releaseAll();
      expect(await first.answer).toMatchObject({ status: 201, body: { bytes: 200 * KIB } });
      expect(await post(`${server.url}/t/now`, 100 * KIB).answer).toMatchObject({
        status: 201,
        body: { bytes: 100 * KIB },
      });
    });

    it('lets small bodies and GETs pass while the limit is full', async () => {
      const big = post(`${server.url}/t/hold`, 256 * KIB);
      await until(() => holding.length === 1);
      expect(await post(`${server.url}/t/now`, 64 * KIB).answer).toMatchObject({ status: 201 });
      expect((await fetch(`${server.url}/t/ping`)).status).toBe(200);
      releaseAll();
      expect(await big.answer).toMatchObject({ status: 201 });
    });

    it('frees what an upload cut off mid-way held', async () => {
      const cut = post(`${server.url}/t/hold`, 256 * KIB, {
        write: (req, body) => req.write(body.subarray(0, 16 * KIB)),
      });
      cut.answer.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100)); // admitted, body arriving
      expect((await post(`${server.url}/t/now`, 100 * KIB).answer).status).toBe(503);
      cut.req.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await post(`${server.url}/t/now`, 256 * KIB).answer).toMatchObject({ status: 201 });
    });

    it('holds the largest size for a chunked body until it has arrived, then only its own', async () => {
      const chunked = post(`${server.url}/t/hold`, 100 * KIB, { chunked: true });
      await until(() => holding.length === 1); // received: it holds its 100 KiB now
      expect(await post(`${server.url}/t/now`, 150 * KIB).answer).toMatchObject({ status: 201 });
      expect((await post(`${server.url}/t/now`, 160 * KIB).answer).status).toBe(503);
      releaseAll();
      expect(await chunked.answer).toMatchObject({ status: 201, body: { bytes: 100 * KIB } });
    });
  });

  describe('with the default wait', () => {
    const server = served({});

    it('queues bodies that do not fit and takes them in arrival order, none refused', async () => {
      const answered: number[] = [];
      const sent = [0, 1, 2, 3].map((i) => {
        const one = post(`${server.url}/t/hold`, (150 + i) * KIB);
        void one.answer.then(() => answered.push(i));
        return one;
      });
      for (let n = 1; n <= sent.length; n++) {
        await until(() => holding.length === 1); // one at a time: 150 KiB + 151 KiB > 256 KiB
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(holding).toHaveLength(1);
        releaseAll();
        await until(() => answered.length === n);
      }
      expect(answered).toEqual([0, 1, 2, 3]);
      const answers = await Promise.all(sent.map((one) => one.answer));
      expect(answers.map((a) => [a.status, a.body.bytes])).toEqual(
        [0, 1, 2, 3].map((i) => [201, (150 + i) * KIB]),
      );
    });

    it('frees nothing twice and leaks nothing when a client leaves while it waits', async () => {
      const first = post(`${server.url}/t/hold`, 200 * KIB);
      await until(() => holding.length === 1);
      const leaving = post(`${server.url}/t/now`, 200 * KIB);
      leaving.answer.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100)); // queued
      leaving.req.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      releaseAll();
      expect((await first.answer).status).toBe(201);
      // The whole limit is free: neither the one answered nor the one gone holds anything.
      expect(await post(`${server.url}/t/now`, 256 * KIB).answer).toMatchObject({ status: 201 });
    });
  });

  describe('with a short request timeout', () => {
    const server = served({ CUSTOS_ADMISSION_WAIT_MS: '200', CUSTOS_REQUEST_TIMEOUT_SECONDS: '1' });

    it('cuts off a body trickled slower than the timeout with 408, and frees what it held', async () => {
      let trickle: NodeJS.Timeout | undefined = undefined;
      const slow = post(`${server.url}/t/hold`, 256 * KIB, {
        write: (req, body) => {
          let sent = 0;
          trickle = setInterval(() => {
            if (req.destroyed || sent >= body.length) return clearInterval(trickle);
            req.write(body.subarray(sent, sent + 1024));
            sent += 1024;
          }, 50);
        },
      });
      const status = slow.answer.then(
        (answer) => answer.status,
        () => 'connection closed',
      );
      await new Promise((resolve) => setTimeout(resolve, 200)); // admitted, trickling
      expect((await post(`${server.url}/t/now`, 100 * KIB).answer).status).toBe(503);
      const started = Date.now();
      // Node answers 408 and closes; the client may see either first.
      expect([408, 'connection closed']).toContain(await status);
      clearInterval(trickle);
      expect(Date.now() - started).toBeLessThan(2500); // 1 s from its first byte, checked every 100 ms
      expect(holding).toHaveLength(0); // it never reached the handler
      expect(await post(`${server.url}/t/now`, 256 * KIB).answer).toMatchObject({
        status: 201,
        body: { bytes: 256 * KIB },
      });
    });

    it('does not cut a request whose answer takes longer than the timeout', async () => {
      const held = post(`${server.url}/t/hold`, 100 * KIB);
      await until(() => holding.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      releaseAll();
      expect(await held.answer).toMatchObject({ status: 201, body: { bytes: 100 * KIB } });
    });
  });
});
