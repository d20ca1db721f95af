// EPCIS 2.0 event → Custos event, the published mapping of docs/epcis.md read backwards
// (SPEC section 10). The event's type, action, bizStep and disposition select the Custos
// type; every other field must have its place in that type, or the event is refused with
// the field's JSON pointer and the reason: nothing is dropped silently. Identifiers become
// canonical Digital Links unless custos:signedAs gives the text that was signed.
//
// Two profiles. `capture`: the event carries custos:actor, custos:keyId and
// custos:signature over the Custos event it maps to, so it must be exactly the mapping's
// form. `import`: a partner system's event, to be signed by `actor`; its time may carry an
// offset (read as the same UTC instant), a missing or non-UUID eventID becomes a UUID
// derived from it, and the fields named in `drop` may be left out (and are reported).
import { canonicalIdentifier } from '@custos/gs1/canonical';
import type { Gs1Identifier } from '@custos/gs1/identifier';
import { sha256 } from '@custos/ledger/sha256';
import { bytesToHex, utf8ToBytes } from '@custos/ledger/bytes';
import type { EventObject } from '@custos/ledger/events';
import { pointerSegment, refuse } from './errors';
import { eventHash } from './event-hash';
import { UTC_INSTANT, isZeroOffset, toUtcInstant } from './event-time';
import { parseAt, readEpcisIdentifier, readEpcisParty } from './identifiers';
import { type ContextNames, expandName } from './jsonld-names';
import { type EpcisShape, MAPPED_BIZ_STEPS, type MappingRow, rowsOf } from './mapping-table';
import { recallGtin } from './to-epcis';
import { CBVMDA_NAMESPACE, CUSTOS_NAMESPACE, cbvBareWord } from './vocabulary';

export type DecodeProfile = 'capture' | 'import';

export interface FromEpcisOptions {
  readonly profile: DecodeProfile;
  /** import: the participant who will sign (and whose events they become). */
  readonly actor?: string;
  /**
   * import: fields the caller accepts to lose, by name: `readPoint`, `bizLocation`,
   * `bizTransactionList`, `eventTimeZoneOffset`, `certificationInfo`, the source/destination
   * types `location` and `possessing_party`, or an extension field as written (`ex:note`).
   */
  readonly drop?: readonly string[];
}

export interface DecodedEvent {
  /** The Custos event (SPEC section 4), as signed. */
  readonly event: EventObject;
  readonly keyId?: string;
  readonly signature?: string;
  /** JSON pointers of the fields left out at the caller's request (import only). */
  readonly dropped: readonly string[];
}

/** Fields an import may leave out on request; sensor data, error declarations, ILMD never. */
export const DROPPABLE_FIELDS: readonly string[] = [
  'readPoint',
  'bizLocation',
  'bizTransactionList',
  'eventTimeZoneOffset',
  'certificationInfo',
  'location',
  'possessing_party',
];

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Fields of the EPCIS event types (EPCIS 2.0 section 7.4) that only some Custos types use. */
const ONLY_ON: Readonly<Record<string, string>> = {
  epcList: 'names no units here',
  quantityList:
    'Custos tracks serialised units and SSCCs, not quantities; only a recall names a lot',
  persistentDisposition: 'only a recall sets a persistent disposition (recalled)',
  ilmd: 'only a commissioning carries ILMD (lot and expiry)',
  sourceList: 'only a shipment or receipt names a source',
  destinationList: 'only a shipment or receipt names a destination',
};
/** Why a field has no place in any Custos event (the refusal's reason). */
const NO_PLACE: Readonly<Record<string, string>> = {
  certificationInfo: 'Custos events carry no certification; it would be lost',
  errorDeclaration: 'Custos never retracts an event: a correction is a new signed event',
  readPoint: 'Custos events carry no read point; it would be lost',
  bizLocation: 'Custos events carry no business location; it would be lost',
  bizTransactionList: 'Custos events carry no business transactions; they would be lost',
  sensorElementList: 'Custos records custody, not sensor data',
  childQuantityList: 'Custos tracks serialised units and SSCCs, not quantities',
};
/** custos: fields the ledger assigns; a captured copy of a served event may carry them. */
const ASSIGNED = ['leafIndex', 'blockHeight', 'eventHash'];

