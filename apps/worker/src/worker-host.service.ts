import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { JOB_QUEUE, STORAGE, type CustosQueue } from '@custos/core/tokens';
import type { Storage } from '@custos/core/database/storage';
import { JobWorker, type JobHandlers } from '@custos/core/queue/job-queue';
import { type CustosJobs, jobNames, QUEUE_NAME } from '@custos/core/queue/jobs';
import { HeartbeatService } from '@custos/core/system/heartbeat.service';
import { SealingScheduler } from '@custos/sealing/sealing-scheduler.service';
import { AuditService } from '@custos/regulators/audit.service';

export const HEARTBEAT_EVERY_MS = 10_000;

/** Runs the BullMQ worker: one handler per job of the map, each delegating to a service. */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Worker');
  private worker: JobWorker<CustosJobs> | undefined;

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(JOB_QUEUE) private readonly queue: CustosQueue,
    private readonly heartbeat: HeartbeatService,
    private readonly sealing: SealingScheduler,
    private readonly audit: AuditService,
  ) {}

  private handlers(): JobHandlers<CustosJobs> {
    return {
      heartbeat: () => this.heartbeat.beat(),
      seal: async () => {
        await this.sealing.trigger();
      },
      audit: (data) => this.audit.run(data.runId),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker = new JobWorker<CustosJobs>(this.storage.queue, QUEUE_NAME, this.handlers(), {
      jobNames,
      concurrency: 4,
    });
    await this.worker.ready();
    await this.queue.every(
      'heartbeat',
      { scheduledEveryMs: HEARTBEAT_EVERY_MS },
      HEARTBEAT_EVERY_MS,
    );
    await this.heartbeat.beat();
    // Seals on its own timer too: the seal jobs are hints, never needed for correctness.
    this.sealing.start();
    // Audits a killed worker left unfinished continue from their last committed chunk.
    await this.audit.resumeUnfinished();
    this.logger.log(`taking jobs from queue ${QUEUE_NAME}`);
  }

  /** Stops taking jobs and lets the running ones finish (SIGTERM). */
  async onModuleDestroy(): Promise<void> {
    this.audit.stop(); // a long audit stops after its chunk; the next start resumes it
    await this.worker?.close();
  }
}
