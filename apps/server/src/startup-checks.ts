// What is checked before anything is opened, so that a start that cannot succeed says why
// in one sentence (main.ts prints it and exits 1), rather than failing seconds later with a
// stack trace after "successfully started": the HTTP port is free on the bind address,
// and the embedded data folder is not held by another process.
import { createServer } from 'node:net';
import type { Config } from '@custos/core/config/config';
import { assertDataDirFree } from '@custos/core/database/data-dir-lock';

/** A start refused for a reason the operator fixes; its message is the whole sentence. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** The sentence for an error of binding `host`:`port`, undefined for other errors. */
export function bindProblem(err: unknown, host: string, port: number): string | undefined {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use by another program: stop it, or set PORT to a free port (PORT=0 takes any)`;
    case 'EACCES':
      return `port ${port} on ${host} needs privileges this process lacks: set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `CUSTOS_BIND_ADDRESS ${host} is not an address of this machine: set it to one (127.0.0.1, 0.0.0.0 for every interface)`;
    default:
      return undefined;
  }
}

/** Resolves when `host`:`port` can be bound (port 0 always can); StartupError otherwise. */
export function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => {
      const problem = bindProblem(err, host, port);
      reject(problem ? new StartupError(problem) : err);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

export async function checkBeforeStart(config: Config): Promise<void> {
  if (config.database.kind === 'pglite') assertDataDirFree(config.dataDir);
  await assertPortFree(config.bindAddress, config.port);
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** What a start binds, said the way an operator reads it, and the URL to reach it from here. */
export function describeBinding(host: string, port: number): { url: string; where: string } {
  if (WILDCARDS.has(host)) {
    const url = `http://${host === '::' ? '[::1]' : '127.0.0.1'}:${port}`;
    return {
      url,
      where: `${host.includes(':') ? `[${host}]` : host}:${port}, every network interface (${url} from here)`,
    };
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const loopback = host === '127.0.0.1' || host === '::1';
  return {
    url,
    where: loopback
      ? `${url}, this machine only (CUSTOS_BIND_ADDRESS=0.0.0.0 opens it to the network)`
      : url,
  };
}
