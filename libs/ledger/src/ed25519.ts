// Ed25519 (RFC 8032) with the ledger's one verification rule, SPEC section 4: section
// 5.1.7 with the cofactored equation [8][S]B = [8]R + [8][k]A, S < L, canonical
// encodings of R and A, and small-order A refused - what @noble/curves does with
// `{ zip215: false }`. Pure TypeScript, so the server, the offline verifier and the
// browser decide alike. Public-key registration (SPEC section 3) uses the same decoder.
import { ed25519 } from '@noble/curves/ed25519.js';
import { abytes } from './assert';

export const PUBLIC_KEY_LENGTH = 32;
export const SECRET_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

/** A fresh 32-byte seed (the RFC 8032 private key). */
export function randomSecretKey(): Uint8Array {
  return ed25519.utils.randomSecretKey();
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(abytes(secretKey, 'secretKey', SECRET_KEY_LENGTH));
}

/** Deterministic RFC 8032 signature. */
export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed25519.sign(
    abytes(message, 'message'),
    abytes(secretKey, 'secretKey', SECRET_KEY_LENGTH),
  );
}

/**
 * The rule. False (never a throw) for any signature, key or length that does not verify,
 * so callers can treat attacker-supplied bytes uniformly.
 */
export function verifyStrict(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  abytes(message, 'message');
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export type PublicKeyProblem = 'LENGTH' | 'NOT_CANONICAL_POINT' | 'SMALL_ORDER';

/**
 * Why a public key may not be registered (SPEC section 3): it must be the canonical
 * encoding of a curve point that is not of small order. Null when it may.
 */
export function publicKeyProblem(publicKey: Uint8Array): PublicKeyProblem | null {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) return 'LENGTH';
  let point;
  try {
    point = ed25519.Point.fromBytes(publicKey, false);
  } catch {
    return 'NOT_CANONICAL_POINT';
  }
  return point.isSmallOrder() ? 'SMALL_ORDER' : null;
}

export function isRegistrablePublicKey(publicKey: Uint8Array): boolean {
  return publicKeyProblem(publicKey) === null;
}
