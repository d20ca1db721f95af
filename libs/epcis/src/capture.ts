// EPCIS 2.0 capture (REST binding POST /capture, POST /events) read into the signed Custos
// events the ingest takes: each EPCIS event must map exactly (docs/epcis.md) and carry
// custos:actor, custos:keyId and custos:signature over the Custos event it maps to. What
// cannot be read is named by the JSON pointer of the event in the document and of the field.
import { type DocumentEvent, documentEvents } from './document';
import { EpcisMappingError } from './errors';
import { fromEpcisEvent } from './from-epcis';
import { contextNames } from './jsonld-names';
import type { EventObject } from '@custos/ledger/events';

/** One event of a capture: the signed Custos event, or why there is none. */
export type CapturedEvent =
  | {
      readonly pointer: string;
      readonly eventID: string | undefined;
      readonly signed: {
        readonly event: EventObject;
        readonly keyId: string;
        readonly signature: string;
      };
    }
  | { readonly pointer: string; readonly eventID: string | undefined; readonly refusal: string };

/** `GS1-Capture-Error-Behaviour`: all or nothing (default), or as many as can be. */
export type CaptureErrorBehaviour = 'rollback' | 'proceed';

/** The header's behaviour; undefined when it names none of them. */
export function captureErrorBehaviourOf(
  header: string | string[] | undefined,
): CaptureErrorBehaviour | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === 'rollback') return 'rollback';
  if (value === 'proceed') return 'proceed';
  return undefined;
}

function eventIdOf(event: unknown): string | undefined {
  const id = (event as { eventID?: unknown } | null)?.eventID;
  return typeof id === 'string' ? id : undefined;
}

/** One event of a document (documentEvents), read into its signed Custos event or a refusal. */
export function captureDocumentEvent(item: DocumentEvent): CapturedEvent {
  const eventID = eventIdOf(item.event);
  try {
    const decoded = fromEpcisEvent(item.event, item.names, { profile: 'capture' });
    return {
      pointer: item.pointer,
      eventID,
      signed: { event: decoded.event, keyId: decoded.keyId!, signature: decoded.signature! },
    };
  } catch (err) {
    if (err instanceof EpcisMappingError)
      return {
        pointer: item.pointer,
        eventID,
        refusal: `${item.pointer}${err.pointer}: ${err.reason}`,
      };
    throw err;
  }
}

/** The events of an EPCISDocument, or a sentence saying why the document is unreadable. */
export function captureDocument(document: unknown): CapturedEvent[] | string {
  const events = documentEvents(document);
  return typeof events === 'string' ? events : events.map(captureDocumentEvent);
}

/** One event posted alone (POST /events), with its own @context. */
export function captureEvent(event: unknown): CapturedEvent {
  const names = contextNames(
    typeof event === 'object' && event !== null
      ? (event as { '@context'?: unknown })['@context']
      : undefined,
  );
  return captureDocumentEvent({ event, pointer: '', names });
}
