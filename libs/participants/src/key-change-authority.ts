// Who may add or revoke a participant's key (SPEC section 3, docs/adr/0014): the
// participant itself, with a request signed by one of its current keys in the key
// directory; the admin (bootstrap and recovery); a regulator may revoke, never add. The
// answer is the record's `authorisedBy`. Pure: the caller passes the opened directory.
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { base64UrlToBytes } from '@custos/ledger/bytes';
import { SIGNATURE_LENGTH } from '@custos/ledger/ed25519';
import type { Ed25519Verify } from '@custos/ledger/events';
import type { KeyDirectory } from '@custos/ledger/key-directory';
import { type Authorisation, type KeyRequest, verifyKeyRequest } from '@custos/ledger/key-record';

/** A participant's signature over the request (`custos-key-request:v1:` ‖ JCS). */
export interface SignedBy {
  readonly signedBy?: string | null | undefined;
  readonly signature?: string | null | undefined;
}

function signatureBytes(text: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  try {
    bytes = base64UrlToBytes(text, 'signature');
  } catch {
    bytes = undefined;
  }
  if (bytes?.length !== SIGNATURE_LENGTH)
    throw new DomainError(
      'BAD_USER_INPUT',
      `signature: expected base64url without padding of the ${SIGNATURE_LENGTH}-byte Ed25519 signature`,
      'signature',
    );
  return bytes;
}

/** The record's authorisation, or the DomainError that says who may make this change. */
export function authoriseKeyChange(
  request: KeyRequest,
  by: Principal,
  signed: SignedBy,
  directory: KeyDirectory,
  verify?: Ed25519Verify,
): Authorisation {
  const { signedBy, signature } = signed;
  if ((signedBy ?? null) === null && (signature ?? null) === null) {
    if (by.kind === 'admin') return { role: 'ADMIN' };
    if (request.type === 'KEY_REVOKED' && by.roles.includes('REGULATOR'))
      return { role: 'REGULATOR', participantId: by.id };
    throw new DomainError(
      'FORBIDDEN',
      request.type === 'KEY_ADDED'
        ? `a key of ${request.participantId} is added by the admin or by ${request.participantId}'s own request, signed by one of its current keys (signedBy, signature)`
        : `a key of ${request.participantId} is revoked by the admin, a regulator, or ${request.participantId}'s own request, signed by one of its current keys (signedBy, signature)`,
    );
  }
  if (!signedBy || !signature)
    throw new DomainError(
      'BAD_USER_INPUT',
      `${signedBy ? 'signature' : 'signedBy'}: a signed request gives both signedBy and signature`,
      signedBy ? 'signature' : 'signedBy',
    );
  const bytes = signatureBytes(signature);
  const signer = directory.state(request.participantId, signedBy);
  if (!signer || signer.revokedBy !== null)
    throw new DomainError(
      'UNKNOWN_KEY',
      `signedBy: "${signedBy}" is not a current key of ${request.participantId} in the key directory`,
      'signedBy',
    );
  if (!verifyKeyRequest(request, bytes, signer.publicKey, verify))
    throw new DomainError(
      'BAD_SIGNATURE',
      `signature: not an Ed25519 signature by key "${signedBy}" of ${request.participantId} over "custos-key-request:v1:" + the RFC 8785 JSON of the request (docs/adr/0014)`,
      'signature',
    );
  return { role: 'PARTICIPANT', keyId: signedBy, signature: bytes };
}
