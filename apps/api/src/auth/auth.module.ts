import { Module } from '@nestjs/common';
import { ParticipantsModule } from '@custos/participants/participants.module';
import { BearerAuthenticator } from './bearer-authenticator';

/** Bearer tokens to callers, shared by the GraphQL guard and the REST controllers. */
@Module({
  imports: [ParticipantsModule],
  providers: [BearerAuthenticator],
  exports: [BearerAuthenticator],
})
export class AuthModule {}
