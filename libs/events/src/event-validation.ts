// Field and identifier validation of one submitted event (SPEC sections 2 and 4): which
// fields each type needs and allows, every identifier parsed with libs/gs1 in whatever
// form it came, and the exact bytes the signature must cover. Pure: no I/O, no clock.
import { canonicalIdentifier } from '@custos/gs1/canonical';
import { isCset82 } from '@custos/gs1/charset';
import { Gs1Error } from '@custos/gs1/errors';
import type { Gs1Identifier } from '@custos/gs1/identifier';
import { assertGln, normaliseGtin } from '@custos/gs1/keys';
import { parseIdentifier } from '@custos/gs1/parse';
import { canonicalJson } from '@custos/ledger/jcs';
import { RejectionError } from './rejection';
import {
  type DecommissionReason,
  decommissionReasons,
  type EventFields,
  eventFieldNames,
  type EventType,
  eventTypes,
  MAX_EVENT_ITEMS,
  type SignedEventSubmission,
} from './submission';

import type { EventItemRef, ItemKind } from '@custos/custody/custody-event';

export type { EventItemRef, ItemKind };

/** An event that passed field validation: typed fields, and what is signed and stored. */
export interface ValidatedEvent {
  readonly index: number;
  readonly eventId: string;
  readonly type: EventType;
  readonly actor: string;
  readonly eventTime: Date;
  readonly items: readonly EventItemRef[];
  readonly parent?: EventItemRef;
  readonly to?: string;
  readonly from?: string;
  readonly lot?: string;
  readonly expiry?: string;
  readonly reason?: DecommissionReason;
  /** RECALL: the GTIN-14 recalled. */
  readonly gtin?: string;
  readonly keyId: string;
  readonly signature: string;
  /** RFC 8785 form of the event as received, null fields dropped: stored as `event_json`. */
  readonly eventJson: string;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?[Zz]$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

/** Which optional fields each type needs (required) and allows (the rest are refused). */
const fieldRules: Readonly<
  Record<EventType, { readonly required: readonly string[]; readonly allowed: readonly string[] }>
> = {
  COMMISSION: { required: ['items', 'lot', 'expiry'], allowed: [] },
  PACK: { required: ['items', 'parent'], allowed: [] },
  UNPACK: { required: ['items', 'parent'], allowed: [] },
  SHIP: { required: ['items', 'to'], allowed: [] },
  RECEIVE: { required: ['items', 'from'], allowed: [] },
  DISPENSE: { required: ['items'], allowed: [] },
  DECOMMISSION: { required: ['items', 'reason'], allowed: [] },
  RECALL: { required: ['gtin', 'lot'], allowed: [] },
};
const alwaysRequired = ['eventId', 'type', 'actor', 'eventTime'];

const present = (value: unknown) => value !== undefined && value !== null;

function fail(code: 'INVALID_FIELD' | 'INVALID_IDENTIFIER', field: string, message: string): never {
  throw new RejectionError(code, `${field}: ${message}`);
}

function string(value: unknown, field: string, maxLength = 200): string {
  if (typeof value !== 'string') fail('INVALID_FIELD', field, 'must be a string');
  if (value.length === 0) fail('INVALID_FIELD', field, 'must not be empty');
  if (value.length > maxLength)
    fail('INVALID_FIELD', field, `is longer than ${maxLength} characters`);
  return value;
}

function gln(value: unknown, field: string): string {
  const text = string(value, field, 13);
  try {
    return assertGln(text, field);
  } catch (err) {
    if (err instanceof Gs1Error) fail('INVALID_IDENTIFIER', field, stripField(err.message, field));
    throw err;
  }
}

/** Gs1Error messages start with the field or AI they concern; keep the AI, drop our own name. */
function stripField(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

function identifier(value: unknown, field: string): { id: Gs1Identifier; canonical: string } {
  const text = string(value, field, 1000);
  try {
    const id = parseIdentifier(text);
    return { id, canonical: canonicalIdentifier(id) };
  } catch (err) {
    if (err instanceof Gs1Error) {
      fail('INVALID_IDENTIFIER', field, stripField(err.message, 'identifier'));
    }
    throw err;
  }
}

function itemRef(
  value: unknown,
  field: string,
  allow: readonly ItemKind[],
  commissioned?: { lot: string; expiry: string },
): EventItemRef {
  const { id, canonical } = identifier(value, field);
  switch (id.kind) {
    case 'unit':
      if (!allow.includes('UNIT')) {
        fail('INVALID_IDENTIFIER', field, 'must be a logistic unit (SSCC), not a unit');
      }
      if (commissioned) checkCommissionedAttributes(id.lot, id.expiry, commissioned, field);
      return { identifier: canonical, kind: 'UNIT', gtin: id.gtin };
    case 'logistic-unit':
      if (!allow.includes('LOGISTIC_UNIT')) {
        fail('INVALID_IDENTIFIER', field, 'must be a unit (GTIN + serial), not an SSCC');
      }
      return { identifier: canonical, kind: 'LOGISTIC_UNIT' };
    case 'product':
    case 'location':
    case 'party':
      return fail(
        'INVALID_IDENTIFIER',
        field,
        `names a ${id.kind}, not a serialised unit (GTIN + serial) or an SSCC`,
      );
  }
}

/** A COMMISSION item may carry lot (10) and expiry (17); they must say what the event says. */
function checkCommissionedAttributes(
  lot: string | undefined,
  expiry: string | undefined,
  commissioned: { lot: string; expiry: string },
  field: string,
): void {
  if (lot !== undefined && lot !== commissioned.lot) {
    fail(
      'INVALID_FIELD',
      field,
      `AI (10): lot ${lot} differs from the event's lot ${commissioned.lot}`,
    );
  }
  if (expiry !== undefined) {
    const [y, m, d] = commissioned.expiry.split('-');
    const sameMonth = expiry.slice(0, 4) === `${y!.slice(2)}${m!}`;
    const day = expiry.slice(4);
    if (!sameMonth || (day !== '00' && day !== d)) {
      fail(
        'INVALID_FIELD',
        field,
        `AI (17): expiry ${expiry} differs from the event's expiry ${commissioned.expiry}`,
      );
    }
  }
}

function eventTime(value: unknown, field: string): Date {
  const text = string(value, field, 40);
  const m = RFC3339_UTC.exec(text);
  const time = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
  const back = Number.isNaN(time) ? undefined : new Date(time);
  if (
    !m ||
    !back ||
    back.getUTCMonth() !== +m[2]! - 1 ||
    back.getUTCDate() !== +m[3]! ||
    +m[4]! > 23 ||
    +m[5]! > 59 ||
    +m[6]! > 59
  ) {
    fail('INVALID_FIELD', field, 'must be an RFC 3339 UTC instant such as 2026-01-05T10:00:00Z');
  }
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  return new Date(time + fraction);
}

function isoDate(value: unknown, field: string): string {
  const text = string(value, field, 10);
  const m = ISO_DATE.exec(text);
  const date = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)) : undefined;
  if (!m || !date || date.getUTCMonth() !== +m[2]! - 1 || date.getUTCDate() !== +m[3]!) {
    fail('INVALID_FIELD', field, 'must be a date as YYYY-MM-DD');
  }
  return text;
}

