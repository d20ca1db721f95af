// The HTTP platform: Fastify under Nest (docs/adr/0005). What every route shares is set
// here once: the body size cap (CUSTOS_MAX_BODY_BYTES) and the bytes of bodies held at
// once (CUSTOS_MAX_INFLIGHT_BODY_BYTES, body-admission.ts) and how long a request may take
// to arrive (CUSTOS_REQUEST_TIMEOUT_SECONDS), which proxies' X-Forwarded-For to
// believe for the client address (CUSTOS_TRUST_PROXY_HOPS), the content types whose body
// reaches a handler as raw bytes (@RawBody, raw-body.ts), and the drain at stop.
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ModulesContainer } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Config } from '@custos/core/config/config';
import { RAW_BODY_TYPES } from '../../api/src/http/raw-body';
import { admitBodies } from './body-admission';

export function createHttpAdapter(config: Config): FastifyAdapter {
  const { requestTimeoutMs } = config.requestLimits;
  const adapter = new FastifyAdapter({
    bodyLimit: config.requestLimits.maxBodyBytes,
    // Node answers 408 and closes the connection of a request not wholly received in time,
    // but only looks every connectionsCheckingInterval (30 s by default): a tenth of the
    // timeout makes the bound hold to within 10%. Fastify sets the server's requestTimeout
    // from its own option; `http` is what it passes to http.createServer.
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: Math.min(60_000, requestTimeoutMs),
      connectionsCheckingInterval: Math.min(30_000, Math.ceil(requestTimeoutMs / 10)),
    },
    // Trusts the nearest CUSTOS_TRUST_PROXY_HOPS hops of X-Forwarded-For (request.ip is
    // the address the farthest trusted proxy saw); 0 uses the peer address.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    // Our own log lines (Nest's logger) say what matters; Fastify's per-request log would
    // only repeat them.
    logger: false,
  });
  admitBodies(adapter.getInstance(), config.requestLimits);
  return adapter;
}

/** Every content type some controller (or one of its handlers) declared with @RawBodyTypes. */
function declaredRawBodyTypes(app: NestFastifyApplication): Set<string> {
  const types = new Set<string>();
  const add = (target: object) => {
    for (const type of (Reflect.getMetadata(RAW_BODY_TYPES, target) ?? []) as string[]) {
      types.add(type.toLowerCase());
    }
  };
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (typeof type !== 'function') continue;
      add(type);
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const method: unknown = Object.getOwnPropertyDescriptor(type.prototype, name)?.value;
        if (typeof method === 'function') add(method);
      }
    }
  }
  return types;
}

export interface HttpDrain {
  /** Refuses new requests (503), closes idle connections, resolves when the busy ones ended. */
  drain(): Promise<void>;
}

/** Call after NestFactory.create and before listen. */
export function configureHttp(app: NestFastifyApplication): HttpDrain {
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  for (const type of declaredRawBodyTypes(app)) {
    if (type === 'application/json') {
      throw new Error(
        '@RawBodyTypes: application/json is always parsed as JSON; declare another type',
      );
    }
    // Fastify parses text/plain into a string by default: the declaration replaces that.
    if (fastify.hasContentTypeParser(type)) fastify.removeContentTypeParser(type);
    fastify.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });
  }

  // RFC 9110 section 8.3: a body without a Content-Type may be taken as
  // application/octet-stream. Only where some route reads that raw (the witness, whose
  // reference client sends no type); elsewhere such a body stays a 415.
  if (fastify.hasContentTypeParser('application/octet-stream')) {
    fastify.addHook('onRequest', (request, _reply, done) => {
      const { headers } = request;
      const hasBody =
        headers['transfer-encoding'] !== undefined ||
        (headers['content-length'] !== undefined && headers['content-length'] !== '0');
      if (headers['content-type'] === undefined && hasBody) {
        request.headers['content-type'] = 'application/octet-stream';
      }
      done();
    });
  }

  let draining = false;
  // A response that was under way when the stop began closes its connection, so that
  // keep-alive clients do not hold the stop until their idle timeout.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (!draining) return done();
    void reply
      .code(503)
      .header('connection', 'close')
      .send({
        errors: [{ message: 'the server is stopping', extensions: { code: 'UNAVAILABLE' } }],
      });
  });

  return {
    drain() {
      draining = true;
      const server = fastify.server;
      return new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
