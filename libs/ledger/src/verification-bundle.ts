// Checks a saved `verifyPackage` answer (SPEC section 6) with nothing but the ledger's
// public key(s): the checkpoint's signature (C2SP signed-note), every entry's leaf hash
// against its leaf input, its RFC 9162 inclusion in that checkpoint (and its C2SP
// tlog-proof@v1 text), and that the trail says what the signed events say; given witness
// keys, that a quorum of them cosigned the checkpoint (C2SP cosignature/v1, SPEC 9,
// witness-policy.ts). Pure, no Node APIs: the offline verifier (apps/cli), the SDK and the
// scan page run the same code.
// The bundle is untrusted input: every shape problem is a failed check, never a throw.
import { base64ToBytes, bytesToHex, bytesToUtf8, hexToBytes } from './bytes';
import { openCheckpoint } from './checkpoint';
import { leafHash } from './merkle';
import { verifyInclusion } from './merkle-verify';
import { parseVerifierKey, type VerifierKey } from './note';
import { parseCosignerVkey } from './cosignature';
import { parseTlogProof, verifyTlogProof } from './tlog-proof';
import { type WitnessAssessment, assessWitnesses } from './witness-policy';

export interface BundleCheck {
  readonly ok: boolean;
  readonly what: string;
  readonly detail?: string;
}

export interface SignedEntry {
  readonly eventId: string;
  readonly leafIndex: number;
  readonly event: Record<string, unknown>;
  readonly keyId: string;
  readonly signature: string;
}

export interface BundleReport {
  readonly ok: boolean;
  readonly checks: readonly BundleCheck[];
  /** The signed events the proofs cover, in leaf order (for replaying the verdict). */
  readonly entries: readonly SignedEntry[];
  /** What the witnesses say of the checkpoint, when witness keys were given. */
  readonly witnesses?: WitnessAssessment;
}

