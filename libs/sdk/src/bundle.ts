// Offline verification of a proof bundle (a saved `verifyPackage` answer, SPEC section 6)
// with nothing but the ledger's public key, and the witnesses' keys to apply a witness
// policy (SPEC 9): the very checks `custos verify-bundle` and the scan page run
// (libs/ledger/src/verification-bundle.ts), re-exported, not rewritten.
import type { WitnessAssessment, WitnessVouch } from '@custos/ledger/witness-policy';
import {
  type BundleCheck,
  type BundleReport,
  type BundleWitnessOptions,
  checkVerificationBundle,
} from '@custos/ledger/verification-bundle';

export type { BundleCheck, BundleReport, BundleWitnessOptions, WitnessAssessment, WitnessVouch };

/**
 * Checks a bundle against one or more ledger keys (C2SP vkey, the `ledgerKey` query).
 * With `options.witnesses` (cosignature/v1 vkeys), also that `quorum` of them (default
 * all) cosigned its checkpoint, within `maxAgeSeconds` when given; `report.witnesses`
 * says which vouched and how long ago. Every problem is a failed check, never a throw.
 */
export function verifyBundle(
  bundle: unknown,
  ledgerKeys: string | readonly string[],
  options: BundleWitnessOptions = {},
): BundleReport {
  return checkVerificationBundle(
    bundle,
    typeof ledgerKeys === 'string' ? [ledgerKeys] : ledgerKeys,
    options,
  );
}
