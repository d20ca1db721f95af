// EPCIS 2.0 named-query streams (REST binding: GET /epcis/queries/{queryName}/events with
// `Upgrade: websocket` and `stream=true`; SPEC section 10). Each socket follows the sealed
// log by leaf index — blocks commit one after another with all their leaves, so following
// leaf indexes never skips an event — and sends every new matching event the caller may read
// (SPEC 7's read rule, as GET /events) as an EPCISQueryDocument text message, at most a
// page (the query's perPage) per message, checking once a second. It starts at the events
// recorded from `GS1-Query-Min-Record-Time` on, or from now. The session is checked before
// every check: a token that has expired closes the socket with 4401, a revoked key with 4403
// (the codes of GraphQL subscriptions, socket-sessions.ts). Refusals before the upgrade are problem+json, as the
// other EPCIS routes answer. Schedule subscriptions (`second`, `minute`, …) are refused.
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { epcisQueryDocument } from '@custos/epcis/document';
import { epcFormatOf, type EventQuery } from '@custos/epcis/event-query';
import type { EpcFormat } from '@custos/epcis/identifiers';
import { EpcisQueryService } from '@custos/epcis-repository/epcis-query.service';
import { NamedQueryService } from '@custos/epcis-repository/named-query.service';
import { BearerAuthenticator } from '../auth/bearer-authenticator';
import { KEY_REVOKED_CLOSE, SESSION_EXPIRED_CLOSE } from '../graphql/socket-sessions';
import { HttpUpgrades } from '../http/http-upgrades';
import { classify, epcisProblemBody } from './problem.filter';
import { streamControls } from './stream-controls';

const PATH = /^\/epcis\/queries\/([^/]+)\/events$/;
export const STREAM_CHECK_MS = 1000;
/** A socket whose client reads slower than this many bytes behind is not sent more yet. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

interface Stream {
  readonly socket: WebSocket;
  readonly authorization: string;
  readonly name: string;
  readonly query: EventQuery;
  readonly format: EpcFormat;
  nextLeaf: number;
  timer?: NodeJS.Timeout;
  checking: boolean;
}

function minRecordTime(header: string | string[] | undefined): Date | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time.getTime()))
    throw new DomainError(
      'BAD_USER_INPUT',
      'GS1-Query-Min-Record-Time: expected an RFC 3339 date-time',
      'GS1-Query-Min-Record-Time',
    );
  return time;
}

/** Answers a refused upgrade with a problem+json response and closes the socket. */
function refuse(socket: Duplex, error: unknown, instance: string): boolean {
  const classified = classify(error);
  const c = classified ?? {
    status: 500,
    epcisType: 'ImplementationException' as const,
    detail: 'internal error',
  };
  const body = JSON.stringify(epcisProblemBody(c, instance));
  socket.end(
    `HTTP/1.1 ${c.status} ${STATUS_CODES[c.status] ?? 'Error'}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  return classified !== undefined;
}

@Injectable()
export class NamedQueryStreams implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EpcisStreams');
  private readonly sockets = new WebSocketServer({ noServer: true });
  private readonly streams = new Set<Stream>();

  constructor(
    private readonly upgrades: HttpUpgrades,
    private readonly bearer: BearerAuthenticator,
    private readonly queries: NamedQueryService,
    private readonly events: EpcisQueryService,
  ) {}

  get openCount(): number {
    return this.streams.size;
  }

  onApplicationBootstrap(): void {
    this.upgrades.add({
      matches: (path) => PATH.test(path),
      handle: (request, socket, head) => void this.upgrade(request, socket, head),
    });
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      const name = decodeURIComponent(PATH.exec(url.pathname)?.[1] ?? '');
      streamControls(url.searchParams);
      const authorization = request.headers.authorization ?? '';
      const principal = await this.bearer.principalOf(authorization || undefined);
      if (!principal)
        throw new DomainError(
          'UNAUTHENTICATED',
          'sign in first: EPCIS queries need a bearer token',
        );
      const query = await this.queries.streamQuery(principal, name);
      const format = epcFormatOf(request.headers['gs1-epc-format']);
      const nextLeaf = await this.events.streamStart(
        minRecordTime(request.headers['gs1-query-min-record-time']),
      );
      this.sockets.handleUpgrade(request, socket, head, (ws) =>
        this.follow({ socket: ws, authorization, name, query, format, nextLeaf, checking: false }),
      );
    } catch (err) {
      if (!refuse(socket, err, url.pathname))
        this.logger.error(
          `upgrade ${url.pathname}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
    }
  }

  private follow(stream: Stream): void {
    this.streams.add(stream);
    stream.socket.on('close', () => this.drop(stream));
    stream.socket.on('error', () => this.drop(stream));
    stream.timer = setInterval(() => void this.check(stream), STREAM_CHECK_MS);
    stream.timer.unref();
    void this.check(stream);
  }

  /** Sends what was sealed since the last check, a page per message. */
  private async check(stream: Stream): Promise<void> {
    if (stream.checking || stream.socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    stream.checking = true;
    try {
      let principal: Principal | undefined;
      try {
        principal = await this.bearer.principalOf(stream.authorization);
      } catch (err) {
        const revoked = err instanceof DomainError && err.code === 'KEY_REVOKED';
        this.close(
          stream,
          revoked ? KEY_REVOKED_CLOSE : SESSION_EXPIRED_CLOSE,
          revoked ? 'key revoked: sign in with another key' : 'session ended: sign in again',
        );
        return;
      }
      for (;;) {
        if (!this.streams.has(stream)) return;
        const page = await this.events.sealedFrom(
          principal,
          stream.query,
          stream.nextLeaf,
          stream.format,
        );
        stream.nextLeaf = page.nextLeaf;
        if (page.events.length === 0) return;
        const document = epcisQueryDocument(page.events, {
          queryName: stream.name,
          creationDate: new Date().toISOString(),
        });
        stream.socket.send(JSON.stringify(document));
        if (page.events.length < stream.query.perPage) return;
      }
    } catch (err) {
      // The database may be away for a moment: the stream waits and checks again.
      this.logger.warn(
        `stream ${stream.name}: ${err instanceof Error ? err.message : String(err)}; checking again`,
      );
    } finally {
      stream.checking = false;
    }
  }

  private close(stream: Stream, code: number, reason: string): void {
    this.drop(stream);
    stream.socket.close(code, reason);
  }

  private drop(stream: Stream): void {
    clearInterval(stream.timer);
    this.streams.delete(stream);
  }

  /** Ends every stream (1001 going away): open sockets would hold the HTTP server's close. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const stream of [...this.streams]) this.close(stream, 1001, 'server stopping');
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
  }
}
