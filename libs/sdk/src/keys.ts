// Participant keys (SPEC section 3): an Ed25519 private key is its 32-byte RFC 8032 seed,
// the public key 32 bytes as base64url without padding. Two file forms carry a seed:
// the Custos key file (JSON, what `custos keygen` writes and the scan page reads) and
// PKCS#8 in PEM (RFC 8410 section 7, what OpenSSL and node:crypto read and write).
// Pure: no Node APIs (the browser uses it too); key-file.ts reads and writes files.
import {
  base64ToBytes,
  base64UrlToBytes,
  bytesToBase64,
  bytesToBase64Url,
  concatBytes,
  equalBytes,
} from '@custos/ledger/bytes';
import { publicKeyOf, randomSecretKey, sign, SECRET_KEY_LENGTH } from '@custos/ledger/ed25519';
import { signInBytes } from '@custos/ledger/events';
import { LedgerArgumentError } from '@custos/ledger/errors';
import { CustosArgumentError } from './errors';

/** A participant's signing key as its owner holds it. The seed never leaves the owner. */
export interface CustosKey {
  /** The participant's GLN, when known (a fresh key may not be registered yet). */
  readonly participantId?: string;
  readonly keyId: string;
  /** The 32-byte Ed25519 seed. */
  readonly secretKey: Uint8Array;
  /** 32 bytes, base64url without padding: what `registerParticipant` takes. */
  readonly publicKey: string;
}

/** `format` of a Custos key file. */
export const KEY_FILE_FORMAT = 'custos-key/v1';

/** The JSON of a Custos key file. */
export interface KeyFile {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly participantId?: string;
  readonly keyId: string;
  /** base64url (no padding) of the 32-byte seed. */
  readonly secretKey: string;
  readonly publicKey: string;
}

function keyIdOf(keyId: unknown, field = 'keyId'): string {
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 100) {
    throw new CustosArgumentError(field, 'expected a key id of 1 to 100 characters');
  }
  return keyId;
}

/** A key from its seed; the public key is derived, never trusted from outside. */
export function keyFromSeed(
  secretKey: Uint8Array,
  keyId: string,
  participantId?: string,
): CustosKey {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_LENGTH) {
    throw new CustosArgumentError('secretKey', `expected a ${SECRET_KEY_LENGTH}-byte Ed25519 seed`);
  }
  return {
    ...(participantId === undefined ? {} : { participantId }),
    keyId: keyIdOf(keyId),
    secretKey: Uint8Array.from(secretKey),
    publicKey: bytesToBase64Url(publicKeyOf(secretKey)),
  };
}

/** A fresh key (random seed from the platform's CSPRNG). */
export function generateKey(keyId = 'k1', participantId?: string): CustosKey {
  return keyFromSeed(randomSecretKey(), keyId, participantId);
}

/** The same key for (another) participant id, e.g. once it is registered. */
export function withParticipant(key: CustosKey, participantId: string): CustosKey {
  return { ...key, participantId };
}

/** Ed25519 signature of `message` (RFC 8032, deterministic). */
export function signBytes(key: CustosKey, message: Uint8Array): Uint8Array {
  return sign(message, key.secretKey);
}

/** The sign-in signature (SPEC section 3): over `custos-signin:v1:` + nonce, base64url. */
export function signChallenge(key: CustosKey, nonce: string): string {
  return bytesToBase64Url(sign(signInBytes(nonce), key.secretKey));
}

export function toKeyFile(key: CustosKey): KeyFile {
  return {
    format: KEY_FILE_FORMAT,
    ...(key.participantId === undefined ? {} : { participantId: key.participantId }),
    keyId: key.keyId,
    secretKey: bytesToBase64Url(key.secretKey),
    publicKey: key.publicKey,
  };
}

/** Parses a Custos key file; a `publicKey` that is not the seed's is refused. */
export function parseKeyFile(json: unknown, source = 'key file'): CustosKey {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CustosArgumentError(source, 'expected a JSON object (a Custos key file)');
  }
  const file = json as Record<string, unknown>;
  if (file.format !== KEY_FILE_FORMAT) {
    throw new CustosArgumentError(`${source}: format`, `expected "${KEY_FILE_FORMAT}"`);
  }
  if (file.participantId !== undefined && typeof file.participantId !== 'string') {
    throw new CustosArgumentError(`${source}: participantId`, 'expected a GLN string');
  }
  let seed: Uint8Array;
  try {
    seed = base64UrlToBytes(typeof file.secretKey === 'string' ? file.secretKey : '', 'secretKey');
  } catch (err) {
    throw new CustosArgumentError(`${source}: secretKey`, (err as Error).message);
  }
  if (seed.length !== SECRET_KEY_LENGTH) {
    throw new CustosArgumentError(
      `${source}: secretKey`,
      `expected a ${SECRET_KEY_LENGTH}-byte seed, got ${seed.length} bytes`,
    );
  }
  const key = keyFromSeed(seed, keyIdOf(file.keyId, `${source}: keyId`), file.participantId);
  if (file.publicKey !== undefined && file.publicKey !== key.publicKey) {
    throw new CustosArgumentError(
      `${source}: publicKey`,
      'is not the public key of secretKey (the file was edited or mixed up)',
    );
  }
  return key;
}

// RFC 8410: OneAsymmetricKey v1 with id-Ed25519 (1.3.101.112), privateKey an OCTET STRING
// holding the 32-byte seed as an OCTET STRING. 16 bytes of fixed prefix, then the seed.
const PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
);
const PEM_LABEL = 'PRIVATE KEY';

/** PKCS#8 DER of the seed (48 bytes). */
export function toPkcs8Der(key: CustosKey): Uint8Array {
  return concatBytes(PKCS8_PREFIX, key.secretKey);
}

/** PKCS#8 PEM, `-----BEGIN PRIVATE KEY-----`, as `openssl genpkey -algorithm ed25519` writes. */
export function toPkcs8Pem(key: CustosKey): string {
  const body = bytesToBase64(toPkcs8Der(key)).replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${PEM_LABEL}-----\n${body}-----END ${PEM_LABEL}-----\n`;
}

/** The seed from a PKCS#8 Ed25519 key (DER bytes or PEM text). */
export function parsePkcs8(input: Uint8Array | string, keyId: string, participantId?: string) {
  let der: Uint8Array;
  if (typeof input === 'string') {
    const match = new RegExp(
      `-----BEGIN ${PEM_LABEL}-----([A-Za-z0-9+/=\\s]+)-----END ${PEM_LABEL}-----`,
    ).exec(input);
    if (!match?.[1]) {
      throw new CustosArgumentError(
        'pem',
        `expected a "-----BEGIN ${PEM_LABEL}-----" block (PKCS#8; an encrypted or "ED25519 PRIVATE KEY" block is not read)`,
      );
    }
    try {
      der = base64ToBytes(match[1].replace(/\s+/g, ''), 'pem');
    } catch (err) {
      if (err instanceof LedgerArgumentError) throw new CustosArgumentError('pem', err.message);
      throw err;
    }
  } else {
    der = input;
  }
  if (
    der.length !== PKCS8_PREFIX.length + SECRET_KEY_LENGTH ||
    !equalBytes(der.subarray(0, PKCS8_PREFIX.length), PKCS8_PREFIX)
  ) {
    throw new CustosArgumentError(
      'pkcs8',
      'expected an unencrypted PKCS#8 Ed25519 private key (RFC 8410, 48 bytes of DER)',
    );
  }
  return keyFromSeed(der.subarray(PKCS8_PREFIX.length), keyId, participantId);
}
