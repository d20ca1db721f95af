// WebSocket upgrades of the process's HTTP server, by path: GraphQL subscriptions at
// /graphql (graphql/subscriptions.ts), EPCIS named-query streams under /epcis/queries
// (epcis/named-query-stream.ts). One 'upgrade' listener routes each request to the first
// route whose path test matches; any other path is refused with 404.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

export interface UpgradeRoute {
  /** Whether this route serves `path` (the request's path, without the query). */
  matches(path: string): boolean;
  handle(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

@Injectable()
export class HttpUpgrades implements OnApplicationBootstrap {
  private readonly routes: UpgradeRoute[] = [];

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  add(route: UpgradeRoute): void {
    this.routes.push(route);
  }

  onApplicationBootstrap(): void {
    const http = this.adapterHost.httpAdapter.getHttpServer() as Server;
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      const route = this.routes.find((r) => r.matches(path));
      if (route) route.handle(request, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    });
  }
}

/** HttpUpgrades, one per application, for the modules that serve WebSockets. */
@Module({ providers: [HttpUpgrades], exports: [HttpUpgrades] })
export class HttpUpgradesModule {}
