import { Module } from '@nestjs/common';
import { SignatureVerificationModule } from '@custos/events/signature-verification.module';
import { StoreModule } from '@custos/store/store.module';
import { WitnessClient } from '@custos/witness/witness-client.service';
import { WitnessGate } from '@custos/witness/witness-gate.service';
import { WitnessMetrics } from '@custos/witness/witness-metrics';
import { LedgerQueryService } from './ledger-query.service';
import { LogTilesService } from './log-tiles.service';
import { KeyDirectoryModule } from '@custos/participants/key-directory.module';
import { SealingKeyModule } from './sealing-key.module';
import { SealingMetrics } from './sealing-metrics';
import { SealingScheduler } from './sealing-scheduler.service';
import { SealingRepository } from './sealing.repository';
import { SEALING_OBSERVER, SealingService } from './sealing.service';
import { TableStatisticsService } from './table-statistics.service';

/**
 * The sealer, its key, its metrics, the log's read side and its witness client; the worker
 * starts SealingScheduler.
 */
@Module({
  imports: [StoreModule, SealingKeyModule, KeyDirectoryModule, SignatureVerificationModule],
  providers: [
    SealingRepository,
    SealingMetrics,
    { provide: SEALING_OBSERVER, useExisting: SealingMetrics },
    SealingService,
    SealingScheduler,
    TableStatisticsService,
    LedgerQueryService,
    LogTilesService,
    WitnessClient,
    WitnessGate,
    WitnessMetrics,
  ],
  exports: [
    SealingKeyModule,
    SealingService,
    SealingScheduler,
    LedgerQueryService,
    SealingMetrics,
    LogTilesService,
    WitnessClient,
    WitnessGate,
  ],
})
export class SealingModule {}
