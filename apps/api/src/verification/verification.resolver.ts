import { Args, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '@custos/core/auth/principal';
import { VerificationService } from '@custos/verification/verification.service';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { toParticipant } from '../participants/participant.model';
import { toVerification, Verification } from './verification.model';

@Resolver(() => Verification)
export class VerificationResolver {
  constructor(private readonly verification: VerificationService) {}

  // Open to every signed-in participant (SPEC 7); the trail, custodian and proof follow
  // the trail read rule inside the service.
  @Access.signedIn()
  @Query(() => Verification, { description: 'Is this package genuine? Any identifier form.' })
  async verifyPackage(
    @Args('code') code: string,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<Verification> {
    const result = await this.verification.verifyPackage(code, principal);
    return toVerification(result, result.custodian ? toParticipant(result.custodian) : undefined);
  }
}
