// A witness policy applied to one cosigned checkpoint (SPEC section 9): of the given
// witness keys (cosignature/v1 vkeys, C2SP tlog-cosignature), at least `quorum` must have
// cosigned the checkpoint within `maxAgeSeconds` of `now`. Lines by keys not in the
// policy are ignored (the log's own signature among them), as signed-note asks; a line
// that names a policy key but does not verify counts as no cosignature and is reported.
// A timestamp more than FUTURE_SKEW_SECONDS ahead of `now` is not fresh: a witness could
// otherwise keep its vouching fresh for ever. Pure: the server's verifyPackage, the
// offline verifier, the SDK and the scan page apply the same rule.
import { auint } from './assert';
import { openCosignatures } from './cosignature';
import { LedgerArgumentError } from './errors';
import type { VerifierKey } from './note';

export interface WitnessPolicy {
  readonly witnesses: readonly VerifierKey[];
  /** How many of `witnesses` must vouch, 1..witnesses.length. */
  readonly quorum: number;
  readonly maxAgeSeconds: number;
}

/** One witness of the policy and what its cosignature on the checkpoint says. */
export interface WitnessVouch {
  readonly name: string;
  /** Key ID, 8 lowercase hex digits. */
  readonly keyId: string;
  /** POSIX seconds of its cosignature; undefined when it did not cosign. */
  readonly timestamp?: number;
  /** now − timestamp, in seconds (negative: ahead of our clock). */
  readonly ageSeconds?: number;
  /** Whether it counts towards the quorum: cosigned, verified, fresh. */
  readonly fresh: boolean;
  /** Why it does not count, when it does not. */
  readonly problem?: string;
}

export interface WitnessAssessment {
  /** At least `quorum` witnesses cosigned the checkpoint, freshly. */
  readonly witnessed: boolean;
  readonly quorum: number;
  /** One per witness of the policy, in the policy's order. */
  readonly witnesses: readonly WitnessVouch[];
  /** One sentence: who vouched, or why the quorum is not met. */
  readonly summary: string;
}

/** How far ahead of the verifier's clock a cosignature's time may be. */
export const FUTURE_SKEW_SECONDS = 300;

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

export function assertWitnessPolicy(policy: WitnessPolicy): void {
  const n = policy.witnesses.length;
  auint(policy.maxAgeSeconds, 'maxAgeSeconds');
  auint(policy.quorum, 'quorum');
  if (n > 0 && (policy.quorum < 1 || policy.quorum > n))
    throw new LedgerArgumentError('quorum', `must be between 1 and the ${n} witnesses given`);
}

/** Applies `policy` to the cosignature lines of `note` (a signed checkpoint note). */
export function assessWitnesses(
  note: string,
  policy: WitnessPolicy,
  nowSeconds: number,
): WitnessAssessment {
  assertWitnessPolicy(policy);
  const witnesses = policy.witnesses.map((key): WitnessVouch => {
    const base = { name: key.name, keyId: hex8(key.keyId) };
    let found;
    try {
      [found] = openCosignatures(note, [key]);
    } catch (err) {
      return { ...base, fresh: false, problem: err instanceof Error ? err.message : String(err) };
    }
    if (!found) return { ...base, fresh: false, problem: 'no cosignature' };
    const ageSeconds = nowSeconds - found.timestamp;
    const vouch = { ...base, timestamp: found.timestamp, ageSeconds };
    if (ageSeconds > policy.maxAgeSeconds)
      return {
        ...vouch,
        fresh: false,
        problem: `cosigned ${ageSeconds} s ago, more than the ${policy.maxAgeSeconds} s allowed`,
      };
    if (-ageSeconds > FUTURE_SKEW_SECONDS)
      return { ...vouch, fresh: false, problem: `cosigned ${-ageSeconds} s in the future` };
    return { ...vouch, fresh: true };
  });
  const fresh = witnesses.filter((w) => w.fresh);
  const witnessed = witnesses.length > 0 && fresh.length >= policy.quorum;
  const vouched = fresh.map((w) => `${w.name} ${Math.max(0, w.ageSeconds ?? 0)} s ago`).join(', ');
  const missing = witnesses
    .filter((w) => !w.fresh)
    .map((w) => `${w.name}: ${w.problem ?? ''}`)
    .join('; ');
  const summary =
    witnesses.length === 0
      ? 'no witnesses given'
      : witnessed
        ? `${fresh.length} of ${witnesses.length} witnesses vouched (quorum ${policy.quorum}): ${vouched}`
        : `${fresh.length} of ${witnesses.length} witnesses vouched freshly, quorum ${policy.quorum} not met${missing ? ` (${missing})` : ''}`;
  return { witnessed, quorum: policy.quorum, witnesses, summary };
}