type Json = Record<string, unknown>;
/** A value quoted in a refusal: JSON, cut short. */
const shown = (value: unknown): string => (JSON.stringify(value) ?? String(value)).slice(0, 80);
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads one event, marking each field it consumes; what is left over is refused or dropped. */
class EventReader {
  private readonly consumed = new Set<string>();
  readonly dropped: string[] = [];

  constructor(
    readonly event: Json,
    readonly names: ContextNames,
    readonly options: FromEpcisOptions,
  ) {}

  get importing(): boolean {
    return this.options.profile === 'import';
  }

  take(key: string): unknown {
    this.consumed.add(key);
    return this.event[key];
  }

  has(key: string): boolean {
    return this.event[key] !== undefined;
  }

  /** Only the droppable fields and extension fields, and only when the caller names them. */
  mayDrop(name: string): boolean {
    const droppable = DROPPABLE_FIELDS.includes(name) || name.includes(':');
    return droppable && this.importing && (this.options.drop ?? []).includes(name);
  }

  /** Drops `pointer` if the caller allows `name`, else refuses it with `reason`. */
  dropOrRefuse(name: string, pointer: string, reason: string): void {
    if (!this.mayDrop(name)) refuse(pointer, reason);
    this.dropped.push(pointer);
  }

  custos(local: string): unknown {
    for (const key of Object.keys(this.event)) {
      if (key.includes(':') && expandName(key, this.names.prefixes) === CUSTOS_NAMESPACE + local) {
        return this.take(key);
      }
    }
    return undefined;
  }

  /** Every field not consumed: refused with its reason, or dropped when allowed. */
  finish(): void {
    for (const key of Object.keys(this.event)) {
      if (this.consumed.has(key) || this.event[key] === undefined) continue;
      const pointer = pointerSegment(key);
      if (key.includes(':')) {
        const iri = expandName(key, this.names.prefixes);
        if (iri.startsWith(CUSTOS_NAMESPACE)) refuse(pointer, 'is not a Custos extension field');
        this.dropOrRefuse(
          key,
          pointer,
          'is an extension field Custos events cannot hold; it would be lost',
        );
      } else if (NO_PLACE[key] !== undefined) {
        this.dropOrRefuse(key, pointer, NO_PLACE[key]);
      } else if (ONLY_ON[key] !== undefined) {
        refuse(pointer, ONLY_ON[key]);
      } else {
        refuse(pointer, 'is not a field of this EPCIS event type');
      }
    }
  }
}

function str(value: unknown, pointer: string): string {
  if (typeof value !== 'string' || value.length === 0)
    refuse(pointer, 'must be a non-empty string');
  return value;
}

function shapeOf(reader: EventReader): MappingRow {
  const eventType = reader.take('type');
  if (eventType !== 'ObjectEvent' && eventType !== 'AggregationEvent') {
    refuse(
      '/type',
      typeof eventType === 'string'
        ? `${eventType} has no Custos counterpart: Custos records ObjectEvents and AggregationEvents of ${MAPPED_BIZ_STEPS.join(', ')}, and recalls`
        : 'required',
    );
  }
  const action = reader.take('action');
  const readWord = (key: 'bizStep' | 'disposition', vocabulary: 'BizStep' | 'Disp') => {
    const value = reader.take(key);
    if (value === undefined) return undefined;
    const word = typeof value === 'string' ? cbvBareWord(vocabulary, value) : undefined;
    if (word === undefined) refuse(`/${key}`, `${shown(value)} is not a CBV 2.0 ${key}`);
    return word;
  };
  const bizStep = readWord('bizStep', 'BizStep');
  const disposition = readWord('disposition', 'Disp');
  const { exact, sameStep } = rowsOf({
    eventType,
    action: action as EpcisShape['action'],
    bizStep,
    disposition,
  });
  if (exact) return exact;
  if (sameStep.length === 0 || (bizStep === undefined && disposition !== 'recalled')) {
    refuse(
      '/bizStep',
      bizStep === undefined
        ? `required: Custos reads the event's kind from it (${MAPPED_BIZ_STEPS.join(', ')}); a recall has none but disposition recalled`
        : `${bizStep} has no Custos counterpart: Custos maps ${MAPPED_BIZ_STEPS.join(', ')}`,
    );
  }
  const what = bizStep === undefined ? 'a recall' : `a ${bizStep} event`;
  const ofType = sameStep.filter((r) => r.eventType === eventType);
  if (ofType.length === 0) refuse('/type', `${what} is an ${sameStep[0]!.eventType} in Custos`);
  const ofAction = ofType.filter((r) => r.action === action);
  if (ofAction.length === 0) {
    refuse(
      '/action',
      `${what} has action ${[...new Set(ofType.map((r) => r.action))].join(' or ')} in Custos`,
    );
  }
  refuse(
    '/disposition',
    `${what} has disposition ${ofAction.map((r) => r.disposition).join(' or ')} in Custos` +
      (disposition === undefined ? '' : `, not ${disposition}`),
  );
}

