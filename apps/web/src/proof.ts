// "Proof checked in your browser": the answer's proof bundle is re-checked here with the
// same pure code as the offline verifier (libs/ledger checkVerificationBundle), against
// the ledger's public key and its witnesses' keys (SPEC 9), fetched once per page. The
// page claims nothing it did not check itself: it says which witnesses vouched for the
// checkpoint and how long ago. A checkpoint short of its witness quorum is a failed proof
// unless the answer itself says so (LEDGER_UNWITNESSED): a server that calls an
// unwitnessed ledger witnessed is not believed.
import { checkVerificationBundle } from '@custos/ledger/verification-bundle';
import { graphql } from './api';

export type ProofOutcome =
  | { kind: 'checked'; checks: number; checkpoint: string }
  | { kind: 'failed'; failed: string[] }
  | { kind: 'absent' };

interface LedgerKeys {
  readonly ledgerKey: string;
  readonly witnessPolicy: { witnesses: string[]; quorum: number; maxAgeSeconds: number };
}

const LEDGER_KEYS =
  'query LedgerKeys { ledgerKey witnessPolicy { witnesses quorum maxAgeSeconds } }';
const QUORUM_CHECK = 'checkpoint cosigned by a quorum of witnesses';

let keys: Promise<LedgerKeys> | undefined;

function fetchKeys(): Promise<LedgerKeys> {
  keys ??= graphql<LedgerKeys>(LEDGER_KEYS, {});
  keys.catch(() => (keys = undefined)); // try again on the next scan
  return keys;
}

export function fetchLedgerKey(): Promise<string> {
  return fetchKeys().then((k) => k.ledgerKey);
}

export async function checkProof(answer: {
  proof?: unknown;
  trail: { sealed: boolean }[];
  findings?: { code: string }[];
}): Promise<ProofOutcome> {
  if (!answer.proof) return { kind: 'absent' };
  let fetched: LedgerKeys;
  try {
    fetched = await fetchKeys();
  } catch (err) {
    return { kind: 'failed', failed: [`the ledger key could not be fetched: ${String(err)}`] };
  }
  const policy = fetched.witnessPolicy;
  const report = checkVerificationBundle(
    answer,
    [fetched.ledgerKey],
    policy.witnesses.length > 0
      ? {
          witnesses: policy.witnesses,
          quorum: policy.quorum,
          maxAgeSeconds: policy.maxAgeSeconds,
        }
      : {},
  );
  const saysUnwitnessed = answer.findings?.some((f) => f.code === 'LEDGER_UNWITNESSED') ?? false;
  const failed = report.checks.filter(
    (c) => !c.ok && !(c.what === QUORUM_CHECK && saysUnwitnessed),
  );
  if (failed.length === 0) {
    const signed = report.checks.find((c) => c.what.startsWith('checkpoint signed by'));
    const witnessed = report.witnesses
      ? `; ${report.witnesses.witnessed ? 'witnessed' : 'not witnessed'}: ${report.witnesses.summary}`
      : '';
    return {
      kind: 'checked',
      checks: report.checks.length,
      checkpoint: signed ? `${signed.what} (${signed.detail ?? ''})${witnessed}` : '',
    };
  }
  return {
    kind: 'failed',
    failed: failed.map((c) => (c.detail ? `${c.what}: ${c.detail}` : c.what)),
  };
}
