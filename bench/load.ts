// HTTP load from a separate process: autocannon runs as its own child process, so the
// load generator never shares an event loop with the server it measures or with the
// bench. Loopback only, and every run is bounded in time.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const AUTOCANNON = require.resolve('autocannon/autocannon.js');

export interface LoadRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface LoadResult {
  /** Mean requests per second over the run. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers that were not 2xx, plus connection errors and timeouts. */
  readonly failures: number;
  readonly total: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** `connections` clients back to back against `request` for `seconds` seconds. */
export async function loadTest(
  request: LoadRequest,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const target = new URL(request.url);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost')
    throw new Error(`load tests stay on loopback; refusing ${request.url}`);
  const args = [
    AUTOCANNON,
    '--json',
    '--connections',
    String(connections),
    '--duration',
    String(seconds),
    '--timeout',
    '10',
    '--method',
    request.method ?? 'GET',
  ];
  for (const [name, value] of Object.entries(request.headers ?? {}))
    args.push('--headers', `${name}=${value}`);
  if (request.body !== undefined) args.push('--body', request.body);
  args.push(request.url);

  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  if (code !== 0) throw new Error(`autocannon exited with ${code}: ${stderr.slice(-2000)}`);
  const result = JSON.parse(stdout) as AutocannonJson;
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    total: result.requests.total,
  };
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
