// Shared bench helpers. Every figure is printed next to a reference measured in the same
// run (raw SHA-256 or Ed25519 on the same core), because these machines are shared and
// noisy: ratios travel between machines, absolute numbers do not.
import { createHash } from 'node:crypto';

export interface BenchContext {
  /** Small sizes for CI's smoke run; full sizes when run by hand. */
  readonly smoke: boolean;
  /** `--size=N`: the ledger size a benchmark builds, in place of its smoke or full size. */
  readonly size?: number;
  report(name: string, value: number, unit: string, note?: string): void;
}

export interface Bench {
  readonly name: string;
  run(ctx: BenchContext): Promise<void> | void;
}

/** Runs `fn` repeatedly for at least `minMs` and returns operations per second. */
export function opsPerSecond(fn: () => unknown, minMs = 500, batch = 1): number {
  for (let i = 0; i < Math.min(50, batch * 5); i++) fn(); // warm up
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (ops * 1000) / elapsedMs;
}

/** Same-run reference: native SHA-256 of a 64-byte message, per second. */
export function rawSha256Rate(minMs = 300): number {
  const msg = Buffer.alloc(64, 7);
  return opsPerSecond(() => createHash('sha256').update(msg).digest(), minMs, 100);
}

/** The p-th percentile (0–100) of ascending `sorted` values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Node options for a product process under a benchmark: with CUSTOS_BENCH_PROFILE=<dir>
 * it writes a V8 CPU profile there when it stops (open it in Chrome's DevTools);
 * CUSTOS_BENCH_NODE_ARGS (space-separated) come after the start command's own, so a
 * flag can be measured against them (e.g. --max-old-space-size=4096 for V8's default).
 */
export function benchNodeArgs(): string[] {
  const dir = process.env.CUSTOS_BENCH_PROFILE;
  const extra = (process.env.CUSTOS_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  return [...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []), ...extra];
}
