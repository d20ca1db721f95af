import { Module } from '@nestjs/common';
import { ParticipantsModule } from '@custos/participants/participants.module';
import { VerificationModule } from '@custos/verification/verification.module';
import { EpcisEventRepository } from './epcis-event.repository';
import { EpcisQueryService } from './epcis-query.service';
import { VrsService } from './vrs.service';

/** Custos as an EPCIS 2.0 repository and DSCSA verification responder (SPEC section 10). */
@Module({
  imports: [ParticipantsModule, VerificationModule],
  providers: [EpcisEventRepository, EpcisQueryService, VrsService],
  exports: [EpcisQueryService, VrsService],
})
export class EpcisRepositoryModule {}
