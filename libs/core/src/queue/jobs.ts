// Every job the worker runs: its name and payload type. A worker must have a handler for
// each (JobWorker checks at start), and producers can only enqueue what is listed here.

export const QUEUE_NAME = 'custos';

export interface CustosJobs {
  /** A worker records that it is alive and taking jobs (see /health). */
  heartbeat: { readonly scheduledEveryMs: number };
  /**
   * Seal what is due (libs/sealing). A hint only, enqueued after accepted submissions:
   * the worker also seals on its own timer, so a lost job delays nothing for long.
   */
  seal: { readonly trigger: 'accepted' | 'sweep' };
  /** Re-verify the whole ledger for audit run `runId` (libs/regulators); resumes from its cursor. */
  audit: { readonly runId: string };
}

export const jobNames = [
  'heartbeat',
  'seal',
  'audit',
] as const satisfies readonly (keyof CustosJobs)[];
