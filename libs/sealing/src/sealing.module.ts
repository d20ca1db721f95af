import { Module } from '@nestjs/common';
import { LedgerQueryService } from './ledger-query.service';
import { SealingKeyService } from './sealing-key.service';
import { SealingScheduler } from './sealing-scheduler.service';
import { SealingRepository } from './sealing.repository';
import { SealingService } from './sealing.service';

/** The sealer, its key and the log's read side; the worker starts SealingScheduler. */
@Module({
  providers: [
    SealingRepository,
    SealingKeyService,
    SealingService,
    SealingScheduler,
    LedgerQueryService,
  ],
  exports: [SealingKeyService, SealingService, SealingScheduler, LedgerQueryService],
})
export class SealingModule {}
