// Why submitEvents refuses an event (SPEC sections 4 and 7). The codes are public and
// stable (docs/events.md lists them with what the client should fix); a rejection names
// the event by its index in the batch and the field it is about, and nothing of a batch
// with any rejection is stored.

export const rejectionCodes = [
  /** The batch holds more than MAX_BATCH_EVENTS events (reported once, at index -1). */
  'BATCH_TOO_LARGE',
  /** A field is missing, not allowed on this type, or malformed (not an identifier). */
  'INVALID_FIELD',
  /** An identifier field does not parse (bad check digit, unknown form, wrong kind). */
  'INVALID_IDENTIFIER',
  /** `actor` is not a registered participant. */
  'UNKNOWN_ACTOR',
  /** `to` or `from` is not a registered participant. */
  'UNKNOWN_PARTICIPANT',
  /** `keyId` is not one of the actor's keys. */
  'UNKNOWN_KEY',
  /** `eventTime` is before the key's `validFrom`. */
  'KEY_NOT_YET_VALID',
  /** The key was revoked at or before the submission. */
  'KEY_REVOKED',
  /** The signature does not verify over the event as received (SPEC section 4). */
  'BAD_SIGNATURE',
  /** `eventTime` is more than 5 minutes ahead of the server's clock. */
  'EVENT_TIME_IN_FUTURE',
  /** The actor lacks the role the event type needs. */
  'MISSING_ROLE',
  /** A COMMISSION or RECALL names a GTIN outside the actor's GS1 company prefixes. */
  'COMPANY_PREFIX_MISMATCH',
  /** The actor's license has lapsed: not an authorized trading partner. */
  'LICENSE_LAPSED',
  /** The `eventId` is already stored with different content. */
  'EVENT_ID_CONFLICT',
  /** The same `eventId` appears earlier in this batch. */
  'DUPLICATE_IN_BATCH',
  /** The event's ledger entry (leaf input) exceeds 65,535 bytes (SPEC section 9, tiles). */
  'EVENT_TOO_LARGE',
] as const;

export type RejectionCode = (typeof rejectionCodes)[number];

export interface EventRejection {
  /** Position of the event in the submitted batch (-1: the batch as a whole). */
  readonly index: number;
  readonly eventId?: string;
  readonly code: RejectionCode;
  /** Names the field (`events[3].event.items[0]: …`) and says what to fix. */
  readonly message: string;
}

/** Thrown inside per-event checks; collected into an EventRejection by the caller. */
export class RejectionError extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'RejectionError';
  }
}
