// C2SP tlog-cosignature (c2sp.org/tlog-cosignature), Ed25519 `cosignature/v1`: a witness's
// timestamped signature on a checkpoint, carried as one more signed-note signature line
// `— <name> base64(keyID ‖ u64 timestamp ‖ signature)`. Key ID = SHA-256(name ‖ 0x0A ‖
// 0x04 ‖ public key)[:4]; the signed message is `cosignature/v1\ntime <t>\n` followed by
// the checkpoint text (every line up to the blank line, extensions included). The message
// does not commit to the name, so one key must never serve two cosigners. Verifier keys
// are vkeys of type 0x04 (`<name>+<keyid>+base64(0x04 ‖ public key)`).
import { abytes, astring, auint } from './assert';
import { base64ToBytes, bytesToBase64, concatBytes, utf8ToBytes } from './bytes';
import { SECRET_KEY_LENGTH, publicKeyOf, sign, verifyStrict } from './ed25519';
import { FormatError, LedgerArgumentError, VerificationError } from './errors';
import { type NoteSigner, type VerifierKey, isValidKeyName } from './note';
import { sha256 } from './sha256';

export const COSIGNATURE_V1_TYPE = 0x04;
/** keyID (4) ‖ timestamp (8) ‖ Ed25519 signature (64). */
export const COSIGNATURE_V1_LENGTH = 76;

export interface Cosignature {
  readonly name: string;
  readonly keyId: number;
  /** POSIX seconds. */
  readonly timestamp: number;
  /** base64(keyID ‖ timestamp ‖ signature) exactly as on the line. */
  readonly base64: string;
}

export function cosignatureKeyId(name: string, publicKey: Uint8Array): number {
  if (!isValidKeyName(name))
    throw new LedgerArgumentError('name', 'key name must be non-empty, without spaces or +');
  const digest = sha256(
    concatBytes(
      utf8ToBytes(`${name}\n`),
      new Uint8Array([COSIGNATURE_V1_TYPE]),
      abytes(publicKey, 'publicKey', 32),
    ),
  );
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

const keyIdHex = (id: number) => id.toString(16).padStart(8, '0');

export function encodeCosignerVkey(name: string, publicKey: Uint8Array): string {
  const id = cosignatureKeyId(name, publicKey);
  return `${name}+${keyIdHex(id)}+${bytesToBase64(concatBytes(new Uint8Array([COSIGNATURE_V1_TYPE]), publicKey))}`;
}

/** The cosigner's verifier key, from its signer (name and Ed25519 seed). */
export function cosignerKeyOf(signer: NoteSigner): VerifierKey {
  const publicKey = publicKeyOf(abytes(signer.secretKey, 'secretKey', SECRET_KEY_LENGTH));
  return { name: signer.name, keyId: cosignatureKeyId(signer.name, publicKey), publicKey };
}

/** Parses a type 0x04 vkey; throws FormatError MALFORMED_VERIFIER_KEY naming what is wrong. */
export function parseCosignerVkey(vkey: string): VerifierKey {
  astring(vkey, 'vkey');
  const fail = (why: string) =>
    new FormatError('MALFORMED_VERIFIER_KEY', `cosigner vkey ${JSON.stringify(vkey)}: ${why}`);
  // The name holds no '+'; the base64 key may.
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw fail('expected name+keyid+key');
  const name = vkey.slice(0, first);
  const hash = vkey.slice(first + 1, second);
  const b64 = vkey.slice(second + 1);
  if (!isValidKeyName(name)) throw fail('invalid name');
  if (!/^[0-9a-f]{8}$/.test(hash)) throw fail('key ID must be 8 lowercase hex digits');
  let key: Uint8Array;
  try {
    key = base64ToBytes(b64);
  } catch {
    throw fail('key is not base64');
  }
  if (key[0] !== COSIGNATURE_V1_TYPE)
    throw fail(`signature type must be 0x04 (cosignature/v1), got 0x${(key[0] ?? 0).toString(16)}`);
  if (key.length !== 33) throw fail('Ed25519 key must be 32 bytes');
  const publicKey = key.subarray(1);
  const keyId = parseInt(hash, 16);
  if (cosignatureKeyId(name, publicKey) !== keyId) throw fail('key ID does not match the key');
  return { name, keyId, publicKey };
}

function assertTimestamp(timestamp: number): void {
  auint(timestamp, 'timestamp');
  if (timestamp === 0) throw new LedgerArgumentError('timestamp', 'must not be zero');
}

/** The checkpoint text: `note` up to and including the blank line's first newline. */
function checkpointText(note: string, field: string): string {
  const end = note.indexOf('\n\n');
  const text = end < 0 ? note : note.slice(0, end + 1);
  if (text.length === 0 || !text.endsWith('\n'))
    throw new LedgerArgumentError(field, 'checkpoint text must end in a newline');
  return text;
}

/** The bytes a cosignature/v1 signs. */
export function cosignatureMessage(checkpoint: string, timestamp: number): Uint8Array {
  assertTimestamp(timestamp);
  return utf8ToBytes(
    `cosignature/v1\ntime ${timestamp}\n${checkpointText(astring(checkpoint, 'checkpoint'), 'checkpoint')}`,
  );
}

/**
 * The cosignature line (ending in a newline) of `signer` on a checkpoint, given as its text
 * or as a signed note (its signature lines are not covered).
 */
export function cosign(checkpoint: string, signer: NoteSigner, timestamp: number): string {
  const { keyId } = cosignerKeyOf(signer);
  const message = cosignatureMessage(checkpoint, timestamp);
  const head = new Uint8Array(12);
  const view = new DataView(head.buffer);
  view.setUint32(0, keyId);
  view.setBigUint64(4, BigInt(timestamp));
  return `\u2014 ${signer.name} ${bytesToBase64(concatBytes(head, sign(message, signer.secretKey)))}\n`;
}

/** Name, key ID and timestamp of a signature line, or undefined when it is no cosignature/v1. */
export function readCosignatureLine(line: string): Cosignature | undefined {
  const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})\n?$/.exec(line);
  if (!m || !isValidKeyName(m[1]!)) return undefined;
  let raw: Uint8Array;
  try {
    raw = base64ToBytes(m[2]!);
  } catch {
    return undefined;
  }
  if (raw.length !== COSIGNATURE_V1_LENGTH) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const timestamp = view.getBigUint64(4);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { name: m[1]!, keyId: view.getUint32(0), timestamp: Number(timestamp), base64: m[2]! };
}

