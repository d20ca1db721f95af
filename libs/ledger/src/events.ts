// Event signing bytes and leaf input, SPEC sections 3, 4 and 5. An event is signed as
// `custos-event:v1:` followed by the RFC 8785 canonical JSON of the event with its
// null-valued fields dropped; the log entry's leaf input is the canonical JSON of
// {event, keyId, signature}. Signatures travel as base64url without padding.
import { astring } from './assert';
import { base64UrlToBytes, bytesToBase64Url, concatBytes, utf8ToBytes } from './bytes';
import { LedgerArgumentError } from './errors';
import { canonicalJsonBytes } from './jcs';
import { SIGNATURE_LENGTH, sign, verifyStrict } from './ed25519';

/** An event as a client sends it: a flat JSON object (SPEC section 4). */
export type EventObject = Readonly<Record<string, unknown>>;

export interface SignedEvent {
  readonly event: EventObject;
  readonly keyId: string;
  /** base64url, no padding, of the 64-byte Ed25519 signature. */
  readonly signature: string;
}

export type Ed25519Verify = (
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
) => boolean;

const EVENT_PREFIX = utf8ToBytes('custos-event:v1:');
const SIGNIN_PREFIX = utf8ToBytes('custos-signin:v1:');

function assertObject(event: unknown): asserts event is EventObject {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new LedgerArgumentError('event', 'expected a JSON object');
  }
}

/**
 * The event with null-valued fields removed (SPEC section 4 step 1). Only top-level
 * fields: events are flat, and a null nested in an array or object is a value of that
 * field, signed as it stands, never a field to drop.
 */
export function withoutNullFields(event: EventObject): EventObject {
  assertObject(event);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) if (value !== null) out[key] = value;
  return out;
}

/** `custos-event:v1:` ‖ UTF-8(JCS(event without null fields)). */
export function eventSigningBytes(event: EventObject): Uint8Array {
  return concatBytes(EVENT_PREFIX, canonicalJsonBytes(withoutNullFields(event)));
}

/** base64url (no padding) Ed25519 signature of the event. */
export function signEvent(event: EventObject, secretKey: Uint8Array): string {
  return bytesToBase64Url(sign(eventSigningBytes(event), secretKey));
}

/**
 * Checks `signature` (base64url, no padding) over the event with the ledger's rule.
 * False for a malformed signature, an event with no canonical form, or a bad signature.
 * `verify` may be `verifyFast` on the server; it must make the same decisions.
 */
export function verifyEventSignature(
  event: EventObject,
  signature: string,
  publicKey: Uint8Array,
  verify: Ed25519Verify = verifyStrict,
): boolean {
  let sig: Uint8Array;
  let message: Uint8Array;
  try {
    sig = base64UrlToBytes(signature, 'signature');
    message = eventSigningBytes(event);
  } catch (err) {
    if (err instanceof LedgerArgumentError) return false;
    throw err;
  }
  if (sig.length !== SIGNATURE_LENGTH) return false;
  return verify(sig, message, publicKey);
}

/**
 * Leaf input of a log entry (SPEC section 5): UTF-8 of JCS({event, keyId, signature}),
 * the event as signed, i.e. without its null fields, so the signing bytes can be
 * recomputed from the leaf alone.
 */
export function leafInput(entry: SignedEvent): Uint8Array {
  astring(entry.keyId, 'keyId');
  astring(entry.signature, 'signature');
  return canonicalJsonBytes({
    event: withoutNullFields(entry.event),
    keyId: entry.keyId,
    signature: entry.signature,
  });
}

/** Sign-in challenge bytes (SPEC section 3): `custos-signin:v1:` ‖ UTF-8(nonce). */
export function signInBytes(nonce: string): Uint8Array {
  return concatBytes(SIGNIN_PREFIX, utf8ToBytes(astring(nonce, 'nonce')));
}
