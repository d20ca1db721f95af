// Every job the worker runs: its name and payload type. A worker must have a handler for
// each (JobWorker checks at start), and producers can only enqueue what is listed here.

export const QUEUE_NAME = 'custos';

export interface CustosJobs {
  /** A worker records that it is alive and taking jobs (see /health). */
  heartbeat: { readonly scheduledEveryMs: number };
}

export const jobNames = ['heartbeat'] as const satisfies readonly (keyof CustosJobs)[];
