// Custos event → EPCIS 2.0 event, the published mapping of docs/epcis.md (SPEC section 10).
// Every field of the signed event goes to one place; the identifiers come out in the form
// GS1-EPC-Format asks for, and whatever the canonical Digital Link alone would not give back
// (an item signed in another form) rides along in custos:signedAs, so that the Custos event
// rebuilt from the EPCIS event has the signed bytes.
import { canonicalIdentifier } from '@custos/gs1/canonical';
import type { Gs1Identifier } from '@custos/gs1/identifier';
import { Gs1Error } from '@custos/gs1/errors';
import { normaliseGtin } from '@custos/gs1/keys';
import { type DecommissionReason, type EventType, eventTypes } from '@custos/custody/custody-event';
import { type EventObject, withoutNullFields } from '@custos/ledger/events';
import { refuse } from './errors';
import { eventHash } from './event-hash';
import {
  type CompanyPrefixLookup,
  type EpcFormat,
  parseAt,
  writeEpcisIdentifier,
  writeEpcisParty,
} from './identifiers';
import { contextNames } from './jsonld-names';
import { epcisShapeOf } from './mapping-table';
import { CBVMDA_NAMESPACE, CUSTOS_NAMESPACE, EPCIS_CONTEXT } from './vocabulary';

export type JsonObject = Record<string, unknown>;

/** The @context of every document Custos writes: EPCIS, plus the custos and cbvmda prefixes. */
export const CUSTOS_EPCIS_CONTEXT: readonly unknown[] = [
  EPCIS_CONTEXT,
  { custos: CUSTOS_NAMESPACE, cbvmda: CBVMDA_NAMESPACE },
];
export const CUSTOS_EPCIS_NAMES = contextNames(CUSTOS_EPCIS_CONTEXT);

/** The fields each type carries beyond eventId, type, actor and eventTime (SPEC section 4). */
export const CUSTOS_FIELDS: Readonly<Record<EventType, readonly string[]>> = {
  COMMISSION: ['items', 'lot', 'expiry'],
  PACK: ['items', 'parent'],
  UNPACK: ['items', 'parent'],
  SHIP: ['items', 'to'],
  RECEIVE: ['items', 'from'],
  DISPENSE: ['items'],
  DECOMMISSION: ['items', 'reason'],
  RECALL: ['gtin', 'lot'],
};
const COMMON_FIELDS = ['eventId', 'type', 'actor', 'eventTime'];

export interface SignedEventLike {
  readonly event: EventObject;
  readonly keyId?: string;
  readonly signature?: string;
}

/** Where the ledger holds a served event (SPEC section 10). */
export interface Provenance {
  /** When Custos accepted it (EPCIS recordTime), RFC 3339. */
  readonly recordTime?: string;
  readonly leafIndex?: number;
  readonly blockHeight?: number;
}

export interface ToEpcisOptions {
  /** GS1-EPC-Format: Digital Link (default) or EPC URN. */
  readonly epcFormat?: EpcFormat;
  /** Company prefix lengths for EPC URNs of identifiers signed as Digital Links. */
  readonly companyPrefixLength?: CompanyPrefixLookup;
  readonly provenance?: Provenance;
  /** Add custos:eventHash (default: when provenance is given). */
  readonly eventHash?: boolean;
}

function text(event: EventObject, field: string): string {
  const value = event[field];
  if (typeof value !== 'string' || value.length === 0)
    refuse(`/${field}`, 'must be a non-empty string');
  return value;
}

/** RECALL's gtin in any form ingest accepts: 8-14 digits, or an identifier holding a GTIN. */
export function recallGtin(value: unknown, pointer: string): string {
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    try {
      return normaliseGtin(value, 'gtin');
    } catch (err) {
      if (err instanceof Gs1Error) refuse(pointer, err.message);
      throw err;
    }
  }
  const id = parseAt(value, pointer);
  if (id.kind !== 'product' && id.kind !== 'unit')
    refuse(pointer, `names a ${id.kind}, not a GTIN`);
  return id.gtin;
}

interface Parsed {
  readonly type: EventType;
  readonly reason?: DecommissionReason;
  readonly items: readonly Gs1Identifier[];
  readonly parent?: Gs1Identifier;
  readonly gtin?: string;
  readonly signedAs: JsonObject;
}

function parseCustosEvent(event: EventObject): Parsed {
  const type = text(event, 'type') as EventType;
  if (!eventTypes.includes(type)) refuse('/type', `must be one of ${eventTypes.join(', ')}`);
  const fields = CUSTOS_FIELDS[type];
  for (const key of Object.keys(event)) {
    if (!COMMON_FIELDS.includes(key) && !fields.includes(key)) {
      refuse(`/${key}`, `is not a field of ${type}, so it has no place in EPCIS`);
    }
  }
  for (const field of [...COMMON_FIELDS, ...fields]) {
    if (event[field] === undefined) refuse(`/${field}`, `is required on ${type}`);
  }
  const signedAs: JsonObject = {};
  let items: Gs1Identifier[] = [];
  if (fields.includes('items')) {
    const list = event.items;
    if (!Array.isArray(list) || list.length === 0) refuse('/items', 'must name at least one item');
    items = list.map((item, i) => parseAt(item, `/items/${i}`));
    if (items.some((id, i) => canonicalIdentifier(id) !== list[i])) signedAs.items = list;
  }
  let parent: Gs1Identifier | undefined;
  if (fields.includes('parent')) {
    parent = parseAt(event.parent, '/parent');
    if (canonicalIdentifier(parent) !== event.parent) signedAs.parent = event.parent;
  }
  let gtin: string | undefined;
  if (type === 'RECALL') {
    gtin = recallGtin(event.gtin, '/gtin');
    if (gtin !== event.gtin) signedAs.gtin = event.gtin;
  }
  const reason =
    type === 'DECOMMISSION' ? (text(event, 'reason') as DecommissionReason) : undefined;
  return {
    type,
    ...(reason ? { reason } : {}),
    items,
    ...(parent ? { parent } : {}),
    ...(gtin ? { gtin } : {}),
    signedAs,
  };
}

