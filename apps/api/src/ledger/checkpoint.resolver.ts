import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { WitnessGate } from '@custos/witness/witness-gate.service';
import { Access } from '../auth/access.decorator';
import { Checkpoint, Cosignature } from './ledger.model';

/** What the configured witnesses say of a checkpoint (SPEC section 9). */
@Resolver(() => Checkpoint)
export class CheckpointResolver {
  constructor(private readonly gate: WitnessGate) {}

  @Access.signedIn()
  @ResolveField(() => [Cosignature], {
    description:
      'The verified cosignatures in `note` by the witnesses of CUSTOS_WITNESSES, fresh or not.',
  })
  cosignatures(@Parent() checkpoint: Checkpoint): Cosignature[] {
    return this.gate.assess(checkpoint.note).witnesses.flatMap((w) =>
      w.timestamp === undefined
        ? []
        : [
            {
              name: w.name,
              keyId: w.keyId,
              timestamp: new Date(w.timestamp * 1000).toISOString().replace('.000Z', 'Z'),
            },
          ],
    );
  }

  @Access.signedIn()
  @ResolveField(() => Boolean, {
    description:
      'A quorum (CUSTOS_WITNESS_QUORUM) of fresh (CUSTOS_WITNESS_MAX_AGE_SECONDS) cosignatures; false when no witnesses are configured.',
  })
  witnessed(@Parent() checkpoint: Checkpoint): boolean {
    return this.gate.assess(checkpoint.note).witnessed;
  }
}
