// One stored event of a package's history re-verified (SPEC section 6, docs/adr/0003 and
// 0010): its bytes rebuilt from the stored row with libs/ledger/src/stored-event.ts, its
// signature checked against the actor's key, that key checked against the key directory
// (docs/adr/0014), and what it concerns read from its signed fields with ingest's own
// validateEvent, never from an index row. Every problem is an INTEGRITY_FAILURE on the
// event, never an exception. No I/O; signatures that passed before in this process, byte
// for byte, are not verified again (libs/ledger/src/verified-signatures.ts).
import type { IntegrityFailure, LedgerEventView } from '@custos/custody/assess';
import type { EventType } from '@custos/custody/custody-event';
import { validateEvent, type ValidatedEvent } from '@custos/events/event-validation';
import type { EventObject } from '@custos/ledger/events';
import type { KeyDirectory } from '@custos/ledger/key-directory';
import { type RebuiltEvent, checkStoredEvent } from '@custos/ledger/stored-event';
import { NATIVE_CODEC } from '@custos/ledger/stored-event-native';
import { VERIFIED_SIGNATURES } from '@custos/ledger/verified-signatures';
import type { IndexedEvent } from './index-check';
import type { StoredEvent } from '@custos/store/event-history.repository';
import type { EventKeyRow } from '@custos/store/ledger-event.repository';

/** A stored event after its re-check, with what the replay and the index check need. */
export interface CheckedEvent {
  readonly stored: StoredEvent;
  readonly view: LedgerEventView;
  /** Its bytes rebuilt from the stored row; undefined when the row cannot be read. */
  readonly rebuilt: RebuiltEvent | undefined;
  readonly indexed: IndexedEvent;
  readonly failures: readonly IntegrityFailure[];
}

/** A failure of `eventId`, in the words for callers who may and may not read the trail. */
export function eventFailure(
  eventId: string,
  message: string,
  publicMessage = message,
): IntegrityFailure {
  return {
    message: `event ${eventId}: ${message}`,
    publicMessage: `an event of its history: ${publicMessage}`,
    eventId,
  };
}

/** Re-checks one stored event against its content hash, its signature and the key directory. */
export function checkEvent(stored: StoredEvent, keys: KeyDirectory): CheckedEvent {
  const failures: IntegrityFailure[] = [];
  const fail = (message: string, publicMessage = message) =>
    failures.push(eventFailure(stored.eventId, message, publicMessage));
  const checked = checkStoredEvent(stored, NATIVE_CODEC);
  const event: EventObject = checked.event ?? {};
  for (const fault of checked.faults) {
    if (fault.problem === 'unreadable') fail(`it cannot be read back (${fault.detail})`);
    else if (fault.field === 'contentHash')
      fail('its stored content differs from what was accepted');
  }
  if (checked.faults.some((f) => f.problem === 'column differs'))
    fail('its stored columns disagree with the signed event');
  if (checked.rebuilt) {
    const row = stored.key && keyRowOf(stored, stored.key);
    if (!row)
      fail(
        `the key ${stored.keyId} of ${stored.actor} is not on record`,
        'its key is not on record',
      );
    else if (!keys.holds(row))
      fail(
        `the key ${stored.keyId} of ${stored.actor} is not on record in the key directory (${keys.whyNotOnRecord(row)})`,
        'its key is not on record',
      );
    else if (
      !checked.signature ||
      !VERIFIED_SIGNATURES.verify(checked.signature, checked.rebuilt.signingBytes, row.publicKey)
    )
      fail(
        `its signature does not verify with key ${stored.keyId} of ${stored.actor}`,
        'its signature does not verify',
      );
  }
  let named: ValidatedEvent | undefined;
  try {
    named = validateEvent({ event, keyId: stored.keyId, signature: stored.signature }, 0);
  } catch (err) {
    if (checked.rebuilt)
      fail(
        `its signed fields do not validate (${err instanceof Error ? err.message : String(err)})`,
      );
  }
  const eventTime = event['eventTime'];
  const view: LedgerEventView = {
    eventId: stored.eventId,
    type: stored.type as EventType,
    actor: stored.actor,
    eventTime: typeof eventTime === 'string' ? eventTime : '',
    items: named?.items.map((i) => i.identifier) ?? [],
    sealed: stored.leafIndex !== null,
    ...opt('parent', named?.parent?.identifier),
    ...opt('to', named?.to),
    ...opt('from', named?.from),
    ...opt('reason', named?.reason),
    ...opt('lot', named?.lot),
    ...opt('expiry', named?.expiry),
    ...opt('gtin', named?.gtin),
  };
  const indexed: IndexedEvent = {
    seq: stored.seq,
    eventId: stored.eventId,
    named: named && {
      type: named.type,
      items: view.items,
      ...opt('parent', view.parent),
      ...opt('gtin', named.gtin),
      ...opt('lot', named.lot),
    },
  };
  return { stored, view, rebuilt: checked.rebuilt, indexed, failures };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The event's key row as stored, in the key directory's terms. */
function keyRowOf(stored: StoredEvent, key: EventKeyRow) {
  return {
    participantId: stored.actor,
    keyId: stored.keyId,
    publicKey: key.publicKey,
    validFrom: key.validFrom,
    revokedAt: key.revokedAt,
  };
}
