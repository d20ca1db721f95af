// The HTTP platform every endpoint builds on (apps/server/src/http-platform.ts), on a
// small app of its own: raw-body content types, the body cap, the client address through
// trusted proxies, and the drain at stop (a running request finishes, its connection closes).
import { Body, Controller, Get, Ip, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Agent, request as httpRequest } from 'node:http';
import { loadConfig } from '../../libs/core/src/config/config';
import { RawBody, RawBodyTypes } from '../../apps/api/src/http/raw-body';
import {
  configureHttp,
  createHttpAdapter,
  type HttpDrain,
} from '../../apps/server/src/http-platform';

let release: () => void = () => undefined;

@RawBodyTypes('text/plain', 'application/ld+json')
@Controller('t')
class PlatformTestController {
  @Post('raw')
  raw(@RawBody() body: Buffer): { bytes: number; hex: string } {
    return { bytes: body.length, hex: body.subarray(0, 4).toString('hex') };
  }

  @Post('json')
  json(@Body() body: { n: number }): { n: number } {
    return { n: body.n };
  }

  @Get('ip')
  ip(@Ip() ip: string): { ip: string } {
    return { ip };
  }

  @Get('slow')
  async slow(): Promise<{ done: boolean }> {
    await new Promise<void>((resolve) => (release = resolve));
    return { done: true };
  }
}

@Module({ controllers: [PlatformTestController] })
class PlatformTestModule {}

async function start(env: Record<string, string>) {
  const config = loadConfig({ PORT: '0', ...env });
  const app = await NestFactory.create<NestFastifyApplication>(
    PlatformTestModule,
    createHttpAdapter(config),
    { logger: false },
  );
  const http = configureHttp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, http, url: `http://127.0.0.1:${port}` };
}

describe('the HTTP platform', () => {
  let app: NestFastifyApplication;
  let http: HttpDrain;
  let url: string;

  beforeAll(async () => {
    ({ app, http, url } = await start({
      CUSTOS_MAX_BODY_BYTES: '2048',
      CUSTOS_TRUST_PROXY_HOPS: '1',
    }));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('hands declared content types to the handler as the bytes sent', async () => {
    const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x0a, 0x00]);
    for (const type of ['text/plain; charset=utf-8', 'application/ld+json']) {
      const res = await fetch(`${url}/t/raw`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: bytes,
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ bytes: 6, hex: 'deadbeef' });
    }
    // JSON is still parsed, and a JSON body is no raw body.
    const json = await fetch(`${url}/t/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n": 7}',
    });
    expect(await json.json()).toEqual({ n: 7 });
    const wrong = await fetch(`${url}/t/raw`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrong.status).toBe(400);
  });

  it('caps every body at CUSTOS_MAX_BODY_BYTES, raw ones included', async () => {
    const res = await fetch(`${url}/t/raw`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(3000),
    });
    expect(res.status).toBe(413);
  });

  it('takes the client address from X-Forwarded-For only through the trusted hops', async () => {
    const res = await fetch(`${url}/t/ip`, {
      headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' },
    });
    // One trusted hop (the peer, 127.0.0.1): the address it saw is the last entry.
    expect(await res.json()).toEqual({ ip: '198.51.100.7' });
  });

  it('lets a running request finish at stop and closes its keep-alive connection', async () => {
    const answer = new Promise<{ status?: number; connection?: string; body: string }>(
      (resolve, reject) => {
        const req = httpRequest(`${url}/t/slow`, { agent: new Agent({ keepAlive: true }) });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode, connection: res.headers.connection, body }),
          );
        });
        req.on('error', reject);
        req.end();
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // the request is in the handler
    const drained = http.drain();
    const refused = await fetch(`${url}/t/ip`).then(
      (res) => res.status,
      () => 'connection refused',
    );
    expect(refused).toBe('connection refused'); // no new connection once the stop began
    release();
    await expect(answer).resolves.toEqual({
      status: 200,
      connection: 'close',
      body: '{"done":true}',
    });
    await drained; // resolves: no connection holds the server open
  });
});
