// The EPCIS 2.0 form of each Custos event type (SPEC sections 4 and 10; docs/epcis.md):
// event type, action, CBV 2.0 business step (CBV section 7.1) and disposition (section 7.2).
// Each Custos type, and each DECOMMISSION reason, has its own distinct (bizStep,
// disposition) pair, so the table reads both ways.
import type { DecommissionReason, EventType } from '@custos/custody/custody-event';

export interface EpcisShape {
  readonly eventType: 'ObjectEvent' | 'AggregationEvent';
  readonly action: 'ADD' | 'OBSERVE' | 'DELETE';
  /** CBV bare word; RECALL has none (it is a state set on a lot, not a step). */
  readonly bizStep?: string;
  readonly disposition: string;
}

export interface CustosKind {
  readonly type: EventType;
  readonly reason?: DecommissionReason;
}

export interface MappingRow extends EpcisShape, CustosKind {}

const ROWS: readonly MappingRow[] = [
  {
    type: 'COMMISSION',
    eventType: 'ObjectEvent',
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
  },
  {
    type: 'PACK',
    eventType: 'AggregationEvent',
    action: 'ADD',
    bizStep: 'packing',
    disposition: 'in_progress',
  },
  {
    type: 'UNPACK',
    eventType: 'AggregationEvent',
    action: 'DELETE',
    bizStep: 'unpacking',
    disposition: 'in_progress',
  },
  {
    type: 'SHIP',
    eventType: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
  },
  {
    type: 'RECEIVE',
    eventType: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'receiving',
    disposition: 'in_progress',
  },
  {
    type: 'DISPENSE',
    eventType: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'dispensing',
    disposition: 'dispensed',
  },
  {
    type: 'DECOMMISSION',
    reason: 'DESTROYED',
    eventType: 'ObjectEvent',
    action: 'DELETE',
    bizStep: 'destroying',
    disposition: 'destroyed',
  },
  {
    type: 'DECOMMISSION',
    reason: 'STOLEN',
    eventType: 'ObjectEvent',
    action: 'DELETE',
    bizStep: 'decommissioning',
    disposition: 'stolen',
  },
  {
    type: 'DECOMMISSION',
    reason: 'SAMPLE',
    eventType: 'ObjectEvent',
    action: 'DELETE',
    bizStep: 'sampling',
    disposition: 'non_sellable_other',
  },
  {
    type: 'DECOMMISSION',
    reason: 'EXPORTED',
    eventType: 'ObjectEvent',
    action: 'DELETE',
    bizStep: 'decommissioning',
    disposition: 'inactive',
  },
  {
    type: 'DECOMMISSION',
    reason: 'LOCKED',
    eventType: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'holding',
    disposition: 'non_sellable_other',
  },
  { type: 'RECALL', eventType: 'ObjectEvent', action: 'OBSERVE', disposition: 'recalled' },
];

/** Every row, for documentation and tests. */
export const MAPPING_ROWS: readonly MappingRow[] = ROWS;

/** The EPCIS form of a Custos type (and DECOMMISSION reason). */
export function epcisShapeOf(type: EventType, reason?: DecommissionReason): EpcisShape | undefined {
  return ROWS.find((r) => r.type === type && (type !== 'DECOMMISSION' || r.reason === reason));
}

/** The rows an EPCIS (type, action, bizStep, disposition) could be; exact match first. */
export function rowsOf(shape: Partial<EpcisShape>): {
  readonly exact?: MappingRow;
  readonly sameStep: readonly MappingRow[];
} {
  const sameStep = ROWS.filter((r) => r.bizStep === shape.bizStep);
  const exact = sameStep.find(
    (r) =>
      r.eventType === shape.eventType &&
      r.action === shape.action &&
      r.disposition === shape.disposition,
  );
  return exact ? { exact, sameStep } : { sameStep };
}

/** The business steps Custos maps, for refusal messages. */
export const MAPPED_BIZ_STEPS: readonly string[] = [
  ...new Set(ROWS.flatMap((r) => (r.bizStep ? [r.bizStep] : []))),
];
