// C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the note text `<origin>\n<tree
// size>\n<base64 root hash>\n` plus optional non-empty extension lines, signed as a
// signed-note (note.ts). The tree size is decimal without leading zeros; the root is the
// 32-byte RFC 9162 root hash.
import { abytes, astring, auint } from './assert';
import { base64ToBytes, bytesToBase64 } from './bytes';
import { FormatError, LedgerArgumentError, VerificationError } from './errors';
import { HASH_SIZE } from './merkle';
import {
  type Ed25519Signing,
  type NoteSignature,
  type NoteSigner,
  type VerifierKey,
  openNote,
  signNote,
} from './note';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions?: readonly string[];
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly verified: NoteSignature[];
  readonly unverified: NoteSignature[];
}

/** The checkpoint's note text. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const origin = astring(checkpoint.origin, 'origin');
  if (origin.length === 0 || origin.includes('\n'))
    throw new LedgerArgumentError('origin', 'non-empty, one line');
  auint(checkpoint.size, 'size');
  abytes(checkpoint.rootHash, 'rootHash', HASH_SIZE);
  const extensions = checkpoint.extensions ?? [];
  for (const line of extensions) {
    if (astring(line, 'extensions[]').length === 0 || line.includes('\n')) {
      throw new LedgerArgumentError('extensions[]', 'non-empty, one line');
    }
  }
  return (
    [origin, String(checkpoint.size), bytesToBase64(checkpoint.rootHash), ...extensions].join(
      '\n',
    ) + '\n'
  );
}

export function parseCheckpoint(text: string): Checkpoint {
  const malformed = (why: string) =>
    new FormatError('MALFORMED_CHECKPOINT', `malformed checkpoint: ${why}`);
  astring(text, 'text');
  if (!text.endsWith('\n')) throw malformed('text must end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('fewer than three lines');
  if (lines.some((l) => l.length === 0)) throw malformed('empty line');
  const [origin, sizeText, rootText, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw malformed('tree size must be decimal without leading zeros, below 2^53');
  }
  let rootHash: Uint8Array;
  try {
    rootHash = base64ToBytes(rootText);
  } catch {
    throw malformed('root hash is not base64');
  }
  if (rootHash.length !== HASH_SIZE) throw malformed('root hash must be 32 bytes');
  return extensions.length > 0
    ? { origin, size: Number(sizeText), rootHash, extensions }
    : { origin, size: Number(sizeText), rootHash };
}

/** The signed checkpoint note (the log's key name SHOULD be the origin). */
export function signCheckpoint(
  checkpoint: Checkpoint,
  signers: readonly NoteSigner[],
  signing?: Ed25519Signing,
): string {
  return signNote(formatCheckpoint(checkpoint), signers, signing);
}

/**
 * Verifies the note's signatures (note.ts rules) and parses its text. With `origin`, a
 * checkpoint of another log is refused (ORIGIN_MISMATCH).
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly VerifierKey[],
  origin?: string,
): OpenedCheckpoint {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new VerificationError(
      'ORIGIN_MISMATCH',
      `checkpoint origin ${checkpoint.origin}, expected ${origin}`,
    );
  }
  return { checkpoint, verified: opened.verified, unverified: opened.unverified };
}
