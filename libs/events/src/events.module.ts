import { Module } from '@nestjs/common';
import { CustodyService } from './custody.service';
import { IngestService } from './ingest.service';
import { ParticipantDirectoryRepository } from './participant-directory.repository';
import { SealTriggerService } from './seal-trigger.service';
import { SignatureVerificationModule } from './signature-verification.module';
import { KeyDirectoryModule } from '@custos/participants/key-directory.module';
import { StoreModule } from '@custos/store/store.module';

/** Event ingest (SPEC sections 4 and 7): submitEvents and the custody projection. */
@Module({
  imports: [StoreModule, KeyDirectoryModule, SignatureVerificationModule],
  providers: [CustodyService, IngestService, ParticipantDirectoryRepository, SealTriggerService],
  exports: [IngestService],
})
export class EventsModule {}
