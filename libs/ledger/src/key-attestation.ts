// Key attestations (docs/adr/0013, superseded by the key directory of docs/adr/0014): the
// sealing key's signature over a participant key row, which versions before the
// directory stored in participant_key.attestation. Nothing checks a key against it any
// more; only the directory's one-time import of such a ledger reads it, so that a row
// planted behind the application's back stays out of the directory. The signed bytes are
// `custos-key:v1:` ‖ UTF-8(RFC 8785 JSON of {participantId, keyId, publicKey (base64url),
// validFrom, revokedAt} (RFC 3339 UTC with milliseconds, or null)), signed with Ed25519
// (RFC 8032); verified with the ledger's strict rule. Pure.
import { astring } from './assert';
import { bytesToBase64Url, concatBytes, utf8ToBytes } from './bytes';
import { SIGNATURE_LENGTH, sign, verifyStrict } from './ed25519';
import type { Ed25519Verify } from './events';
import { canonicalJsonBytes } from './jcs';

const KEY_PREFIX = utf8ToBytes('custos-key:v1:');

/** A participant key row as the application registered it. */
export interface KeyRecord {
  readonly participantId: string;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | null;
  readonly revokedAt: Date | null;
}

/** `custos-key:v1:` ‖ UTF-8(JCS of the record). */
export function keyAttestationBytes(key: KeyRecord): Uint8Array {
  const time = (d: Date | null) => (d === null ? null : d.toISOString());
  return concatBytes(
    KEY_PREFIX,
    canonicalJsonBytes({
      participantId: astring(key.participantId, 'participantId'),
      keyId: astring(key.keyId, 'keyId'),
      publicKey: bytesToBase64Url(key.publicKey),
      validFrom: time(key.validFrom),
      revokedAt: time(key.revokedAt),
    }),
  );
}

/**
 * The 64-byte attestation of `key` by the sealing key's seed, as versions before the key
 * directory wrote it (nothing writes one any more; tests build such a ledger with it).
 */
export function attestKey(key: KeyRecord, sealingSecretKey: Uint8Array): Uint8Array {
  return sign(keyAttestationBytes(key), sealingSecretKey);
}

/** True when `attestation` is the sealing key's signature over exactly this record. */
export function verifyKeyAttestation(
  key: KeyRecord,
  attestation: Uint8Array | null | undefined,
  sealingPublicKey: Uint8Array,
  verify: Ed25519Verify = verifyStrict,
): boolean {
  if (!attestation || attestation.length !== SIGNATURE_LENGTH) return false;
  return verify(attestation, keyAttestationBytes(key), sealingPublicKey);
}
