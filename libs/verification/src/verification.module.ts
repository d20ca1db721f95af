import { Module } from '@nestjs/common';
import { ParticipantsModule } from '@custos/participants/participants.module';
import { SealingModule } from '@custos/sealing/sealing.module';
import { StoreModule } from '@custos/store/store.module';
import { ProofBundleService } from './proof-bundle.service';
import { VerificationAlerts } from './verification-alerts.service';
import { VerificationService } from './verification.service';

/** verifyPackage: replay with proofs (SPEC section 6). */
@Module({
  imports: [SealingModule, ParticipantsModule, StoreModule],
  providers: [ProofBundleService, VerificationAlerts, VerificationService],
  exports: [VerificationService],
})
export class VerificationModule {}
