import { Module } from '@nestjs/common';
import { SealingModule } from '@custos/sealing/sealing.module';
import { RegulatorsModule } from '@custos/regulators/regulators.module';
import { WorkerHost } from './worker-host.service';

/** The worker role: BullMQ processors, each thin and delegating to a service. */
@Module({ imports: [SealingModule, RegulatorsModule], providers: [WorkerHost] })
export class WorkerModule {}
