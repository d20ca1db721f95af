import { Module } from '@nestjs/common';
import { WorkerHost } from './worker-host.service';

/** The worker role: BullMQ processors, each thin and delegating to a service. */
@Module({ providers: [WorkerHost] })
export class WorkerModule {}
