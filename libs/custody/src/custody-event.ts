// The custody view of a ledger event (SPEC section 4): identifiers already in canonical
// form (libs/gs1), times as received. Replay needs nothing else.

export const eventTypes = [
  'COMMISSION',
  'PACK',
  'UNPACK',
  'SHIP',
  'RECEIVE',
  'DISPENSE',
  'DECOMMISSION',
  'RECALL',
] as const;
export type EventType = (typeof eventTypes)[number];

export const decommissionReasons = ['DESTROYED', 'STOLEN', 'SAMPLE', 'EXPORTED', 'LOCKED'] as const;
export type DecommissionReason = (typeof decommissionReasons)[number];

export type ItemKind = 'UNIT' | 'LOGISTIC_UNIT';

/** An identifier named by an event, in the canonical form of SPEC section 2. */
export interface EventItemRef {
  readonly identifier: string;
  readonly kind: ItemKind;
  /** GTIN-14 of a unit. */
  readonly gtin?: string;
}

/** What the custody rules read of an event (ingest's validated event is one). */
export interface CustodyInput {
  readonly type: EventType;
  readonly actor: string;
  readonly items: readonly EventItemRef[];
  readonly parent?: EventItemRef;
  readonly to?: string;
  readonly from?: string;
  readonly lot?: string;
  readonly expiry?: string;
}

export interface CustodyEvent {
  readonly eventId: string;
  readonly type: EventType;
  /** Participant id (GLN) of the author. */
  readonly actor: string;
  readonly eventTime: string;
  /** Canonical identifiers of the units and logistic units the event names. */
  readonly items: readonly string[];
  /** Canonical SSCC for PACK and UNPACK. */
  readonly parent?: string;
  readonly to?: string;
  readonly from?: string;
  readonly reason?: DecommissionReason;
  readonly lot?: string;
  /** `YYYY-MM-DD`, on COMMISSION. */
  readonly expiry?: string;
  readonly gtin?: string;
}
