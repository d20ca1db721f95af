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
