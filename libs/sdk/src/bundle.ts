// Offline verification of a proof bundle (a saved `verifyPackage` answer, SPEC section 6)
// with nothing but the ledger's public key: the very checks `custos verify-bundle` and the
// scan page run (libs/ledger/src/verification-bundle.ts), re-exported, not rewritten.
import {
  type BundleCheck,
  type BundleReport,
  checkVerificationBundle,
} from '@custos/ledger/verification-bundle';

export type { BundleCheck, BundleReport };

/**
 * Checks a bundle against one or more ledger keys (C2SP vkey, the `ledgerKey` query).
 * Every problem is a failed check in the report, never a throw.
 */
export function verifyBundle(
  bundle: unknown,
  ledgerKeys: string | readonly string[],
): BundleReport {
  return checkVerificationBundle(
    bundle,
    typeof ledgerKeys === 'string' ? [ledgerKeys] : ledgerKeys,
  );
}
