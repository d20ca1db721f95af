// EPCIS 2.0 documents (GS1 EPCIS 2.0 section 12.2 JSON binding): the EPCISDocument of a
// capture and the EPCISQueryDocument of a query answer, each an @context, a header and an
// event list. Reading one gives each event with the names (prefixes) in scope for it.
import { type ContextNames, contextNames } from './jsonld-names';
import { CUSTOS_EPCIS_CONTEXT } from './to-epcis';

export type JsonObject = Record<string, unknown>;

export interface DocumentEvent {
  readonly event: unknown;
  /** JSON pointer of the event in the document, e.g. `/epcisBody/eventList/3`. */
  readonly pointer: string;
  /** Names in scope: the document's @context, then the event's own. */
  readonly names: ContextNames;
}

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The events of an EPCISDocument or EPCISQueryDocument, or a sentence saying why there are
 * none to read (the schema check names the field precisely; this is the mapping's own).
 */
export function documentEvents(document: unknown): DocumentEvent[] | string {
  if (!isObject(document)) return 'the document must be a JSON object';
  const names = contextNames(document['@context']);
  const body = document.epcisBody;
  if (!isObject(body)) return 'epcisBody: required';
  let list: unknown;
  let base: string;
  if (document.type === 'EPCISQueryDocument') {
    const results = isObject(body.queryResults) ? body.queryResults.resultsBody : undefined;
    list = isObject(results) ? results.eventList : undefined;
    base = '/epcisBody/queryResults/resultsBody/eventList';
  } else if (document.type === 'EPCISDocument') {
    list = body.eventList;
    base = '/epcisBody/eventList';
  } else {
    return 'type: must be EPCISDocument or EPCISQueryDocument';
  }
  if (!Array.isArray(list)) return `${base.slice(1)}: must be a list of events`;
  return (list as unknown[]).map((event, i) => ({
    event,
    pointer: `${base}/${i}`,
    names: isObject(event) && '@context' in event ? contextNames(event['@context'], names) : names,
  }));
}

/** An EPCISDocument of Custos events (toEpcisEvent), as a capture sends it. */
export function epcisDocument(eventList: readonly unknown[], creationDate: string): JsonObject {
  return {
    '@context': CUSTOS_EPCIS_CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate,
    epcisBody: { eventList },
  };
}

/** The EPCISQueryDocument of a query's answer (REST binding: GET /events, named queries). */
export function epcisQueryDocument(
  eventList: readonly unknown[],
  query: {
    readonly queryName: string;
    readonly subscriptionID?: string;
    readonly creationDate: string;
  },
): JsonObject {
  return {
    '@context': CUSTOS_EPCIS_CONTEXT,
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: query.creationDate,
    epcisBody: {
      queryResults: {
        queryName: query.queryName,
        ...(query.subscriptionID === undefined ? {} : { subscriptionID: query.subscriptionID }),
        resultsBody: { eventList },
      },
    },
  };
}
