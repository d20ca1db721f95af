// Events as SPEC section 4 defines them: build one, sign it, check a signature. The bytes
// are the ledger's own (libs/ledger/src/events.ts): `custos-event:v1:` followed by the
// RFC 8785 canonical JSON of the event without its null-valued fields, signed with
// Ed25519 and sent as base64url without padding. There is no second implementation here.
import { base64UrlToBytes } from '@custos/ledger/bytes';
import {
  type EventObject,
  eventSigningBytes,
  type SignedEvent,
  signEvent as ledgerSignEvent,
  verifyEventSignature,
} from '@custos/ledger/events';
import {
  type DecommissionReason,
  decommissionReasons,
  type EventType,
  eventTypes,
} from '@custos/custody/custody-event';
import { CustosArgumentError } from './errors';
import type { CustosKey } from './keys';

export type { EventObject, SignedEvent };

// The ledger's own lists (libs/custody, pure), under the SDK's names.
export { eventTypes as EVENT_TYPES, decommissionReasons as DECOMMISSION_REASONS };
export type { DecommissionReason, EventType };

/** The type-specific fields of an event (SPEC section 4); `actor` etc. come from the key. */
export interface EventFields {
  readonly items?: readonly string[];
  readonly lot?: string;
  readonly expiry?: string;
  readonly parent?: string;
  readonly to?: string;
  readonly from?: string;
  readonly reason?: DecommissionReason;
  readonly gtin?: string;
}

export interface BuildOptions {
  /** Default: the key's participant. */
  readonly actor?: string;
  /** RFC 3339 UTC; default now, to the millisecond. */
  readonly eventTime?: string | Date;
  /** Default: a random UUID. Keep it to resubmit the same event safely. */
  readonly eventId?: string;
}

const FIELDS = ['items', 'lot', 'expiry', 'parent', 'to', 'from', 'reason', 'gtin'] as const;

function uuid(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * An unsigned event: `eventId`, `type`, `actor`, `eventTime` and the given fields, with
 * undefined ones left out. Field values are checked by the server, which names the field.
 */
export function buildEvent(
  type: EventType,
  fields: EventFields,
  options: BuildOptions & { readonly actor: string },
): EventObject {
  if (!(eventTypes as readonly string[]).includes(type)) {
    throw new CustosArgumentError('type', `expected one of ${eventTypes.join(', ')}`);
  }
  if (typeof options.actor !== 'string' || options.actor === '') {
    throw new CustosArgumentError('actor', 'expected the GLN of the participant that signs');
  }
  const time = options.eventTime ?? new Date();
  const event: Record<string, unknown> = {
    eventId: options.eventId ?? uuid(),
    type,
    actor: options.actor,
    eventTime: time instanceof Date ? time.toISOString() : time,
  };
  for (const name of FIELDS) {
    const value = fields[name];
    if (value !== undefined) event[name] = Array.isArray(value) ? [...(value as string[])] : value;
  }
  return event;
}

/** The exact bytes a signature covers, for display and for other implementations. */
export function signingBytes(event: EventObject): Uint8Array {
  return eventSigningBytes(event);
}

/**
 * Signs `event` with `key`: a `SignedEventInput` ready for `submitEvents`. The event is
 * sent exactly as given (its null fields are not signed, SPEC section 4 step 1).
 */
export function signEvent(event: EventObject, key: CustosKey): SignedEvent {
  if (key.participantId !== undefined && event.actor !== key.participantId) {
    throw new CustosArgumentError(
      'event.actor',
      `is ${JSON.stringify(event.actor)}, but the key belongs to ${key.participantId}`,
    );
  }
  return { event, keyId: key.keyId, signature: ledgerSignEvent(event, key.secretKey) };
}

/** Builds and signs in one step; `actor` defaults to the key's participant. */
export function createSignedEvent(
  key: CustosKey,
  type: EventType,
  fields: EventFields = {},
  options: BuildOptions = {},
): SignedEvent {
  const actor = options.actor ?? key.participantId;
  if (actor === undefined) {
    throw new CustosArgumentError('actor', 'the key names no participant: pass options.actor');
  }
  return signEvent(buildEvent(type, fields, { ...options, actor }), key);
}

/** Checks a signed event against a public key (base64url or bytes) with the ledger's rule. */
export function verifySignedEvent(signed: SignedEvent, publicKey: string | Uint8Array): boolean {
  const bytes =
    typeof publicKey === 'string' ? base64UrlToBytes(publicKey, 'publicKey') : publicKey;
  return verifyEventSignature(signed.event, signed.signature, bytes);
}

/** Reads one signed event (`{event, keyId, signature}`) from untrusted JSON; names the field. */
export function parseSignedEvent(value: unknown, field = 'event'): SignedEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CustosArgumentError(field, 'expected an object {event, keyId, signature}');
  }
  const v = value as Record<string, unknown>;
  if (typeof v.event !== 'object' || v.event === null || Array.isArray(v.event)) {
    throw new CustosArgumentError(`${field}.event`, 'expected the event object');
  }
  if (typeof v.keyId !== 'string')
    throw new CustosArgumentError(`${field}.keyId`, 'expected a string');
  if (typeof v.signature !== 'string') {
    throw new CustosArgumentError(`${field}.signature`, 'expected base64url (no padding)');
  }
  return { event: v.event as EventObject, keyId: v.keyId, signature: v.signature };
}
