import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DomainError } from '@custos/core/errors/domain-error';
import { WitnessGate } from '@custos/witness/witness-gate.service';
import { Access } from '../auth/access.decorator';
import { WitnessPolicy } from './ledger.model';

const MAX_REASON = 1000;

/** The operator's side of the witnesses (SPEC section 9). */
@Resolver()
export class WitnessingResolver {
  constructor(private readonly gate: WitnessGate) {}

  // Public, as ledgerKey is: what a verifier needs to check the cosignatures itself.
  @Access.anyone()
  @Query(() => WitnessPolicy, {
    description:
      'The witness keys, quorum and maximum age this ledger applies; no witnesses: an unwitnessed ledger.',
  })
  witnessPolicy(): WitnessPolicy {
    return {
      witnesses: [...this.gate.vkeys],
      quorum: this.gate.policy.quorum,
      maxAgeSeconds: this.gate.policy.maxAgeSeconds,
    };
  }

  @Access.admin()
  @Mutation(() => Boolean, {
    description:
      'Resolve a standing LEDGER_ROLLBACK (the admin), once its cause is dealt with: the lost tail restored, or the witness removed from CUSTOS_WITNESSES. Records a LEDGER_ROLLBACK_RESOLVED alert with the reason; false when no rollback stands. A witness that still holds a larger tree raises it again at the next submission.',
  })
  resolveLedgerRollback(@Args('reason') reason: string): Promise<boolean> {
    const trimmed = reason.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_REASON)
      throw new DomainError(
        'BAD_USER_INPUT',
        `reason: say why the rollback is resolved, 1 to ${MAX_REASON} characters`,
        'reason',
      );
    return this.gate.resolveRollback(trimmed, 'admin');
  }
}
