import { Module } from '@nestjs/common';
import { SealingKeyModule } from '@custos/sealing/sealing-key.module';
import { ChallengeRepository } from './challenge.repository';
import { KeyDirectoryModule } from './key-directory.module';
import { ParticipantRepository } from './participant.repository';
import { ParticipantService } from './participant.service';
import { RateLimitRepository } from './rate-limit.repository';
import { SessionParticipants } from './session-participants';
import { SignInRateLimiter } from './sign-in-rate-limiter';
import { SignInService } from './sign-in.service';

/** Participants, their keys and licenses, and sign-in (SPEC section 3). Needs CoreModule. */
@Module({
  imports: [SealingKeyModule, KeyDirectoryModule],
  providers: [
    ParticipantRepository,
    ChallengeRepository,
    RateLimitRepository,
    SignInRateLimiter,
    ParticipantService,
    SignInService,
    SessionParticipants,
  ],
  exports: [ParticipantService, SignInService, KeyDirectoryModule],
})
export class ParticipantsModule {}
