// `npm start`: read the environment, apply pending migrations, run the roles, and on
// SIGTERM or SIGINT stop taking requests, let running work finish, close, exit 0.
import { ConfigError, loadConfig } from '@custos/core/config/config';
import { explainRefusedSecrets } from '@custos/core/system/legacy-secrets';
import { DataDirInUseError } from '@custos/core/database/data-dir-lock';
import { DataDirInitError } from '@custos/core/database/pglite-data-dir';
import { KeyDirectoryMissingError } from '@custos/participants/participant.service';
import { logNextSteps, logStart, startApp } from './bootstrap';
import { StartupError } from './startup-checks';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`custos: ${err.message}`);
      const legacy = await explainRefusedSecrets(err, process.env.DATABASE_URL);
      if (legacy) console.error(`custos: ${legacy}`);
      process.exit(1);
    }
    throw err;
  }
  const running = await startApp(config);
  logStart(config, running);
  await logNextSteps(config, running).catch((err: unknown) =>
    console.error(
      'custos: could not check for participants:',
      err instanceof Error ? err.message : err,
    ),
  );

  const shutdown = (signal: string) => {
    const timer = setTimeout(() => {
      console.error(`custos: ${signal}: shutdown took longer than ${config.shutdownTimeoutMs} ms`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('custos: shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // A reason the operator fixes is the whole message; anything else says it is a failure.
  if (
    err instanceof StartupError ||
    err instanceof DataDirInUseError ||
    err instanceof DataDirInitError ||
    err instanceof KeyDirectoryMissingError
  ) {
    console.error(`custos: ${err.message}`);
  } else {
    console.error('custos: failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