function lot(value: unknown, field: string): string {
  const text = string(value, field, 20);
  for (let i = 0; i < text.length; i++) {
    if (!isCset82(text.charCodeAt(i))) {
      fail('INVALID_FIELD', field, `character ${i + 1} is outside the GS1 character set 82`);
    }
  }
  return text;
}

function recallGtin(value: unknown, field: string): string {
  const text = string(value, field, 1000);
  if (/^\d+$/.test(text)) {
    try {
      return normaliseGtin(text, field);
    } catch (err) {
      if (err instanceof Gs1Error)
        fail('INVALID_IDENTIFIER', field, stripField(err.message, field));
      throw err;
    }
  }
  const { id } = identifier(text, field);
  if (id.kind !== 'product' && id.kind !== 'unit') {
    fail('INVALID_IDENTIFIER', field, `names a ${id.kind}, not a GTIN`);
  }
  return id.gtin;
}

/** The event object as signed: every field the client sent, values untouched, nulls dropped. */
export function signedEventObject(fields: EventFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of eventFieldNames) {
    const value = fields[name];
    if (present(value)) out[name] = value;
  }
  return out;
}

/**
 * Validates event `index` of a batch; throws RejectionError (INVALID_FIELD or
 * INVALID_IDENTIFIER) naming the field as `events[i].event.<field>`.
 */
