import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { TrailStep, VerificationResult } from '@custos/verification/verification.service';
import { EventType, PackageStatus, Severity, Verdict } from '../graphql/ledger-enums';
import { Checkpoint } from '../ledger/ledger.model';
import { Participant } from '../participants/participant.model';

@ObjectType({ description: 'One reason behind a verdict (SPEC section 6).' })
export class Finding {
  @Field({ description: 'A finding code of SPEC section 6, e.g. ALREADY_DISPENSED.' })
  code!: string;

  @Field(() => Severity)
  severity!: Severity;

  @Field({ description: 'What was found, in plain words.' })
  message!: string;

  @Field(() => ID, { nullable: true, description: 'The event it concerns, if any.' })
  eventId?: string;
}

@ObjectType()
export class ProductInfo {
  @Field({ description: 'GTIN-14.' })
  gtin!: string;

  @Field({ nullable: true })
  lot?: string;

  @Field({ nullable: true, description: 'YYYY-MM-DD.' })
  expiry?: string;
}

@ObjectType({ description: 'One event of a package trail, in acceptance order.' })
export class TrailEntry {
  @Field(() => ID)
  eventId!: string;

  @Field(() => EventType)
  type!: EventType;

  @Field(() => ID)
  actor!: string;

  @Field({ description: 'As signed.' })
  eventTime!: string;

  @Field()
  sealed!: boolean;

  @Field(() => Int, { nullable: true })
  blockHeight?: number;

  @Field(() => Int, { nullable: true })
  leafIndex?: number;
}

@ObjectType({ description: 'The inclusion proof of one sealed event.' })
export class ProofEntry {
  @Field(() => ID)
  eventId!: string;

  @Field(() => Int)
  leafIndex!: number;

  @Field({ description: 'Lowercase hex.' })
  leafHash!: string;

  @Field(() => [String], {
    description: 'RFC 9162 inclusion path, lowercase hex, leaf side first.',
  })
  path!: string[];

  @Field({ description: 'C2SP tlog-proof@v1 text.' })
  tlogProof!: string;

  @Field({
    description:
      'The leaf input (base64): the signed event with its keyId and signature, so an offline verifier can tie the trail to the proof.',
  })
  leafInput!: string;
}

@ObjectType({
  description: 'Enough to re-check the answer offline with the ledger public key alone.',
})
export class ProofBundle {
  @Field(() => Checkpoint)
  checkpoint!: Checkpoint;

  @Field(() => [ProofEntry])
  entries!: ProofEntry[];
}

@ObjectType({ description: 'Is this package genuine? (SPEC section 6)' })
export class Verification {
  @Field({ description: 'Canonical identifier.' })
  identifier!: string;

  @Field(() => Verdict)
  verdict!: Verdict;

  @Field(() => [Finding])
  findings!: Finding[];

  @Field(() => ProductInfo, { nullable: true })
  product?: ProductInfo;

  @Field(() => PackageStatus, { nullable: true })
  status?: PackageStatus;

  @Field(() => Participant, {
    nullable: true,
    description: 'Shown where the trail read rule allows.',
  })
  custodian?: Participant;

  @Field(() => [TrailEntry], { description: 'Empty where the trail read rule does not allow it.' })
  trail!: TrailEntry[];

  @Field(() => ProofBundle, { nullable: true })
  proof?: ProofBundle;
}

export function toTrailEntry(step: TrailStep): TrailEntry {
  return {
    eventId: step.eventId,
    type: EventType[step.type],
    actor: step.actor,
    eventTime: step.eventTime,
    sealed: step.sealed,
    ...(step.blockHeight !== null ? { blockHeight: step.blockHeight } : {}),
    ...(step.leafIndex !== null ? { leafIndex: step.leafIndex } : {}),
  };
}

export function toVerification(
  result: VerificationResult,
  custodian: Participant | undefined,
): Verification {
  return {
    identifier: result.identifier,
    verdict: Verdict[result.verdict],
    findings: result.findings.map((f) => ({
      code: f.code,
      severity: Severity[f.severity],
      message: f.message,
      ...(f.eventId !== undefined ? { eventId: f.eventId } : {}),
    })),
    ...(result.product ? { product: { ...result.product } } : {}),
    ...(result.status ? { status: PackageStatus[result.status] } : {}),
    ...(custodian ? { custodian } : {}),
    trail: result.trail.map(toTrailEntry),
    ...(result.proof
      ? {
          proof: {
            checkpoint: result.proof.checkpoint,
            entries: result.proof.entries.map((e) => ({ ...e })),
          },
        }
      : {}),
  };
}