function readTime(reader: EventReader): string {
  const value = reader.take('eventTime');
  if (typeof value !== 'string') refuse('/eventTime', 'required');
  if (UTC_INSTANT.test(value)) return value;
  if (!reader.importing) {
    refuse(
      '/eventTime',
      'a captured event carries its signed Custos eventTime: an RFC 3339 UTC instant ending in Z',
    );
  }
  const utc = toUtcInstant(value);
  if (utc === undefined) refuse('/eventTime', 'must be an RFC 3339 date-time with an offset');
  return utc;
}

function readOffset(reader: EventReader): void {
  const offset = reader.take('eventTimeZoneOffset');
  if (offset === undefined || isZeroOffset(offset)) return;
  reader.dropOrRefuse(
    'eventTimeZoneOffset',
    '/eventTimeZoneOffset',
    `Custos events are in UTC; the offset ${shown(offset)} would be lost`,
  );
}

/** RFC 9562 version 8 UUID from a hash: the same partner event imports as the same eventId. */
function derivedUuid(seed: string): string {
  const b = sha256(utf8ToBytes(seed)).slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = bytesToHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function readEventId(reader: EventReader, actor: string): string {
  const value = reader.take('eventID');
  const m = typeof value === 'string' ? /^urn:uuid:(.*)$/i.exec(value) : null;
  if (m && UUID.test(m[1]!)) return m[1]!;
  if (!reader.importing) {
    refuse('/eventID', 'a captured event names its Custos eventId as urn:uuid:<UUID>');
  }
  const source =
    typeof value === 'string'
      ? value
      : eventHash(reader.event, {
          prefixes: reader.names.prefixes,
          ignoreNamespaces: [CUSTOS_NAMESPACE],
        });
  return derivedUuid(`custos-epcis-import:v1:${actor}:${source}`);
}

interface SignedAs {
  readonly items?: unknown;
  readonly parent?: unknown;
  readonly gtin?: unknown;
}

function readSignedAs(reader: EventReader): SignedAs {
  const value = reader.custos('signedAs');
  if (value === undefined) return {};
  if (!isObject(value)) refuse('/custos:signedAs', 'must be an object');
  for (const key of Object.keys(value)) {
    if (!['items', 'parent', 'gtin'].includes(key)) {
      refuse(
        `/custos:signedAs${pointerSegment(key)}`,
        'is not a field custos:signedAs carries (items, parent, gtin)',
      );
    }
  }
  return value;
}

/** The signed text of an identifier: signedAs' when given (it must name the same thing). */
function signedText(
  id: Gs1Identifier,
  pointer: string,
  signed: unknown,
  signedPointer: string,
): string {
  const canonical = canonicalIdentifier(id);
  if (signed === undefined) return canonical;
  const other = canonicalIdentifier(parseAt(signed, signedPointer));
  if (other !== canonical)
    refuse(signedPointer, `names ${other}, but ${pointer.slice(1)} names ${canonical}`);
  return signed as string;
}

function readItems(
  reader: EventReader,
  key: 'epcList' | 'childEPCs',
  signedAs: SignedAs,
): string[] {
  const list = reader.take(key);
  if (!Array.isArray(list) || list.length === 0)
    refuse(`/${key}`, 'must name at least one unit or SSCC');
  const signed = signedAs.items;
  if (signed !== undefined && (!Array.isArray(signed) || signed.length !== list.length)) {
    refuse('/custos:signedAs/items', `must list as many items as ${key} (${list.length})`);
  }
  return list.map((value: unknown, i) => {
    const pointer = `/${key}/${i}`;
    const id = readEpcisIdentifier(value, pointer, ['unit', 'logistic-unit']);
    return signedText(
      id,
      pointer,
      (signed as unknown[] | undefined)?.[i],
      `/custos:signedAs/items/${i}`,
    );
  });
}

/** The owning_party of a source or destination list; other entries refused or dropped. */
function readParty(
  reader: EventReader,
  key: 'sourceList' | 'destinationList',
  required: boolean,
): string | undefined {
  const list = reader.take(key);
  const idKey = key === 'sourceList' ? 'source' : 'destination';
  if (list === undefined) {
    if (required)
      refuse(
        `/${key}`,
        `required: the owning_party ${idKey} is the Custos ${key === 'sourceList' ? 'from' : 'to'}`,
      );
    return undefined;
  }
  if (!Array.isArray(list)) refuse(`/${key}`, 'must be a list');
  let party: string | undefined;
  list.forEach((entry: unknown, i) => {
    const pointer = `/${key}/${i}`;
    if (!isObject(entry)) refuse(pointer, 'must be an object with type and ' + idKey);
    const type = typeof entry.type === 'string' ? cbvBareWord('SDT', entry.type) : undefined;
    if (type === 'owning_party') {
      if (party !== undefined) refuse(pointer, 'a second owning_party: Custos events name one');
      party = readEpcisParty(entry[idKey], `${pointer}/${idKey}`);
    } else if (type === 'location' || type === 'possessing_party') {
      reader.dropOrRefuse(
        type,
        pointer,
        `Custos events carry no ${type.replace('_', ' ')}; it would be lost`,
      );
    } else {
      refuse(
        `${pointer}/type`,
        `"${String(entry.type)}" is not a source/destination type Custos maps (owning_party)`,
      );
    }
  });
  if (party === undefined && required) refuse(`/${key}`, `must hold an owning_party ${idKey}`);
  return party;
}

function readIlmd(reader: EventReader): { lot: string; expiry: string } {
  const ilmd = reader.take('ilmd');
  if (!isObject(ilmd)) {
    refuse(
      '/ilmd',
      'required: a commissioning carries cbvmda:lotNumber and cbvmda:itemExpirationDate',
    );
  }
  let lot: string | undefined;
  let expiry: string | undefined;
  for (const [key, value] of Object.entries(ilmd)) {
    const iri = expandName(key, reader.names.prefixes);
    const pointer = `/ilmd${pointerSegment(key)}`;
    if (iri === `${CBVMDA_NAMESPACE}lotNumber`) lot = str(value, pointer);
    else if (iri === `${CBVMDA_NAMESPACE}itemExpirationDate`) expiry = str(value, pointer);
    else
      refuse(
        pointer,
        'Custos keeps only the lot number and expiry date of a commissioning; it would be lost',
      );
  }
  if (lot === undefined) refuse('/ilmd', 'must carry cbvmda:lotNumber');
  if (expiry === undefined) refuse('/ilmd', 'must carry cbvmda:itemExpirationDate');
  return { lot, expiry };
}

function readRecall(reader: EventReader, signedAs: SignedAs): { gtin: string; lot: string } {
  const list = reader.take('quantityList');
  if (!Array.isArray(list) || list.length !== 1 || !isObject(list[0])) {
    refuse('/quantityList', 'a recall names exactly one lot: [{"epcClass": <LGTIN>}]');
  }
  const element = list[0];
  for (const key of Object.keys(element)) {
    if (key !== 'epcClass')
      refuse(`/quantityList/0${pointerSegment(key)}`, 'a recall names the lot, not a quantity');
  }
  const id = readEpcisIdentifier(element.epcClass, '/quantityList/0/epcClass', ['product']);
  if (id.kind !== 'product' || id.lot === undefined)
    refuse('/quantityList/0/epcClass', 'must name a lot (GTIN + lot)');
  const epcs = reader.take('epcList');
  if (Array.isArray(epcs) && epcs.length > 0)
    refuse('/epcList', 'a recall names its lot, not units');
  if (epcs !== undefined && !Array.isArray(epcs)) refuse('/epcList', 'must be a list');
  const pd = reader.take('persistentDisposition');
  const set = isObject(pd) ? pd.set : undefined;
  const only =
    isObject(pd) &&
    Object.keys(pd).length === 1 &&
    Array.isArray(set) &&
    set.length === 1 &&
    typeof set[0] === 'string' &&
    cbvBareWord('Disp', set[0]) === 'recalled';
  if (!only) refuse('/persistentDisposition', 'a recall sets exactly {"set": ["recalled"]}');
  let gtin = id.gtin;
  if (signedAs.gtin !== undefined) {
    const other = recallGtin(signedAs.gtin, '/custos:signedAs/gtin');
    if (other !== gtin)
      refuse('/custos:signedAs/gtin', `names GTIN ${other}, but the lot's is ${gtin}`);
    gtin = signedAs.gtin as string;
  }
  return { gtin, lot: id.lot };
}

/**
 * The Custos event an EPCIS event maps to. `names` are the prefixes in scope (the
 * document's context, then the event's). Throws EpcisMappingError naming the field.
 */
export function fromEpcisEvent(
  epcis: unknown,
  names: ContextNames,
  options: FromEpcisOptions,
): DecodedEvent {
  if (!isObject(epcis)) refuse('', 'an event must be a JSON object');
  if (!names.epcis)
    refuse(
      '/@context',
      'must name the EPCIS 2.0 context (https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld)',
    );
  const reader = new EventReader(epcis, names, options);
  const shape = shapeOf(reader);
  const type = shape.type;

  const custosActor = reader.custos('actor');
  let actor: string;
  if (reader.importing) {
    actor = str(options.actor, 'actor');
    if (custosActor !== undefined && custosActor !== actor) {
      refuse(
        '/custos:actor',
        `the event is ${shown(custosActor)}'s; it cannot be signed as ${actor}`,
      );
    }
  } else {
    actor = str(custosActor, '/custos:actor');
  }
  const keyId = reader.custos('keyId');
  const signature = reader.custos('signature');
  if (!reader.importing) {
    str(keyId, '/custos:keyId');
    str(signature, '/custos:signature');
  }
  for (const local of ASSIGNED) reader.custos(local);
  const signedAs = readSignedAs(reader);
  if (signedAs.parent !== undefined && shape.eventType !== 'AggregationEvent') {
    refuse('/custos:signedAs/parent', `a ${type} has no parent`);
  }
  if (signedAs.items !== undefined && type === 'RECALL')
    refuse('/custos:signedAs/items', 'a RECALL has no items');
  if (signedAs.gtin !== undefined && type !== 'RECALL')
    refuse('/custos:signedAs/gtin', `a ${type} has no gtin`);

  const eventTime = readTime(reader);
  readOffset(reader);
  reader.take('recordTime');
  reader.take('@context');
  const eventId = readEventId(reader, actor);

  const event: Record<string, unknown> = { eventId, type, actor, eventTime };
  switch (type) {
    case 'COMMISSION': {
      event.items = readItems(reader, 'epcList', signedAs);
      Object.assign(event, readIlmd(reader));
      break;
    }
    case 'PACK':
    case 'UNPACK': {
      const parent = readEpcisIdentifier(reader.take('parentID'), '/parentID', ['logistic-unit']);
      event.items = readItems(reader, 'childEPCs', signedAs);
      event.parent = signedText(parent, '/parentID', signedAs.parent, '/custos:signedAs/parent');
      break;
    }
    case 'SHIP': {
      event.items = readItems(reader, 'epcList', signedAs);
      const source = readParty(reader, 'sourceList', false);
      if (source !== undefined && source !== actor) {
        refuse(
          '/sourceList',
          `the owning_party source ${source} is not the actor ${actor}: a shipment is signed by its sender`,
        );
      }
      event.to = readParty(reader, 'destinationList', true);
      break;
    }
    case 'RECEIVE': {
      event.items = readItems(reader, 'epcList', signedAs);
      event.from = readParty(reader, 'sourceList', true);
      const destination = readParty(reader, 'destinationList', false);
      if (destination !== undefined && destination !== actor) {
        refuse(
          '/destinationList',
          `the owning_party destination ${destination} is not the actor ${actor}: a receipt is signed by its recipient`,
        );
      }
      break;
    }
    case 'DISPENSE':
      event.items = readItems(reader, 'epcList', signedAs);
      break;
    case 'DECOMMISSION':
      event.items = readItems(reader, 'epcList', signedAs);
      event.reason = shape.reason;
      break;
    case 'RECALL':
      Object.assign(event, readRecall(reader, signedAs));
      break;
  }
  reader.finish();
  return {
    event,
    ...(typeof keyId === 'string' ? { keyId } : {}),
    ...(typeof signature === 'string' ? { signature } : {}),
    dropped: reader.dropped,
  };
}
