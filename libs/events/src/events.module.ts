import { Module } from '@nestjs/common';
import { AlertPublisher } from './alert-publisher.service';
import { AlertRepository } from './alert.repository';
import { CustodyService } from './custody.service';
import { IngestService } from './ingest.service';
import { LedgerEventRepository } from './ledger-event.repository';
import { ParticipantDirectoryRepository } from './participant-directory.repository';
import { SealTriggerService } from './seal-trigger.service';
import { SignatureVerificationService } from './signature-verification.service';
import { TransactionRepository } from './transaction.repository';
import { UnitStateRepository } from './unit-state.repository';

/** Event ingest (SPEC sections 4 and 7): submitEvents and the custody projection. */
@Module({
  providers: [
    AlertPublisher,
    AlertRepository,
    CustodyService,
    IngestService,
    LedgerEventRepository,
    ParticipantDirectoryRepository,
    SealTriggerService,
    SignatureVerificationService,
    TransactionRepository,
    UnitStateRepository,
  ],
  exports: [IngestService, AlertPublisher],
})
export class EventsModule {}
