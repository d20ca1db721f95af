import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Config } from '@custos/core/config/config';
import { GraphqlWsServer } from '../../api/src/graphql/subscriptions';
import { ParticipantService } from '@custos/participants/participant.service';
import { WitnessService } from '@custos/witness/witness.service';
import { AppModule } from './app.module';
import { configureHttp, createHttpAdapter } from './http-platform';
import { bindProblem, checkBeforeStart, describeBinding, StartupError } from './startup-checks';

export interface RunningApp {
  readonly app: NestFastifyApplication;
  /** Where this machine reaches it (127.0.0.1 when every interface is bound). */
  readonly url: string;
  /** What it binds, in words: address, port and who can reach it. */
  readonly boundTo: string;
  /** Stops taking requests, lets running requests and jobs finish, closes connections. */
  stop(): Promise<void>;
}

/** Builds and starts the process for `config`: migrations first, then the roles. */
export async function startApp(
  config: Config,
  options: { logger?: false } = {},
): Promise<RunningApp> {
  await checkBeforeStart(config); // one sentence, before anything is opened
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    createHttpAdapter(config),
    { logger: options.logger ?? ['log', 'warn', 'error'] },
  );
  const http = configureHttp(app);
  const subscriptions =
    config.role === 'api' || config.role === 'all' ? app.get(GraphqlWsServer) : undefined;
  try {
    await app.listen(config.port, config.bindAddress);
  } catch (err) {
    // Taken between the check and now: the same sentence. Whatever failed (a port, a
    // module that refused to start), what the modules opened is closed before the error.
    const problem = bindProblem(err, config.bindAddress, config.port);
    await app.close().catch(() => undefined);
    throw problem ? new StartupError(problem) : err;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const bound = typeof address === 'object' && address ? address.address : config.bindAddress;
  const binding = describeBinding(bound, port); // what the socket says, not what was asked
  let stopping: Promise<void> | undefined;
  return {
    app,
    url: binding.url,
    boundTo: binding.where,
    stop() {
      stopping ??= (async () => {
        // Subscriptions end first (they would hold the server open), then new requests
        // are refused and running ones finish; then the worker drains and connections close.
        await subscriptions?.close();
        await http.drain();
        await app.close();
      })();
      return stopping;
    },
  };
}

export function logStart(config: Config, running: RunningApp): void {
  const logger = new Logger('Custos');
  if (config.role === 'witness') {
    const witness = running.app.get(WitnessService);
    logger.log(
      `listening on ${running.boundTo} (witness: POST /add-checkpoint for ${witness.origins().join(', ')}; health at /health)`,
    );
    logger.log(`witness vkey: ${witness.vkey()}`);
    return;
  }
  const parts = config.role === 'worker' ? ['worker'] : ['GraphQL at /graphql'];
  if (config.role === 'all') parts.push('worker');
  logger.log(`listening on ${running.boundTo} (${parts.join(', ')}; health at /health)`);
  if (config.witnesses.length === 0) {
    logger.warn(
      'the ledger is unwitnessed: no CUSTOS_WITNESSES, so nothing outside this database vouches for its checkpoints (docs/witness.md)',
    );
  } else {
    logger.log(
      `witnessed by ${config.witnesses.length} witness(es), quorum ${config.witnessQuorum}: ${config.witnesses.map((w) => w.url).join(', ')}`,
    );
  }
}

/** What to do next, for someone who just ran `npm start`: the scan page, and the demo on an empty store. */
export async function logNextSteps(config: Config, running: RunningApp): Promise<void> {
  if (config.role !== 'api' && config.role !== 'all') return;
  const logger = new Logger('Custos');
  logger.log(`scan page: ${running.url}/ (sign in with a participant's key file)`);
  const participants = running.app.get(ParticipantService, { strict: false });
  if (!(await participants.any())) {
    logger.log(
      'no participants yet — run `npm run custos -- demo` for a demo supply chain to scan, or register them (docs/cli.md)',
    );
  }
}