function build(
  event: EventObject,
  parsed: Parsed,
  signed: SignedEventLike,
  format: EpcFormat,
  options: ToEpcisOptions,
): JsonObject {
  const { type } = parsed;
  const shape = epcisShapeOf(type, parsed.reason);
  if (!shape) refuse('/reason', 'must be one of DESTROYED, STOLEN, SAMPLE, EXPORTED, LOCKED');
  const lookup = options.companyPrefixLength;
  const id = (value: Gs1Identifier) => writeEpcisIdentifier(value, format, lookup);
  const party = (gln: string, pointer: string) => {
    try {
      return writeEpcisParty(gln, format, lookup);
    } catch (err) {
      if (err instanceof Gs1Error) refuse(pointer, err.message.replace(/^gln: /, ''));
      throw err;
    }
  };
  const actor = text(event, 'actor');
  const out: JsonObject = {
    type: shape.eventType,
    eventTime: text(event, 'eventTime'),
    eventTimeZoneOffset: '+00:00',
    eventID: `urn:uuid:${text(event, 'eventId')}`,
  };
  if (options.provenance?.recordTime !== undefined) out.recordTime = options.provenance.recordTime;
  if (shape.eventType === 'AggregationEvent') {
    out.parentID = id(parsed.parent!);
    out.childEPCs = parsed.items.map(id);
  } else if (type === 'RECALL') {
    const lot = text(event, 'lot');
    out.quantityList = [
      { epcClass: id({ kind: 'product', gtin: parsed.gtin!, lot, attributes: [] }) },
    ];
  } else {
    out.epcList = parsed.items.map(id);
  }
  out.action = shape.action;
  if (shape.bizStep !== undefined) out.bizStep = shape.bizStep;
  out.disposition = shape.disposition;
  if (type === 'RECALL') out.persistentDisposition = { set: ['recalled'] };
  if (type === 'SHIP') {
    out.sourceList = [{ type: 'owning_party', source: party(actor, '/actor') }];
    out.destinationList = [{ type: 'owning_party', destination: party(text(event, 'to'), '/to') }];
  } else if (type === 'RECEIVE') {
    out.sourceList = [{ type: 'owning_party', source: party(text(event, 'from'), '/from') }];
    out.destinationList = [{ type: 'owning_party', destination: party(actor, '/actor') }];
  }
  if (type === 'COMMISSION') {
    out.ilmd = {
      'cbvmda:lotNumber': text(event, 'lot'),
      'cbvmda:itemExpirationDate': text(event, 'expiry'),
    };
  }
  out['custos:actor'] = actor;
  if (signed.keyId !== undefined) out['custos:keyId'] = signed.keyId;
  if (signed.signature !== undefined) out['custos:signature'] = signed.signature;
  if (Object.keys(parsed.signedAs).length > 0) out['custos:signedAs'] = parsed.signedAs;
  return out;
}

/**
 * The EPCIS 2.0 event of a (signed) Custos event, in CUSTOS_EPCIS_CONTEXT's names. Throws
 * EpcisMappingError (errors.ts) naming the Custos field (`/items/2`) when the event is not one.
 */
export function toEpcisEvent(signed: SignedEventLike, options: ToEpcisOptions = {}): JsonObject {
  const event = withoutNullFields(signed.event);
  const parsed = parseCustosEvent(event);
  const format = options.epcFormat ?? 'digital-link';
  const out = build(event, parsed, signed, format, options);
  const { provenance } = options;
  if (provenance?.leafIndex !== undefined) out['custos:leafIndex'] = provenance.leafIndex;
  if (provenance?.blockHeight !== undefined) out['custos:blockHeight'] = provenance.blockHeight;
  if (options.eventHash ?? provenance !== undefined) {
    // One hash per event whatever the format asked for: that of its Digital Link form.
    const reference =
      format === 'digital-link' ? out : build(event, parsed, signed, 'digital-link', options);
    out['custos:eventHash'] = custosEventHash(reference);
  }
  return out;
}

/** custos:eventHash: the CBV 2.0 event hash of an event Custos wrote, without its custos: fields. */
export function custosEventHash(epcisEvent: JsonObject): string {
  return eventHash(epcisEvent, {
    prefixes: CUSTOS_EPCIS_NAMES.prefixes,
    ignoreNamespaces: [CUSTOS_NAMESPACE],
  });
}
