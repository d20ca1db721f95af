// EPCIS 2.0 documents from a partner's system turned into signed Custos events
// (docs/epcis.md "Importing from a partner system"; issue 16): each event is mapped by
// @custos/epcis's import profile as the importer (the key's participant) and signed with
// the key, locally. An event the mapping cannot keep is refused by name — its eventID, or
// its place in the document — with the field and the reason; none is dropped silently.
// Pure: the caller reads the file and submits (client.submit batches and reports).
import { documentEvents } from '@custos/epcis/document';
import { EpcisMappingError } from '@custos/epcis/errors';
import { fromEpcisEvent } from '@custos/epcis/from-epcis';
import { CustosArgumentError } from './errors';
import { type SignedEvent, signEvent } from './events';
import type { CustosKey } from './keys';

export interface ImportedEvent {
  /** The event's JSON pointer in the document, e.g. `/epcisBody/eventList/3`. */
  readonly pointer: string;
  /** The EPCIS eventID when it had one, else the pointer: how reports name the event. */
  readonly name: string;
  readonly signed: SignedEvent;
  /** Pointers of fields left out because `drop` named them. */
  readonly dropped: readonly string[];
}

export interface RefusedEvent {
  readonly pointer: string;
  readonly name: string;
  /** The field at fault, a pointer inside the event (`/bizStep`, `/sensorElementList`). */
  readonly field: string;
  readonly reason: string;
}

export interface EpcisImport {
  readonly events: readonly ImportedEvent[];
  readonly refused: readonly RefusedEvent[];
}

export interface EpcisImportOptions {
  /** Fields the importer accepts to lose (DROPPABLE_FIELDS of @custos/epcis, or extension names). */
  readonly drop?: readonly string[];
}

function nameOf(event: unknown, pointer: string): string {
  const id =
    typeof event === 'object' && event !== null
      ? (event as Record<string, unknown>).eventID
      : undefined;
  return typeof id === 'string' && id !== '' ? id : pointer;
}

/** Maps and signs every event of an EPCISDocument (or EPCISQueryDocument) as `key`'s participant. */
export function importEpcisDocument(
  document: unknown,
  key: CustosKey,
  options: EpcisImportOptions = {},
): EpcisImport {
  const actor = key.participantId;
  if (actor === undefined) {
    throw new CustosArgumentError(
      'key',
      'names no participant: register it first, or give its GLN',
    );
  }
  const items = documentEvents(document);
  if (typeof items === 'string') throw new CustosArgumentError('document', items);
  const events: ImportedEvent[] = [];
  const refused: RefusedEvent[] = [];
  for (const { event, pointer, names } of items) {
    const name = nameOf(event, pointer);
    try {
      const decoded = fromEpcisEvent(event, names, {
        profile: 'import',
        actor,
        ...(options.drop ? { drop: options.drop } : {}),
      });
      events.push({
        pointer,
        name,
        signed: signEvent(decoded.event, key),
        dropped: decoded.dropped,
      });
    } catch (err) {
      if (!(err instanceof EpcisMappingError)) throw err;
      refused.push({ pointer, name, field: err.pointer || '/', reason: err.reason });
    }
  }
  return { events, refused };
}
