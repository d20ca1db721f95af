// The epcis_capture_job table: capture jobs (REST binding CaptureJob) shared by every API
// replica, so GET /epcis/capture/{id} answers from whichever replica it reaches. The
// process running a job refreshes its heartbeat; a job whose heartbeat stopped (its process
// died) is reported finished and failed instead of running forever. Jobs are kept a day.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import type { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import type { CaptureErrorBehaviour } from '@custos/epcis/capture';
import { epcisProblem, type Problem } from '@custos/epcis/problem';

export interface CaptureJob {
  readonly captureID: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
  readonly running: boolean;
  readonly success: boolean;
  readonly captureErrorBehaviour: CaptureErrorBehaviour;
  readonly errors: readonly Problem[];
}

/** How often a running job's process says it is alive, and when silence means it died. */
export const CAPTURE_HEARTBEAT_MS = 2_000;
export const CAPTURE_STALE_MS = 15_000;
const KEEP_MS = 24 * 60 * 60_000;

type Row = {
  captureId: string;
  owner: string;
  behaviour: string;
  errors: Prisma.JsonValue;
  success: boolean;
  createdAt: Date;
  heartbeatAt: Date;
  finishedAt: Date | null;
};

const STOPPED = epcisProblem('ImplementationException', 'The capture stopped', {
  detail:
    'the API process running this capture stopped before it finished; events it stored are in the ledger: capture the document again (stored events come back as duplicates)',
});

function toJob(row: Row, now: number): CaptureJob {
  const errors = row.errors as unknown as Problem[];
  const base = {
    captureID: row.captureId,
    createdAt: row.createdAt.toISOString(),
    captureErrorBehaviour: row.behaviour as CaptureErrorBehaviour,
  };
  if (row.finishedAt)
    return {
      ...base,
      finishedAt: row.finishedAt.toISOString(),
      running: false,
      success: row.success,
      errors,
    };
  if (now - row.heartbeatAt.getTime() > CAPTURE_STALE_MS)
    return {
      ...base,
      finishedAt: new Date(row.heartbeatAt.getTime()).toISOString(),
      running: false,
      success: false,
      errors: [...errors, STOPPED],
    };
  return { ...base, running: true, success: row.success, errors };
}

@Injectable()
export class CaptureJobRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** A new running job of `owner`'s; jobs older than a day are dropped on the way. */
  async create(
    owner: string,
    behaviour: CaptureErrorBehaviour,
    now = new Date(),
  ): Promise<CaptureJob> {
    const jobs = this.storage.prisma.epcisCaptureJob;
    await jobs.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - KEEP_MS) } } });
    const row = await jobs.create({
      data: { captureId: randomUUID(), owner, behaviour, createdAt: now, heartbeatAt: now },
    });
    return toJob(row, now.getTime());
  }

  /** The running job is alive; its errors so far. */
  async heartbeat(captureID: string, errors: readonly Problem[]): Promise<void> {
    await this.storage.prisma.epcisCaptureJob.updateMany({
      where: { captureId: captureID, finishedAt: null },
      data: { heartbeatAt: new Date(), errors: errors as unknown as Prisma.InputJsonValue },
    });
  }

  async finish(captureID: string, errors: readonly Problem[]): Promise<void> {
    await this.storage.prisma.epcisCaptureJob.updateMany({
      where: { captureId: captureID, finishedAt: null },
      data: {
        finishedAt: new Date(),
        success: errors.length === 0,
        errors: errors as unknown as Prisma.InputJsonValue,
      },
    });
  }

  async find(
    captureID: string,
    now = Date.now(),
  ): Promise<{ job: CaptureJob; owner: string } | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(captureID))
      return undefined;
    const row = await this.storage.prisma.epcisCaptureJob.findUnique({
      where: { captureId: captureID },
    });
    if (!row || now - row.createdAt.getTime() > KEEP_MS) return undefined;
    return { job: toJob(row, now), owner: row.owner };
  }
}