/**
 * The cosignatures on `note` (a signed checkpoint) by the given cosigners, verified. Lines
 * by other keys are ignored (the log's own signature among them); a line whose name and
 * key ID match a cosigner but whose signature fails throws VerificationError
 * INVALID_SIGNATURE, as signed-note asks. At most one cosignature per cosigner is returned
 * (the newest, when the note repeats one).
 */
export function openCosignatures(note: string, cosigners: readonly VerifierKey[]): Cosignature[] {
  astring(note, 'note');
  const split = note.indexOf('\n\n');
  if (split < 0)
    throw new FormatError('MALFORMED_NOTE', 'malformed note: no blank line before signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n');
  const found = new Map<string, Cosignature>();
  for (const line of lines) {
    if (line === '') continue;
    const cosig = readCosignatureLine(line);
    if (!cosig) continue;
    const key = cosigners.find((c) => c.name === cosig.name && c.keyId === cosig.keyId);
    if (!key) continue;
    const raw = base64ToBytes(cosig.base64);
    if (
      cosig.timestamp === 0 ||
      !verifyStrict(raw.subarray(12), cosignatureMessage(text, cosig.timestamp), key.publicKey)
    ) {
      throw new VerificationError(
        'INVALID_SIGNATURE',
        `invalid cosignature by ${cosig.name}+${keyIdHex(cosig.keyId)}`,
      );
    }
    const id = `${cosig.name}+${keyIdHex(cosig.keyId)}`;
    const seen = found.get(id);
    if (!seen || seen.timestamp < cosig.timestamp) found.set(id, cosig);
  }
  return [...found.values()];
}
