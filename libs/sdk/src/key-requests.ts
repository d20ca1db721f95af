// A participant's own key requests (SPEC section 3, docs/adr/0014): what one of its current
// keys signs to add a key or revoke one — `custos-key-request:v1:` ‖ RFC 8785 JSON of the
// request (libs/ledger/src/key-record.ts). Pure: the browser can use it too.
import { base64UrlToBytes, bytesToBase64Url } from '@custos/ledger/bytes';
import { type KeyRequest, signKeyRequest } from '@custos/ledger/key-record';
import { CustosArgumentError } from './errors';
import type { CustosKey } from './keys';

export interface NewKey {
  readonly keyId: string;
  /** 32 bytes, base64url without padding. */
  readonly publicKey: string;
  /** RFC 3339 instant; signed as UTC with milliseconds, as the server reads it. */
  readonly validFrom?: string | null;
}

/** signedBy and signature, the arguments addParticipantKey/revokeParticipantKey take. */
export interface SignedKeyRequest {
  readonly signedBy: string;
  readonly signature: string;
}

function sign(request: KeyRequest, signer: CustosKey): SignedKeyRequest {
  return {
    signedBy: signer.keyId,
    signature: bytesToBase64Url(signKeyRequest(request, signer.secretKey)),
  };
}

export function keyAdditionRequest(participantId: string, key: NewKey): KeyRequest {
  const validFrom = key.validFrom ? new Date(key.validFrom) : null;
  if (validFrom && Number.isNaN(validFrom.getTime()))
    throw new CustosArgumentError('key.validFrom', 'expected an RFC 3339 instant');
  return {
    type: 'KEY_ADDED',
    participantId,
    keyId: key.keyId,
    publicKey: base64UrlToBytes(key.publicKey, 'key.publicKey'),
    validFrom,
  };
}

/** `signer` (a current key of the participant) asks for `key` to be added. */
export function signKeyAddition(
  participantId: string,
  key: NewKey,
  signer: CustosKey,
): SignedKeyRequest {
  return sign(keyAdditionRequest(participantId, key), signer);
}

/** `signer` (a current key of the participant, maybe the one itself) asks for `keyId` to be revoked. */
export function signKeyRevocation(
  participantId: string,
  keyId: string,
  signer: CustosKey,
): SignedKeyRequest {
  return sign({ type: 'KEY_REVOKED', participantId, keyId }, signer);
}
