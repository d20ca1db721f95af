import { Args, Context, Info, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Principal } from '@custos/core/auth/principal';
import { VerificationService } from '@custos/verification/verification.service';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { selectsField } from '../graphql/selects-field';
import { toParticipant } from '../participants/participant.model';
import { TurnTaking } from './turn-taking';
import { toVerification, Verification } from './verification.model';

/** What one verifyPackage costs against CUSTOS_GRAPHQL_MAX_COMPLEXITY. */
export const VERIFY_COST = 100;

@Resolver(() => Verification)
export class VerificationResolver {
  private readonly turns = new TurnTaking();

  constructor(private readonly verification: VerificationService) {}

  // Open to every signed-in participant (SPEC 7); the trail, custodian and proof follow
  // the trail read rule inside the service.
  @Access.signedIn()
  // A verification reads a whole history and checks signatures and proofs: it costs
  // VERIFY_COST in the query's complexity (docs/adr/0009), not 1 like a plain field.
  @Query(() => Verification, {
    description: 'Is this package genuine? Any identifier form.',
    complexity: VERIFY_COST,
  })
  async verifyPackage(
    @Args('code') code: string,
    @CurrentPrincipal() principal: Principal | undefined,
    @Context() request: object,
    @Info() info: GraphQLResolveInfo | undefined,
  ): Promise<Verification> {
    // The custodian is read only when the query asks for it (two statements of ~5).
    const custodian = selectsField(info, 'custodian');
    // One request's verifications take turns, so a batch never holds up another's scan.
    const result = await this.turns.run(request, () =>
      this.verification.verifyPackage(code, principal, 'scan', new Date(), { custodian }),
    );
    return toVerification(result, result.custodian ? toParticipant(result.custodian) : undefined);
  }
}
