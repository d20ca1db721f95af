// Server-side fast path for the Ed25519 rule of SPEC section 4, through OpenSSL
// (node:crypto), about ten times faster than the pure verifier. OpenSSL checks the
// cofactorless equation [S]B = R + [k]A with S < L and R compared as canonical bytes,
// but decodes A leniently (y >= p allowed) and accepts small-order A. So:
//   - an OpenSSL accept is trusted only when A is a key SPEC section 3 would register
//     (canonical, not small order): then the cofactorless equation implies the cofactored
//     one and every other condition of the rule holds;
//   - every OpenSSL reject, and every accept on any other key, is decided by
//     `verifyStrict` (the "re-check every signature it rejects" of SPEC section 4).
// The combined decision equals `verifyStrict` on every Wycheproof and CCTV vector and on
// random inputs (ed25519-native.spec.ts). Rejections cost a pure verification each.
// Node only: the browser and the offline verifier use `verifyStrict` directly.
import {
  type KeyObject,
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { bytesToBase64Url, bytesToHex } from './bytes';
import { abytes } from './assert';
import { PUBLIC_KEY_LENGTH, SECRET_KEY_LENGTH, SIGNATURE_LENGTH, verifyStrict } from './ed25519';

const SMALL_ORDER_ENCODINGS = new Set(ED25519_TORSION_SUBGROUP);

/**
 * Byte-level screen equal to "canonical and not small order" for every encoding of a
 * curve point (OpenSSL refuses the others before we ask): y < p, no x = 0 with the sign
 * bit set (y = 1 or y = p - 1), and not one of the 8 canonical small-order encodings.
 */
export function isScreenedPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  const top = publicKey[31]! & 0x7f;
  let middleAllFf = true;
  for (let i = 1; i < 31; i++) {
    if (publicKey[i] !== 0xff) {
      middleAllFf = false;
      break;
    }
  }
  const b0 = publicKey[0]!;
  if (top === 0x7f && middleAllFf) {
    if (b0 >= 0xed) return false; // y >= p
    if (b0 === 0xec && (publicKey[31]! & 0x80) !== 0) return false; // y = p - 1, x = 0, sign 1
  }
  if (b0 === 1 && (publicKey[31]! & 0x80) !== 0) {
    let restZero = top === 0;
    for (let i = 1; i < 31 && restZero; i++) restZero = publicKey[i] === 0;
    if (restZero) return false; // y = 1, x = 0, sign 1
  }
  return !SMALL_ORDER_ENCODINGS.has(bytesToHex(publicKey));
}

// KeyObject construction costs about as much as a verification: keep the few registered
// keys around. Cleared wholesale when full; a miss only costs time.
const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map<string, KeyObject | null>();

function keyObject(publicKey: Uint8Array): KeyObject | null {
  const id = bytesToBase64Url(publicKey);
  const hit = keyCache.get(id);
  if (hit !== undefined) return hit;
  let key: KeyObject | null;
  try {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: id }, format: 'jwk' });
  } catch {
    key = null;
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(id, key);
  return key;
}

/** OpenSSL's cofactorless decision alone. Not the ledger's rule: for tests and benchmarks. */
export function verifyOpenSsl(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  const key = keyObject(publicKey);
  if (key === null) return false;
  try {
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** The ledger's rule (same decisions as `verifyStrict`), fast when the signature is good. */
export function verifyFast(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (!(signature instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
  if (isScreenedPublicKey(publicKey) && verifyOpenSsl(signature, message, publicKey)) return true;
  return verifyStrict(signature, message, publicKey);
}

/** PKCS#8 DER of an Ed25519 private key, up to the 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

// The sealing key signs every checkpoint: its KeyObject and public key are kept, by seed.
const signingKeys = new Map<string, { key: KeyObject; publicKey: Uint8Array }>();

function signingKey(secretKey: Uint8Array): { key: KeyObject; publicKey: Uint8Array } {
  abytes(secretKey, 'secretKey', SECRET_KEY_LENGTH);
  const id = bytesToHex(secretKey);
  let entry = signingKeys.get(id);
  if (!entry) {
    const key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, secretKey]),
      format: 'der',
      type: 'pkcs8',
    });
    const jwk = createPublicKey(key).export({ format: 'jwk' });
    entry = { key, publicKey: new Uint8Array(Buffer.from(jwk.x!, 'base64url')) };
    if (signingKeys.size >= 16) signingKeys.clear();
    signingKeys.set(id, entry);
  }
  return entry;
}

/**
 * RFC 8032 signing through OpenSSL: deterministic, so the same 64 bytes as ed25519.ts
 * `sign` (ed25519-native.spec.ts checks it), without its two pure scalar multiplications.
 */
export function signFast(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  abytes(message, 'message');
  return new Uint8Array(nodeSign(null, message, signingKey(secretKey).key));
}

/** The public key of a 32-byte seed, as ed25519.ts `publicKeyOf`. */
export function publicKeyOfFast(secretKey: Uint8Array): Uint8Array {
  return signingKey(secretKey).publicKey;
}

/** The native pair for note.ts `signNote` and checkpoint.ts `signCheckpoint`. */
export const FAST_SIGNING = { sign: signFast, publicKeyOf: publicKeyOfFast } as const;