/** The witness policy a verifier applies (SPEC 9); without `witnesses`, none. */
export interface BundleWitnessOptions {
  /** Witness keys, C2SP cosignature/v1 vkeys (type 0x04). */
  readonly witnesses?: readonly string[];
  /** How many of them must have cosigned; default all. */
  readonly quorum?: number;
  /** How old a cosignature may be, against `now`; default no limit (a saved bundle ages). */
  readonly maxAgeSeconds?: number;
  /** The verifier's clock, POSIX seconds; default the current time. */
  readonly now?: number;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Accepts the Verification object, or a whole GraphQL response `{ data: { verifyPackage } }`. */
function unwrap(bundle: unknown): Json | undefined {
  if (isObject(bundle) && isObject(bundle.data) && isObject(bundle.data.verifyPackage)) {
    return bundle.data.verifyPackage;
  }
  return isObject(bundle) ? bundle : undefined;
}

export function checkVerificationBundle(
  bundle: unknown,
  verifierKeys: readonly string[],
  witnessOptions: BundleWitnessOptions = {},
): BundleReport {
  const checks: BundleCheck[] = [];
  const entries: SignedEntry[] = [];
  let witnesses: WitnessAssessment | undefined;
  const check = (ok: boolean, what: string, detail?: string) =>
    checks.push(detail === undefined ? { ok, what } : { ok, what, detail });
  const done = (): BundleReport => ({
    ok: checks.length > 0 && checks.every((c) => c.ok),
    checks,
    entries,
    ...(witnesses ? { witnesses } : {}),
  });

  let keys: VerifierKey[];
  try {
    keys = verifierKeys.map((k) => parseVerifierKey(k));
    check(keys.length > 0, 'ledger key given', keys.map((k) => k.name).join(', ') || 'none');
  } catch (err) {
    check(false, 'ledger key is a C2SP vkey', message(err));
    return done();
  }

  const verification = unwrap(bundle);
  const proof = verification?.proof;
  if (
    !verification ||
    !isObject(proof) ||
    !isObject(proof.checkpoint) ||
    !Array.isArray(proof.entries)
  ) {
    check(false, 'bundle holds a proof (checkpoint and entries)', 'no proof bundle in this answer');
    return done();
  }
  const cp = proof.checkpoint;
  let root: Uint8Array;
  let treeSize: number;
  try {
    const opened = openCheckpoint(String(cp.note), keys);
    root = opened.checkpoint.rootHash;
    treeSize = opened.checkpoint.size;
    check(
      true,
      `checkpoint signed by ${opened.verified.map((s) => s.name).join(', ')}`,
      `${opened.checkpoint.origin}, size ${treeSize}`,
    );
    const same =
      cp.origin === opened.checkpoint.origin &&
      cp.treeSize === treeSize &&
      cp.rootHash === bytesToHex(root);
    check(
      same,
      'checkpoint fields match the signed note',
      same ? undefined : 'origin, treeSize or rootHash differ from the note',
    );
  } catch (err) {
    check(false, 'checkpoint signed by the ledger key', message(err));
    return done();
  }
  if (witnessOptions.witnesses !== undefined) {
    try {
      witnesses = checkWitnesses(String(cp.note), witnessOptions);
      check(witnesses.witnessed, 'checkpoint cosigned by a quorum of witnesses', witnesses.summary);
    } catch (err) {
      check(false, 'witness policy is well formed', message(err));
    }
  }

  for (const [i, raw] of proof.entries.entries()) {
    const label = `entry ${i}`;
    if (!isObject(raw) || typeof raw.leafIndex !== 'number' || typeof raw.leafHash !== 'string') {
      check(false, `${label} is well formed`);
      continue;
    }
    const where = `${label} (leaf ${raw.leafIndex}, event ${String(raw.eventId)})`;
    try {
      const hash = hexToBytes(raw.leafHash, 'leafHash', 32);
      if (typeof raw.leafInput === 'string') {
        const input = base64ToBytes(raw.leafInput, 'leafInput');
        const recomputed = bytesToHex(leafHash(input));
        check(recomputed === raw.leafHash, `${where}: leaf hash recomputed from the signed event`);
        const signed = JSON.parse(bytesToUtf8(input, 'leafInput')) as unknown;
        if (
          isObject(signed) &&
          isObject(signed.event) &&
          typeof signed.keyId === 'string' &&
          typeof signed.signature === 'string'
        ) {
          check(signed.event.eventId === raw.eventId, `${where}: signed event has this eventId`);
          entries.push({
            eventId: String(raw.eventId),
            leafIndex: raw.leafIndex,
            event: signed.event,
            keyId: signed.keyId,
            signature: signed.signature,
          });
        } else {
          check(false, `${where}: leaf input is a signed event`);
        }
      } else {
        check(
          false,
          `${where}: leaf input present`,
          'without it the trail cannot be tied to the proof',
        );
      }
      const path = Array.isArray(raw.path)
        ? raw.path.map((h, j) => hexToBytes(String(h), `path[${j}]`, 32))
        : [];
      verifyInclusion(raw.leafIndex, treeSize, hash, path, root);
      check(true, `${where}: included in the checkpoint (RFC 9162)`);
      const tlog = verifyTlogProof(String(raw.tlogProof), hash, keys);
      const parsed = parseTlogProof(String(raw.tlogProof));
      const samePath =
        parsed.proof.length === path.length &&
        parsed.proof.every((h, j) => bytesToHex(h) === bytesToHex(path[j]!));
      check(
        tlog.index === raw.leafIndex && samePath,
        `${where}: tlog-proof@v1 text verifies and agrees`,
      );
    } catch (err) {
      check(false, `${where}: proof`, message(err));
    }
  }

  const trail = Array.isArray(verification.trail) ? verification.trail.filter(isObject) : [];
  for (const step of trail.filter((t) => t.sealed === true)) {
    const signed = entries.find((e) => e.eventId === step.eventId);
    const agrees =
      signed !== undefined &&
      signed.leafIndex === step.leafIndex &&
      signed.event.type === step.type &&
      signed.event.actor === step.actor &&
      signed.event.eventTime === step.eventTime;
    check(agrees, `trail ${String(step.type)} ${String(step.eventId)} is the signed, proven event`);
  }
  return done();
}

function checkWitnesses(note: string, options: BundleWitnessOptions): WitnessAssessment {
  const keys = (options.witnesses ?? []).map((k) => parseCosignerVkey(k));
  return assessWitnesses(
    note,
    {
      witnesses: keys,
      quorum: options.quorum ?? keys.length,
      maxAgeSeconds: options.maxAgeSeconds ?? Number.MAX_SAFE_INTEGER,
    },
    options.now ?? Math.floor(Date.now() / 1000),
  );
}
