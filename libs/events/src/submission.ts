// What a client submits (SPEC sections 4 and 7): signed events, each field exactly as the
// client sent it. Nothing here is parsed or re-typed: the signature covers these strings.

import {
  type DecommissionReason,
  decommissionReasons,
  type EventType,
  eventTypes,
} from '@custos/custody/custody-event';

export { type DecommissionReason, decommissionReasons, type EventType, eventTypes };

/** Largest batch submitEvents takes; larger ones are refused whole (BATCH_TOO_LARGE). */
export const MAX_BATCH_EVENTS = 10_000;
/** Most items one event may name, and one batch in all. */
export const MAX_EVENT_ITEMS = 10_000;
export const MAX_BATCH_ITEMS = 100_000;
/** How far `eventTime` may be ahead of the server's clock (SPEC section 4). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** The event fields of SPEC section 4 as received; absent and null mean "not sent". */
export interface EventFields {
  readonly eventId?: unknown;
  readonly type?: unknown;
  readonly actor?: unknown;
  readonly eventTime?: unknown;
  readonly items?: unknown;
  readonly lot?: unknown;
  readonly expiry?: unknown;
  readonly parent?: unknown;
  readonly to?: unknown;
  readonly from?: unknown;
  readonly reason?: unknown;
  readonly gtin?: unknown;
}

export const eventFieldNames = [
  'eventId',
  'type',
  'actor',
  'eventTime',
  'items',
  'lot',
  'expiry',
  'parent',
  'to',
  'from',
  'reason',
  'gtin',
] as const satisfies readonly (keyof EventFields)[];

export interface SignedEventSubmission {
  readonly event: EventFields;
  readonly keyId: unknown;
  readonly signature: unknown;
}

export type ReceiptStatus = 'PENDING' | 'DUPLICATE';

export interface EventReceipt {
  readonly eventId: string;
  readonly status: ReceiptStatus;
}
