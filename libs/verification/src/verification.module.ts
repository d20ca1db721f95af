import { Module } from '@nestjs/common';
import { ParticipantsModule } from '@custos/participants/participants.module';
import { SealingModule } from '@custos/sealing/sealing.module';
import { VerificationRepository } from './verification.repository';
import { VerificationService } from './verification.service';

/** verifyPackage: replay with proofs (SPEC section 6). */
@Module({
  imports: [SealingModule, ParticipantsModule],
  providers: [VerificationRepository, VerificationService],
  exports: [VerificationService],
})
export class VerificationModule {}
