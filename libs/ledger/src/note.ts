// C2SP signed-note (c2sp.org/signed-note) with Ed25519 signatures (type 0x01): a text
// ending in a newline, a blank line, then lines `— <name> base64(keyID ‖ signature)`.
// Key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]; verifier keys read
// `<name>+<8 hex keyID>+base64(0x01 ‖ public key)`. Parsing follows golang.org/x/mod
// sumdb/note, whose vectors we pass: at most 100 signatures, signatures by unknown keys
// ignored, a known key's bad signature rejects the note, and at least one must verify.
import { abytes, astring } from './assert';
import { base64ToBytes, bytesToBase64, bytesToUtf8, concatBytes, utf8ToBytes } from './bytes';
import { SECRET_KEY_LENGTH, publicKeyOf, sign, verifyStrict } from './ed25519';
import { FormatError, LedgerArgumentError, VerificationError } from './errors';
import { sha256 } from './sha256';

export const ED25519_NOTE_TYPE = 0x01;
/** Signatures beyond this make a note malformed (the spec asks for at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

export interface VerifierKey {
  readonly name: string;
  /** uint32 key ID. */
  readonly keyId: number;
  readonly publicKey: Uint8Array;
}

export interface NoteSigner {
  readonly name: string;
  /** 32-byte Ed25519 seed. */
  readonly secretKey: Uint8Array;
}

/** How a note is signed: ed25519.ts by default; ed25519-native.ts `FAST_SIGNING` on the server. */
export interface Ed25519Signing {
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  publicKeyOf(secretKey: Uint8Array): Uint8Array;
}

const PURE_SIGNING: Ed25519Signing = { sign, publicKeyOf };

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** base64(keyID ‖ signature) exactly as on the line. */
  readonly base64: string;
}

export interface OpenedNote {
  readonly text: string;
  readonly verified: NoteSignature[];
  readonly unverified: NoteSignature[];
}

/** Non-empty, no Unicode space, no `+`. */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && !/[\s\u0085+]/u.test(name);
}

function assertKeyName(name: string, field: string): void {
  if (!isValidKeyName(name))
    throw new LedgerArgumentError(field, 'key name must be non-empty, without spaces or +');
}

export function noteKeyId(name: string, publicKey: Uint8Array): number {
  assertKeyName(name, 'name');
  const digest = sha256(
    concatBytes(
      utf8ToBytes(`${name}\n`),
      new Uint8Array([ED25519_NOTE_TYPE]),
      abytes(publicKey, 'publicKey', 32),
    ),
  );
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

const keyIdHex = (id: number) => id.toString(16).padStart(8, '0');

function keyIdBytes(id: number): Uint8Array {
  return new Uint8Array([id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255]);
}

export function encodeVerifierKey(name: string, publicKey: Uint8Array): string {
  const id = noteKeyId(name, publicKey);
  return `${name}+${keyIdHex(id)}+${bytesToBase64(concatBytes(new Uint8Array([ED25519_NOTE_TYPE]), publicKey))}`;
}

function parseKey(
  text: string,
  code: 'MALFORMED_VERIFIER_KEY' | 'MALFORMED_SIGNER_KEY',
): VerifierKey & { raw: Uint8Array } {
  const fail = (why: string) =>
    new FormatError(code, `${code === 'MALFORMED_SIGNER_KEY' ? 'signer' : 'verifier'} key: ${why}`);
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) throw fail('expected name+keyid+key');
  const name = text.slice(0, first);
  const hash = text.slice(first + 1, second);
  if (!isValidKeyName(name)) throw fail('invalid name');
  if (!/^[0-9a-f]{8}$/.test(hash)) throw fail('key ID must be 8 lowercase hex digits');
  let key: Uint8Array;
  try {
    key = base64ToBytes(text.slice(second + 1));
  } catch {
    throw fail('key is not base64');
  }
  if (key[0] !== ED25519_NOTE_TYPE) throw fail('unknown signature type');
  if (key.length !== 33) throw fail('Ed25519 key must be 32 bytes');
  return { name, keyId: parseInt(hash, 16), publicKey: key.subarray(1), raw: key.subarray(1) };
}

export function parseVerifierKey(vkey: string): VerifierKey {
  const { name, keyId, publicKey } = parseKey(astring(vkey, 'vkey'), 'MALFORMED_VERIFIER_KEY');
  if (noteKeyId(name, publicKey) !== keyId) {
    throw new FormatError('MALFORMED_VERIFIER_KEY', 'verifier key: key ID does not match the key');
  }
  return { name, keyId, publicKey };
}

