import { Module } from '@nestjs/common';
import { SealingKeyService } from './sealing-key.service';
import { SealingScheduler } from './sealing-scheduler.service';
import { SealingRepository } from './sealing.repository';
import { SealingService } from './sealing.service';

/** The sealer and its key; the worker starts SealingScheduler, the API reads the ledger. */
@Module({
  providers: [SealingRepository, SealingKeyService, SealingService, SealingScheduler],
  exports: [SealingKeyService, SealingService, SealingScheduler, SealingRepository],
})
export class SealingModule {}