export function validateEvent(submission: SignedEventSubmission, index: number): ValidatedEvent {
  const at = `events[${index}]`;
  const f = `${at}.event`;
  if (typeof submission !== 'object' || submission === null) {
    fail('INVALID_FIELD', at, 'must be an object with event, keyId and signature');
  }
  const fields = submission.event;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    fail('INVALID_FIELD', f, 'must be an object');
  }
  for (const name of Object.keys(fields)) {
    if (!(eventFieldNames as readonly string[]).includes(name) && present(fields[name as never])) {
      fail('INVALID_FIELD', `${f}.${name}`, 'is not a field of an event');
    }
  }
  for (const name of alwaysRequired) {
    if (!present(fields[name as keyof EventFields]))
      fail('INVALID_FIELD', `${f}.${name}`, 'is required');
  }
  const eventId = string(fields.eventId, `${f}.eventId`, 36);
  if (!UUID.test(eventId)) fail('INVALID_FIELD', `${f}.eventId`, 'must be a UUID');
  const type = string(fields.type, `${f}.type`, 20);
  if (!(eventTypes as readonly string[]).includes(type)) {
    fail('INVALID_FIELD', `${f}.type`, `must be one of ${eventTypes.join(', ')}`);
  }
  const eventType = type as EventType;
  const rule = fieldRules[eventType];
  for (const name of [
    'items',
    'lot',
    'expiry',
    'parent',
    'to',
    'from',
    'reason',
    'gtin',
  ] as const) {
    const isPresent = present(fields[name]);
    if (rule.required.includes(name) && !isPresent) {
      fail('INVALID_FIELD', `${f}.${name}`, `is required on ${eventType}`);
    }
    if (isPresent && !rule.required.includes(name) && !rule.allowed.includes(name)) {
      fail('INVALID_FIELD', `${f}.${name}`, `is not a field of ${eventType}`);
    }
  }

  const actor = gln(fields.actor, `${f}.actor`);
  const time = eventTime(fields.eventTime, `${f}.eventTime`);
  const keyId = string(submission.keyId, `${at}.keyId`, 200);
  const signature = string(submission.signature, `${at}.signature`, 200);
  if (!SIGNATURE.test(signature)) {
    fail('INVALID_FIELD', `${at}.signature`, 'must be 64 bytes as base64url without padding');
  }

  const lotValue = present(fields.lot) ? lot(fields.lot, `${f}.lot`) : undefined;
  const expiry = present(fields.expiry) ? isoDate(fields.expiry, `${f}.expiry`) : undefined;
  const parent = present(fields.parent)
    ? itemRef(fields.parent, `${f}.parent`, ['LOGISTIC_UNIT'])
    : undefined;
  const to = present(fields.to) ? gln(fields.to, `${f}.to`) : undefined;
  const from = present(fields.from) ? gln(fields.from, `${f}.from`) : undefined;
  if (to === actor) fail('INVALID_FIELD', `${f}.to`, 'is the actor itself');
  if (from === actor) fail('INVALID_FIELD', `${f}.from`, 'is the actor itself');
  let reason: DecommissionReason | undefined;
  if (present(fields.reason)) {
    const text = string(fields.reason, `${f}.reason`, 20);
    if (!(decommissionReasons as readonly string[]).includes(text)) {
      fail('INVALID_FIELD', `${f}.reason`, `must be one of ${decommissionReasons.join(', ')}`);
    }
    reason = text as DecommissionReason;
  }
  const gtin = present(fields.gtin) ? recallGtin(fields.gtin, `${f}.gtin`) : undefined;

  const items: EventItemRef[] = [];
  if (present(fields.items)) {
    const list = fields.items;
    if (!Array.isArray(list)) fail('INVALID_FIELD', `${f}.items`, 'must be a list of identifiers');
    if (list.length === 0) fail('INVALID_FIELD', `${f}.items`, 'must name at least one item');
    if (list.length > MAX_EVENT_ITEMS) {
      fail('INVALID_FIELD', `${f}.items`, `names more than ${MAX_EVENT_ITEMS} items`);
    }
    const allow: readonly ItemKind[] =
      eventType === 'COMMISSION' || eventType === 'DISPENSE' ? ['UNIT'] : ['UNIT', 'LOGISTIC_UNIT'];
    const commissioned =
      eventType === 'COMMISSION' ? { lot: lotValue!, expiry: expiry! } : undefined;
    const seen = new Set<string>();
    list.forEach((value: unknown, i) => {
      const field = `${f}.items[${i}]`;
      const ref = itemRef(value, field, allow, commissioned);
      if (seen.has(ref.identifier)) fail('INVALID_FIELD', field, 'names an item listed before');
      if (parent && ref.identifier === parent.identifier) {
        fail('INVALID_FIELD', field, 'is the parent itself');
      }
      seen.add(ref.identifier);
      items.push(ref);
    });
  }

  return {
    index,
    eventId,
    type: eventType,
    actor,
    eventTime: time,
    items,
    ...(parent ? { parent } : {}),
    ...(to ? { to } : {}),
    ...(from ? { from } : {}),
    ...(lotValue !== undefined ? { lot: lotValue } : {}),
    ...(expiry !== undefined ? { expiry } : {}),
    ...(reason ? { reason } : {}),
    ...(gtin ? { gtin } : {}),
    keyId,
    signature,
    eventJson: canonicalJson(signedEventObject(fields)),
  };
}
