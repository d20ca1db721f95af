import { Module } from '@nestjs/common';
import { EventsModule } from '@custos/events/events.module';
import { ParticipantsModule } from '@custos/participants/participants.module';
import { StoreModule } from '@custos/store/store.module';
import { VerificationModule } from '@custos/verification/verification.module';
import { CaptureJobRepository } from './capture-job.repository';
import { EpcisCaptureService } from './epcis-capture.service';
import { EpcisQueryService } from './epcis-query.service';
import { NamedQueryRepository } from './named-query.repository';
import { NamedQueryService } from './named-query.service';
import { VrsService } from './vrs.service';

/** Custos as an EPCIS 2.0 repository and DSCSA verification responder (SPEC section 10). */
@Module({
  imports: [EventsModule, ParticipantsModule, StoreModule, VerificationModule],
  providers: [
    CaptureJobRepository,
    EpcisCaptureService,
    EpcisQueryService,
    NamedQueryRepository,
    NamedQueryService,
    VrsService,
  ],
  exports: [EpcisCaptureService, EpcisQueryService, NamedQueryService, VrsService],
})
export class EpcisRepositoryModule {}
