// An independent C2SP cosignature/v1 verifier, written from the text of
// c2sp.org/tlog-cosignature (and c2sp.org/signed-note for the line syntax) with node:crypto
// only, sharing no code with libs/ledger. The tests use it to accept or refuse what the
// product's witness signs, so a shared misreading of the spec would not go unnoticed.
import { createHash, createPublicKey, verify } from 'node:crypto';

export interface IndependentCosigner {
  /** The vkey: `<name>+<hex keyid>+base64(0x04 ‖ Ed25519 public key)`. */
  readonly vkey: string;
}

export interface IndependentResult {
  readonly name: string;
  readonly timestamp: number;
}

function parseVkey(vkey: string): { name: string; keyId: Buffer; publicKey: Buffer } {
  // The name has no '+' and the key ID is hex; the base64 key may hold '+'.
  const [, name, hexId, b64] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey) ?? [];
  if (!name || !hexId || !b64) throw new Error('vkey: name+id+key');
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 33 || raw[0] !== 0x04) throw new Error('vkey: not an Ed25519 cosigner key');
  const publicKey = raw.subarray(1);
  // "SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 cosigner public key)[:4]"
  const keyId = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([0x04]), publicKey]))
    .digest()
    .subarray(0, 4);
  if (keyId.toString('hex') !== hexId) throw new Error('vkey: key ID does not match');
  return { name, keyId, publicKey };
}

/**
 * Returns the cosigner's verified cosignature on the signed checkpoint `note`, or throws.
 * Steps from the spec: find the line `— <name> base64(keyID ‖ timestamped_signature)` whose
 * name and key ID match; the timestamped_signature is u64 big-endian POSIX seconds and a
 * 64-byte Ed25519 signature over "cosignature/v1\ntime <timestamp>\n" ‖ the checkpoint
 * (its lines up to the empty line, each with its newline).
 */
export function verifyCosignatureIndependently(
  note: string,
  cosigner: IndependentCosigner,
): IndependentResult {
  const { name, keyId, publicKey } = parseVkey(cosigner.vkey);
  const blank = note.indexOf('\n\n');
  if (blank < 0) throw new Error('note: no empty line');
  const body = note.slice(0, blank + 1);
  const lines = note.slice(blank + 2).split('\n');
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]);
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  for (const line of lines) {
    const prefix = `\u2014 ${name} `;
    if (!line.startsWith(prefix)) continue;
    const sig = Buffer.from(line.slice(prefix.length), 'base64');
    if (sig.length !== 4 + 8 + 64 || !sig.subarray(0, 4).equals(keyId)) continue;
    const timestamp = sig.readBigUInt64BE(4);
    if (timestamp === 0n) throw new Error('cosignature: zero timestamp');
    const message = Buffer.from(`cosignature/v1\ntime ${timestamp.toString()}\n${body}`, 'utf8');
    if (!verify(null, message, key, sig.subarray(12)))
      throw new Error('cosignature: bad signature');
    return { name, timestamp: Number(timestamp) };
  }
  throw new Error(`note: no cosignature by ${name}`);
}
