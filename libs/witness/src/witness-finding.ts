// Whether a verification carries LEDGER_UNWITNESSED (SPEC sections 6 and 9), decided from
// what is known at the time: are witnesses configured, does an unresolved LEDGER_ROLLBACK
// stand, and did a quorum of them freshly cosign the checkpoint the answer rests on.
// Pure; VerificationService asks it once per verification. The sentence names no party.
import type { WitnessAssessment } from '@custos/ledger/witness-policy';

export interface WitnessFacts {
  /** How many witnesses CUSTOS_WITNESSES names; 0: the ledger runs unwitnessed. */
  readonly configured: number;
  /** The standing LEDGER_ROLLBACK alert's message, if one is unresolved. */
  readonly rollback?: string;
  /** The policy applied to the checkpoint the answer rests on. */
  readonly assessment: WitnessAssessment;
}

/** The LEDGER_UNWITNESSED message, or undefined when the answer is witnessed (or unwitnessed by configuration). */
export function unwitnessedFinding(facts: WitnessFacts): string | undefined {
  if (facts.configured === 0) return undefined;
  if (facts.rollback !== undefined)
    return `a witness has seen a larger tree than the ledger now holds (rolled back or forked), unresolved: ${facts.rollback}`;
  if (!facts.assessment.witnessed)
    return `the checkpoint lacks a quorum of fresh witness cosignatures: ${facts.assessment.summary}`;
  return undefined;
}
