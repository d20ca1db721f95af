// "Proof checked in your browser": the answer's proof bundle is re-checked here with the
// same pure code as the offline verifier (libs/ledger checkVerificationBundle), against
// the ledger's public key, fetched once per page. The page claims nothing it did not
// check itself.
import { checkVerificationBundle } from '@custos/ledger/verification-bundle';
import { LEDGER_KEY, graphql } from './api';

export type ProofOutcome =
  | { kind: 'checked'; checks: number; checkpoint: string }
  | { kind: 'failed'; failed: string[] }
  | { kind: 'absent' };

let ledgerKey: Promise<string> | undefined;

export function fetchLedgerKey(): Promise<string> {
  ledgerKey ??= graphql<{ ledgerKey: string }>(LEDGER_KEY, {}).then((d) => d.ledgerKey);
  ledgerKey.catch(() => (ledgerKey = undefined)); // try again on the next scan
  return ledgerKey;
}

export async function checkProof(answer: {
  proof?: unknown;
  trail: { sealed: boolean }[];
}): Promise<ProofOutcome> {
  if (!answer.proof) return { kind: 'absent' };
  let vkey: string;
  try {
    vkey = await fetchLedgerKey();
  } catch (err) {
    return { kind: 'failed', failed: [`the ledger key could not be fetched: ${String(err)}`] };
  }
  const report = checkVerificationBundle(answer, [vkey]);
  if (report.ok) {
    const signed = report.checks.find((c) => c.what.startsWith('checkpoint signed by'));
    return {
      kind: 'checked',
      checks: report.checks.length,
      checkpoint: signed ? `${signed.what} (${signed.detail ?? ''})` : '',
    };
  }
  return {
    kind: 'failed',
    failed: report.checks
      .filter((c) => !c.ok)
      .map((c) => (c.detail ? `${c.what}: ${c.detail}` : c.what)),
  };
}
