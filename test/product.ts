// Runs the built product (`node <flags> dist/apps/server/src/main.js`, what `npm start` runs,
// with its node flags) as a child process, the way an operator does, and reads what it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export const MAIN = join(__dirname, '..', 'dist', 'apps', 'server', 'src', 'main.js');

/** The node flags of package.json's `start` (`node <flags> dist/…/main.js`). */
export const START_NODE_ARGS: readonly string[] = (() => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = pkg.scripts.start.trim().split(/\s+/);
  if (words[0] !== 'node' || words[words.length - 1] !== 'dist/apps/server/src/main.js')
    throw new Error(`package.json start is not "node <flags> dist/apps/server/src/main.js"`);
  return words.slice(1, -1);
})();

export interface Product {
  readonly url: string;
  readonly process: ChildProcess;
  output(): string;
  /**
   * Sends `signal` to its process group and resolves with the exit code once nothing of
   * the group is left (what remains after a grace period is killed).
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startProduct(
  env: Record<string, string>,
  timeoutMs = 60_000,
  /** Node options after the start command's own, e.g. ['--cpu-prof'] under a benchmark. */
  nodeArgs: readonly string[] = [],
): Promise<Product> {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run npm run build first (npm test does)`);
  return startCommand(process.execPath, [...START_NODE_ARGS, ...nodeArgs, MAIN], env, timeoutMs);
}

/**
 * A command line exactly as a user types it in the repository (`sh -c`, e.g. the README's
 * `npm start`), in its own process group, listening on `port`: resolves once GET /health
 * there answers, so nothing depends on what the command prints. stop() ends the whole
 * group (npm, its shell, node) and resolves only when none of it is left.
 */
export async function startAsTyped(
  commandLine: string,
  env: Record<string, string>,
  port: number,
  timeoutMs = 120_000,
): Promise<Product> {
  const url = `http://127.0.0.1:${port}`;
  const started = launch('sh', ['-c', commandLine], { ...env, PORT: String(port) });
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void started.exited.then(() => (gone = true));
  try {
    for (;;) {
      const answered = await fetch(`${url}/health`).then(
        (res) => res.ok,
        () => false,
      );
      if (answered) break;
      if (gone) throw new Error(`${commandLine} exited before answering:\n${started.output()}`);
      if (Date.now() > deadline) {
        throw new Error(`${commandLine}: no answer within ${timeoutMs} ms:\n${started.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (err) {
    await started.stop('SIGKILL');
    throw err;
  }
  return { url, process: started.child, output: started.output, stop: started.stop };
}

/** A free TCP port on 127.0.0.1 (free when asked; the kernel does not hand it out again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** `npm start` itself (the prestart build check, then the product), in the repository. */
export function startWithNpm(env: Record<string, string>, timeoutMs = 120_000): Promise<Product> {
  return startCommand('npm', ['start', '--silent'], env, timeoutMs);
}

async function startCommand(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Product> {
  const started = launch(command, args, { PORT: '0', ...env });
  const { child, output } = started;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no start within ${timeoutMs} ms:\n${output()}`)),
      timeoutMs,
    );
    const check = () => {
      const match = /listening on .*?(http:\/\/127\.0\.0\.1:\d+)/.exec(output());
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    void started.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before starting:\n${output()}`));
    });
  }).catch(async (err: unknown) => {
    await started.stop('SIGKILL');
    throw err;
  });
  return { url, process: child, output, stop: started.stop };
}

interface Launched {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly output: () => string;
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** How long stop() lets a process group end by itself before it kills what is left. */
const STOP_GRACE_MS = 20_000;

/** The groups launched and not yet stopped: killed if this process ends first. */
const running = new Set<number>();
process.once('exit', () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function launch(command: string, args: readonly string[], env: Record<string, string>): Launched {
  // Its own process group, so that stop() reaches node under npm's shell too.
  const child = spawn(command, args, {
    cwd: join(__dirname, '..'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const pgid = child.pid!;
  running.add(pgid);
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pgid, signal);
    } catch {
      // already gone
    }
  };
  return {
    child,
    exited,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      signalGroup(signal);
      const code = await exited;
      // npm's own exit is not the product's: wait for every process of the group.
      const deadline = Date.now() + STOP_GRACE_MS;
      while (groupMembers(pgid).length > 0) {
        if (Date.now() > deadline) signalGroup('SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      running.delete(pgid);
      return code;
    },
  };
}

/**
 * The live processes of process group `pgid` (zombies left out: nothing may reap them
 * here). From /proc, where there is one; else whether kill(-pgid, 0) reaches any.
 */
export function groupMembers(pgid: number): number[] {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // ended while being read
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(name));
  }
  return members;
}

/** Runs the built product expecting it to stop by itself (a refused start): code and output. */
export function runProductToExit(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run npm run build first (npm test does)`);
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
