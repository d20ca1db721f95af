import 'reflect-metadata';
import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import type { Config } from '@custos/core/config/config';
import { configureHttp } from '../../api/src/graphql/http-limits';
import { AppModule } from './app.module';

export interface RunningApp {
  readonly app: INestApplication;
  readonly url: string;
  /** Stops taking requests, lets running requests and jobs finish, closes connections. */
  stop(): Promise<void>;
}

/** Builds and starts the process for `config`: migrations first, then the roles. */
export async function startApp(
  config: Config,
  options: { logger?: false } = {},
): Promise<RunningApp> {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: options.logger ?? ['log', 'warn', 'error'],
    bodyParser: true,
  });
  configureHttp(app, config);
  await app.listen(config.port, '0.0.0.0');
  const server = app.getHttpServer() as Server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let stopping: Promise<void> | undefined;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    stop() {
      stopping ??= (async () => {
        // Refuse new connections at once; idle keep-alive sockets go now, busy ones
        // after their response. Then the worker drains and connections close.
        server.close();
        server.closeIdleConnections();
        await app.close();
      })();
      return stopping;
    },
  };
}

export function logStart(config: Config, running: RunningApp): void {
  const logger = new Logger('Custos');
  const parts = config.role === 'worker' ? ['worker'] : ['GraphQL at /graphql'];
  if (config.role === 'all') parts.push('worker');
  logger.log(`listening on ${running.url} (${parts.join(', ')}; health at /health)`);
}
