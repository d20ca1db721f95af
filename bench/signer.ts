// Event signers for benchmarks: OpenSSL's Ed25519 (node:crypto), so that signing the
// load costs the bench little; the bytes are SPEC section 4's, as every client signs them.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import type { SignedEventSubmission } from '@custos/events/submission';
import { verifyFast, verifyOpenSsl } from '@custos/ledger/ed25519-native';
import { eventSigningBytes, signInBytes } from '@custos/ledger/events';
import { opsPerSecond } from './harness';

export interface Signer {
  readonly id: string;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  sign(event: Record<string, unknown>): SignedEventSubmission;
  /** The sign-in challenge's signature (SPEC 7), base64url. */
  signChallenge(nonce: string): string;
}

/** PKCS#8 DER of an Ed25519 private key, up to the 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A signer for `id` with key `keyId`: a fresh key, or the given 32-byte seed. */
export function signer(id: string, seed?: Uint8Array, keyId = 'bench'): Signer {
  const key = seed
    ? createPrivateKey({
        key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
        format: 'der',
        type: 'pkcs8',
      })
    : createPrivateKey(
        generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }),
      );
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return {
    id,
    keyId,
    publicKey: new Uint8Array(Buffer.from(jwk.x!, 'base64url')),
    sign: (event) => ({
      event,
      keyId,
      signature: sign(null, eventSigningBytes(event), key).toString('base64url'),
    }),
    signChallenge: (nonce) => sign(null, signInBytes(nonce), key).toString('base64url'),
  };
}

/**
 * The same-run reference of the ingest and scan benchmarks: one core's Ed25519 verify
 * rate over `signed`, by the ledger's rule (`verifyFast`) and by OpenSSL alone.
 */
export function nativeVerifyRates(
  by: Signer,
  signed: SignedEventSubmission,
  minMs: number,
): { fast: number; openSsl: number } {
  const msg = eventSigningBytes(signed.event as Record<string, unknown>);
  const sig = new Uint8Array(Buffer.from(signed.signature as string, 'base64url'));
  return {
    fast: opsPerSecond(() => verifyFast(sig, msg, by.publicKey), minMs, 50),
    openSsl: opsPerSecond(() => verifyOpenSsl(sig, msg, by.publicKey), minMs, 50),
  };
}
