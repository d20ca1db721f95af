// Key attestations (docs/adr/0013): the log's sealing key signs every participant key
// row as the application registers or revokes it, so a row planted in the database
// behind the application's back carries no signature that verifies, and the sealer,
// verifyPackage and the audit refuse what it signed. The signed bytes are
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

/** The 64-byte attestation of `key` by the sealing key's seed. */
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

/** A memo of attestation decisions by the exact row (a cache of the few registered keys). */
export class AttestationMemo {
  private readonly decided = new Map<string, boolean>();

  constructor(
    private readonly verify: Ed25519Verify = verifyStrict,
    private readonly limit = 4096,
  ) {}

  check(key: KeyRecord, attestation: Uint8Array | null | undefined, sealing: Uint8Array): boolean {
    const id = `${bytesToBase64Url(sealing)}|${bytesToBase64Url(keyAttestationBytes(key))}|${attestation ? bytesToBase64Url(attestation) : ''}`;
    const hit = this.decided.get(id);
    if (hit !== undefined) return hit;
    const ok = verifyKeyAttestation(key, attestation, sealing, this.verify);
    if (this.decided.size >= this.limit) this.decided.clear();
    this.decided.set(id, ok);
    return ok;
  }
}
