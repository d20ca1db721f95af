// C2SP tlog-proof@v1 (c2sp.org/tlog-proof): an offline proof that an entry is in a log.
//   c2sp.org/tlog-proof@v1
//   [extra <base64>]
//   index <decimal, no leading zeros>
//   <base64 inclusion-path hash, leaf's sibling first>   (zero or more)
//   <empty line>
//   <signed checkpoint, verbatim>
// Verification opens the checkpoint with trusted keys, then checks the RFC 9162
// inclusion of the caller's leaf hash at `index` against the checkpoint's root.
import { abytes, auint } from './assert';
import { base64ToBytes, bytesToBase64 } from './bytes';
import { type Checkpoint, openCheckpoint } from './checkpoint';
import { FormatError, LedgerArgumentError } from './errors';
import { HASH_SIZE } from './merkle';
import { verifyInclusion } from './merkle-verify';
import type { NoteSignature, VerifierKey } from './note';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  readonly index: number;
  readonly proof: readonly Uint8Array[];
  /** Opaque, unauthenticated application data. */
  readonly extra?: Uint8Array;
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
}

export interface VerifiedTlogProof {
  readonly index: number;
  readonly checkpoint: Checkpoint;
  readonly verified: NoteSignature[];
  readonly extra?: Uint8Array;
}

export function formatTlogProof(p: TlogProof): string {
  auint(p.index, 'index');
  p.proof.forEach((h) => abytes(h, 'proof[]', HASH_SIZE));
  if (typeof p.checkpoint !== 'string' || p.checkpoint.length === 0) {
    throw new LedgerArgumentError('checkpoint', 'expected the signed checkpoint note');
  }
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== undefined) {
    if (abytes(p.extra, 'extra').length === 0)
      throw new LedgerArgumentError('extra', 'omit it rather than empty');
    lines.push(`extra ${bytesToBase64(p.extra)}`);
  }
  lines.push(`index ${p.index}`, ...p.proof.map(bytesToBase64), '');
  return lines.join('\n') + '\n' + p.checkpoint;
}

export function parseTlogProof(text: string): TlogProof {
  const malformed = (why: string) =>
    new FormatError('MALFORMED_TLOG_PROOF', `malformed tlog-proof: ${why}`);
  if (typeof text !== 'string') throw malformed('expected text');
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw malformed('no empty line before the checkpoint');
  const head = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  if (checkpoint.length === 0) throw malformed('missing checkpoint');
  let at = 0;
  if (head[at++] !== TLOG_PROOF_HEADER) throw malformed(`first line must be ${TLOG_PROOF_HEADER}`);
  let extra: Uint8Array | undefined;
  if (head[at]?.startsWith('extra ')) {
    try {
      extra = base64ToBytes(head[at++]!.slice('extra '.length));
    } catch {
      throw malformed('extra is not base64');
    }
    if (extra.length === 0) throw malformed('empty extra');
  }
  const indexLine = head[at++];
  const match = indexLine === undefined ? null : /^index (0|[1-9][0-9]*)$/.exec(indexLine);
  if (match === null || !Number.isSafeInteger(Number(match[1]))) throw malformed('bad index line');
  const proof = head.slice(at).map((line) => {
    let hash: Uint8Array;
    try {
      hash = base64ToBytes(line);
    } catch {
      throw malformed('proof line is not base64');
    }
    if (hash.length !== HASH_SIZE) throw malformed('proof hash must be 32 bytes');
    return hash;
  });
  const index = Number(match[1]);
  return extra === undefined ? { index, proof, checkpoint } : { index, proof, extra, checkpoint };
}

/**
 * Checks an offline proof for the entry whose leaf hash is `leafHash`: the checkpoint's
 * signatures against `verifiers` (and its origin, when given), then inclusion. Throws
 * FormatError, VerificationError or ProofVerificationError.
 */
export function verifyTlogProof(
  text: string,
  leafHash: Uint8Array,
  verifiers: readonly VerifierKey[],
  origin?: string,
): VerifiedTlogProof {
  const parsed = parseTlogProof(text);
  const { checkpoint, verified } = openCheckpoint(parsed.checkpoint, verifiers, origin);
  verifyInclusion(parsed.index, checkpoint.size, leafHash, parsed.proof, checkpoint.rootHash);
  return parsed.extra === undefined
    ? { index: parsed.index, checkpoint, verified }
    : { index: parsed.index, checkpoint, verified, extra: parsed.extra };
}
