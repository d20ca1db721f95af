// HTTP load from a separate process: autocannon runs as its own child process, so the
// load generator never shares an event loop with the server it measures or with the
// bench. Loopback only, and every run is bounded in time. The same for a paced ingest
// (bench/ingest-worker.cjs), so that scans and submissions come from other processes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORKER = join(__dirname, 'load-worker.cjs');

export interface LoadRequest {
  readonly method?: 'GET' | 'POST';
  /** Path and query on the load's origin. */
  readonly path: string;
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

/**
 * `connections` clients back to back against `origin` for `seconds` seconds, each request
 * the next of `requests` in turn (so a load can scan many codes as many parties).
 */
export async function loadTest(
  origin: string,
  requests: readonly LoadRequest[],
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const target = new URL(origin);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost')
    throw new Error(`load tests stay on loopback; refusing ${origin}`);
  const dir = mkdtempSync(join(tmpdir(), 'custos-load-'));
  const file = join(dir, 'options.json');
  writeFileSync(
    file,
    JSON.stringify({
      url: origin,
      connections,
      duration: seconds,
      requests: requests.map((r) => ({ method: r.method ?? 'GET', ...r })),
    }),
  );
  try {
    const child = spawn(process.execPath, [WORKER, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(killer);
    if (code !== 0) throw new Error(`load generator exited with ${code}: ${stderr.slice(-2000)}`);
    const result = JSON.parse(stdout) as AutocannonJson;
    if (result.requests.total === 0)
      throw new Error(`no request completed in ${seconds} s: ${stdout.slice(0, 1500)}`);
    return {
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      failures: result.non2xx + result.errors + result.timeouts,
      total: result.requests.total,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const INGEST_WORKER = join(__dirname, 'ingest-worker.cjs');

export interface PacedIngestResult {
  readonly accepted: number;
  readonly rejected: number;
  /** Events of batches that failed (HTTP or GraphQL error). */
  readonly failed: number;
  /** Events not sent because `maxInFlight` batches were still unanswered. */
  readonly skipped: number;
  readonly seconds: number;
  readonly acceptedPerSecond: number;
  readonly batchP50Ms: number;
  readonly batchP99Ms: number;
}

/**
 * Pre-signed `submitEvents` batches posted to `origin` from their own process at
 * `perSecond` events/s (an open loop), for at most `seconds` seconds.
 */
export async function pacedIngest(
  origin: string,
  token: string,
  batches: readonly unknown[][],
  perSecond: number,
  seconds: number,
  maxInFlight = 8,
): Promise<PacedIngestResult> {
  const dir = mkdtempSync(join(tmpdir(), 'custos-ingest-'));
  const file = join(dir, 'options.json');
  writeFileSync(
    file,
    JSON.stringify({ url: origin, token, batches, perSecond, maxSeconds: seconds, maxInFlight }),
  );
  try {
    const child = spawn(process.execPath, [INGEST_WORKER, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(killer);
    if (code !== 0) throw new Error(`ingest process exited with ${code}: ${stderr.slice(-2000)}`);
    const result = JSON.parse(stdout) as PacedIngestResult;
    if (result.failed > 0 || result.rejected > 0)
      throw new Error(`paced ingest: ${stdout}\n${stderr.slice(-2000)}`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