/** `PRIVATE+KEY+<name>+<keyid>+base64(0x01 ‖ seed)`, the form golang.org/x/mod/sumdb/note reads. */
export function encodeSignerKey(signer: NoteSigner): string {
  const id = noteKeyId(
    signer.name,
    publicKeyOf(abytes(signer.secretKey, 'secretKey', SECRET_KEY_LENGTH)),
  );
  return `PRIVATE+KEY+${signer.name}+${keyIdHex(id)}+${bytesToBase64(concatBytes(new Uint8Array([ED25519_NOTE_TYPE]), signer.secretKey))}`;
}

export function parseSignerKey(skey: string): NoteSigner {
  astring(skey, 'skey');
  if (!skey.startsWith('PRIVATE+KEY+'))
    throw new FormatError('MALFORMED_SIGNER_KEY', 'signer key: missing PRIVATE+KEY+');
  const { name, keyId, raw } = parseKey(skey.slice('PRIVATE+KEY+'.length), 'MALFORMED_SIGNER_KEY');
  if (noteKeyId(name, publicKeyOf(raw)) !== keyId) {
    throw new FormatError('MALFORMED_SIGNER_KEY', 'signer key: key ID does not match the key');
  }
  return { name, secretKey: raw };
}

export function verifierKeyOf(signer: NoteSigner): VerifierKey {
  const publicKey = publicKeyOf(abytes(signer.secretKey, 'secretKey', SECRET_KEY_LENGTH));
  return { name: signer.name, keyId: noteKeyId(signer.name, publicKey), publicKey };
}

/** An ASCII control character other than newline, or a lone surrogate (not UTF-8). */
function hasForbiddenCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/** Signs `text` (which must end in a newline) by every signer, in order. */
export function signNote(
  text: string,
  signers: readonly NoteSigner[],
  signing: Ed25519Signing = PURE_SIGNING,
): string {
  astring(text, 'text');
  if (!text.endsWith('\n') || hasForbiddenCharacter(text)) {
    throw new LedgerArgumentError(
      'text',
      'note text must end in a newline and hold no control characters',
    );
  }
  if (signers.length === 0) throw new LedgerArgumentError('signers', 'at least one signer');
  const message = utf8ToBytes(text);
  let out = `${text}\n`;
  for (const signer of signers) {
    assertKeyName(signer.name, 'signer.name');
    const secretKey = abytes(signer.secretKey, 'secretKey', SECRET_KEY_LENGTH);
    const keyId = noteKeyId(signer.name, signing.publicKeyOf(secretKey));
    const sig = signing.sign(message, secretKey);
    out += `\u2014 ${signer.name} ${bytesToBase64(concatBytes(keyIdBytes(keyId), sig))}\n`;
  }
  return out;
}

/**
 * Parses and verifies a signed note against known verifier keys. Throws FormatError
 * (MALFORMED_NOTE) or VerificationError (INVALID_SIGNATURE: a known key's signature fails;
 * NO_VERIFIED_SIGNATURE: no known key signed it).
 */
export function openNote(note: string | Uint8Array, verifiers: readonly VerifierKey[]): OpenedNote {
  const malformed = (why: string) => new FormatError('MALFORMED_NOTE', `malformed note: ${why}`);
  let msg: string;
  try {
    msg = typeof note === 'string' ? note : bytesToUtf8(note, 'note');
  } catch {
    throw malformed('invalid UTF-8');
  }
  if (hasForbiddenCharacter(msg)) throw malformed('control character or invalid UTF-16');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before signatures');
  const text = msg.slice(0, split + 1);
  const sigs = msg.slice(split + 2);
  if (sigs.length === 0 || !sigs.endsWith('\n'))
    throw malformed('signature block must end in a newline');
  const message = utf8ToBytes(text);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenVerified = new Set<string>();
  const seenUnverified = new Set<string>();
  const lines = sigs.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES)
    throw malformed(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  for (const line of lines) {
    if (!line.startsWith('\u2014 '))
      throw malformed('signature line must start with an em dash and a space');
    const rest = line.slice(2);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    let raw: Uint8Array;
    try {
      raw = base64ToBytes(b64);
    } catch {
      throw malformed('signature is not base64');
    }
    if (!isValidKeyName(name) || raw.length < 5) throw malformed('bad signature line');
    const keyId = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    const signature: NoteSignature = { name, keyId, base64: b64 };
    const verifier = verifiers.find((v) => v.name === name && v.keyId === keyId);
    if (verifier === undefined) {
      if (!seenUnverified.has(line)) {
        seenUnverified.add(line);
        unverified.push(signature);
      }
      continue;
    }
    const id = `${name}+${keyIdHex(keyId)}`;
    if (seenVerified.has(id)) continue;
    seenVerified.add(id);
    if (!verifyStrict(raw.subarray(4), message, verifier.publicKey)) {
      throw new VerificationError('INVALID_SIGNATURE', `invalid signature for key ${id}`);
    }
    verified.push(signature);
  }
  if (verified.length === 0)
    throw new VerificationError('NO_VERIFIED_SIGNATURE', 'note has no verifiable signatures');
  return { text, verified, unverified };
}
