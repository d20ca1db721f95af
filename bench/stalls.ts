// What else happened while a latency phase ran, so that a slow tail is explained by a
// measurement and not by a guess: pauses of the load generator itself (its event loop
// and its garbage collector: a client that stalls inflates every latency it measures),
// the API process's event-loop lag and GC time (its /metrics, prom-client's defaults),
// and PostgreSQL's background work (autovacuum and autoanalyze runs, checkpoints).
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Client } from 'pg';
import { scrapeMetrics } from './metrics';

export interface Stalls {
  /** The load generator's longest event-loop delay in the phase, ms. */
  readonly clientLoopMaxMs: number;
  /** The load generator's GC pauses in the phase: total and longest, ms. */
  readonly clientGcMs: number;
  readonly clientGcMaxMs: number;
  /** The API process's longest event-loop lag in the phase, ms (NaN: not measured). */
  readonly apiLoopMaxMs: number;
  /** The API process's GC time in the phase by kind (major, minor, …), ms. */
  readonly apiGcMs: Readonly<Record<string, number>>;
  /** Autovacuum and autoanalyze runs that ended in the phase, on the bench database. */
  readonly autovacuums: number;
  /** Checkpoints PostgreSQL began in the phase (timed and requested). */
  readonly checkpoints: number;
  /** Samples (every 500 ms) in which an autovacuum worker was busy on the database. */
  readonly autovacuumBusy: { readonly seen: number; readonly samples: number };
}

export interface StallWatch {
  stop(): Promise<Stalls>;
}

/** Starts watching; `productUrl` is an API process serving /metrics. */
export async function watchStalls(pg: Client, productUrl: string): Promise<StallWatch> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const gcPauses: number[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push(entry.duration);
  });
  const [workBefore, apiBefore] = await Promise.all([backgroundWork(pg), apiMetrics(productUrl)]);
  loop.enable();
  gc.observe({ entryTypes: ['gc'] });
  const busy = { seen: 0, samples: 0 };
  const sampling = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const sample = autovacuumBusy(pg).then((yes) => {
      busy.samples += 1;
      if (yes) busy.seen += 1;
      sampling.delete(sample);
    });
    sampling.add(sample);
  }, 500);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(sampling);
      loop.disable();
      gc.disconnect();
      const [work, api] = await Promise.all([backgroundWork(pg), apiMetrics(productUrl)]);
      const apiGcMs: Record<string, number> = {};
      for (const [kind, seconds] of Object.entries(api.gcSeconds)) {
        apiGcMs[kind] = (seconds - (apiBefore.gcSeconds[kind] ?? 0)) * 1000;
      }
      return {
        clientLoopMaxMs: loop.max / 1e6,
        clientGcMs: gcPauses.reduce((a, b) => a + b, 0),
        clientGcMaxMs: Math.max(0, ...gcPauses),
        apiLoopMaxMs: api.loopMaxSeconds * 1000,
        apiGcMs,
        autovacuums: work.autovacuums - workBefore.autovacuums,
        checkpoints: work.checkpoints - workBefore.checkpoints,
        autovacuumBusy: busy,
      };
    },
  };
}

/** One line for a figure's note. */
export function describeStalls(s: Stalls): string {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const apiGc = Object.entries(s.apiGcMs)
    .filter(([, v]) => v > 0)
    .map(([kind, v]) => `${kind} ${ms(v)}`)
    .join(', ');
  return (
    `load generator: loop max ${ms(s.clientLoopMaxMs)}, GC ${ms(s.clientGcMs)} (longest ${ms(s.clientGcMaxMs)}); ` +
    `API: loop lag max ${ms(s.apiLoopMaxMs)}, GC ${apiGc || 'none'}; ` +
    `PostgreSQL: ${s.autovacuums} autovacuum/analyze runs ended, a worker busy in ` +
    `${s.autovacuumBusy.seen} of ${s.autovacuumBusy.samples} samples, ${s.checkpoints} checkpoints`
  );
}

async function backgroundWork(pg: Client): Promise<{ autovacuums: number; checkpoints: number }> {
  const { rows } = await pg.query<{ autovacuums: string; checkpoints: string }>(
    `SELECT (SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_user_tables) AS autovacuums,
            (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter) AS checkpoints`,
  );
  return { autovacuums: Number(rows[0]!.autovacuums), checkpoints: Number(rows[0]!.checkpoints) };
}

async function autovacuumBusy(pg: Client): Promise<boolean> {
  const { rows } = await pg.query<{ busy: boolean }>(
    `SELECT count(*) > 0 AS busy FROM pg_stat_activity
      WHERE backend_type = 'autovacuum worker' AND datname = current_database()`,
  );
  return rows[0]!.busy;
}

/**
 * The API's GC seconds by kind and event-loop lag maximum. prom-client resets its
 * event-loop histogram at each scrape, so the maximum read at the end is the phase's.
 */
async function apiMetrics(
  url: string,
): Promise<{ gcSeconds: Record<string, number>; loopMaxSeconds: number }> {
  const metrics = await scrapeMetrics(url);
  const gcSeconds: Record<string, number> = {};
  for (const [series, value] of metrics) {
    const gc = /^custos_nodejs_gc_duration_seconds_sum\{kind="(\w+)"\}$/.exec(series);
    if (gc) gcSeconds[gc[1]!] = value;
  }
  return {
    gcSeconds,
    loopMaxSeconds: metrics.get('custos_nodejs_eventloop_lag_max_seconds') ?? NaN,
  };
}
