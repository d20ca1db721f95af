// Capture jobs (REST binding CaptureJob) kept in this process's memory, newest last, at
// most MAX_JOBS and for an hour. A job is read back from the API process that ran it: behind
// several replicas, a GET /epcis/capture/{id} must reach the same one (docs/epcis.md, "Capture").
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CaptureErrorBehaviour } from '@custos/epcis/capture';
import type { Problem } from '@custos/epcis/problem';

export interface CaptureJob {
  readonly captureID: string;
  readonly createdAt: string;
  finishedAt?: string;
  running: boolean;
  success: boolean;
  readonly captureErrorBehaviour: CaptureErrorBehaviour;
  readonly errors: Problem[];
}

interface Held {
  readonly job: CaptureJob;
  /** Who captured: only they (and regulators, the admin) read the job. */
  readonly owner: string;
  readonly expiresAt: number;
}

const MAX_JOBS = 10_000;
const TTL_MS = 60 * 60_000;

@Injectable()
export class CaptureJobStore {
  private readonly jobs = new Map<string, Held>();

  create(owner: string, behaviour: CaptureErrorBehaviour, now = new Date()): CaptureJob {
    this.prune(now.getTime());
    const job: CaptureJob = {
      captureID: randomUUID(),
      createdAt: now.toISOString(),
      running: true,
      success: true,
      captureErrorBehaviour: behaviour,
      errors: [],
    };
    this.jobs.set(job.captureID, { job, owner, expiresAt: now.getTime() + TTL_MS });
    return job;
  }

  find(captureID: string, now = Date.now()): { job: CaptureJob; owner: string } | undefined {
    const held = this.jobs.get(captureID);
    return held && held.expiresAt > now ? held : undefined;
  }

  private prune(now: number): void {
    for (const [id, held] of this.jobs) {
      if (held.expiresAt <= now || this.jobs.size >= MAX_JOBS) this.jobs.delete(id);
      else break; // insertion order: the rest are newer
    }
  }
}
