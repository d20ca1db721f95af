// The EPCIS 2.0 REST binding's event query (GET /events; EPCIS 2.0 section 8.2.7.1,
// EPCIS-REST-openapi.json `paths./events.get.parameters`, query schema patternProperties)
// read into the Custos terms it means: which Custos types (and DECOMMISSION reasons), which
// identifiers, parties, lots, times. List parameters are pipe-delimited. A parameter the
// standard defines on fields Custos events never carry (readPoint, quantities, sensor data,
// error declarations…) matches no event; a name the standard does not define is refused.
import { canonicalIdentifier } from '@custos/gs1/canonical';
import type { Gs1IdentifierKind } from '@custos/gs1/identifier';
import { EpcisMappingError } from './errors';
import { readEpcisIdentifier, readEpcisParty } from './identifiers';
import { type CustosKind, MAPPING_ROWS } from './mapping-table';
import { cbvBareWord, EPCIS_EVENT_TYPES } from './vocabulary';

/** A query parameter the binding would refuse (400 QueryParameterException); names it. */
export class QueryParameterError extends Error {
  override readonly name = 'QueryParameterError';
  constructor(
    readonly parameter: string,
    reason: string,
  ) {
    super(`${parameter}: ${reason}`);
  }
}

export interface EventQuery {
  /** The Custos kinds that may match; undefined: any. Empty: none (the query matches nothing). */
  readonly kinds?: readonly CustosKind[];
  readonly eventTime: { readonly ge?: Date; readonly lt?: Date };
  readonly recordTime: { readonly ge?: Date; readonly lt?: Date };
  /** Canonical identifiers, any of which the event's items (epcList, childEPCs) must name. */
  readonly epc?: readonly string[];
  readonly parentID?: readonly string[];
  /** Items or parent. */
  readonly anyEPC?: readonly string[];
  /** Canonical product-class identifiers (LGTIN) of quantityList: a RECALL's lot. */
  readonly epcClass?: readonly string[];
  /** cbvmda:lotNumber of the ILMD (COMMISSION). */
  readonly lotNumber?: readonly string[];
  /** GLNs of the owning-party source / destination (SHIP, RECEIVE). */
  readonly sourceParty?: readonly string[];
  readonly destinationParty?: readonly string[];
  /** eventIds (the text after `urn:uuid:`). */
  readonly eventIds?: readonly string[];
  /** A parameter only events Custos never holds could satisfy. */
  readonly matchesNothing: boolean;
  readonly perPage: number;
  readonly orderDirection: 'ASC' | 'DESC';
  readonly nextPageToken?: string;
}

export const PER_PAGE_DEFAULT = 30;
export const PER_PAGE_MAX = 1000;

/** Standard parameters on fields no Custos event has: each matches nothing. */
const NEVER_MATCHING = new Set([
  'EQ_readPoint',
  'WD_readPoint',
  'EQ_bizLocation',
  'WD_bizLocation',
  'EQ_transformationID',
  'MATCH_inputEPC',
  'MATCH_outputEPC',
  'MATCH_inputEPCClass',
  'MATCH_outputEPCClass',
  'EQ_quantity',
  'GT_quantity',
  'GE_quantity',
  'LT_quantity',
  'LE_quantity',
  'EXISTS_errorDeclaration',
  'GE_errorDeclarationTime',
  'LT_errorDeclarationTime',
  'GE_errorDeclaration_Time',
  'LT_errorDeclaration_Time',
  'EQ_errorReason',
  'EQ_correctiveEventID',
  'GE_startTime',
  'LT_startTime',
  'GE_endTime',
  'LT_endTime',
  'EQ_type',
  'EQ_deviceID',
  'EQ_dataProcessingMethod',
  'EQ_microorganism',
  'EQ_chemicalSubstance',
  'EQ_bizRules',
  'EQ_stringValue',
  'EQ_hexBinaryValue',
  'EQ_uriValue',
  'EQ_booleanValue',
  'EQ_persistentDisposition_unset',
]);
/** Pattern-named standard parameters on fields no Custos event has. */
const NEVER_MATCHING_PATTERNS = [
  /^EQ_bizTransaction_.+$/,
  /^(EQ|GT|GE|LT|LE)_(INNER_ILMD|INNER)_.+$/,
  /^(EQ|GT|GE|LT|LE)_ILMD_(?!cbvmda:lotNumber$).+$/,
  /^(EQ|GT|GE|LT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue|quantity)_.+$/,
  /^(EQ|GT|GE|LT|LE)_(INNER_)?(SENSORELEMENT|SENSORMETADATA|SENSORREPORT|ERROR_DECLARATION)_.+$/,
  /^EQ_(readPoint|bizLocation)_.+$/,
  /^EQ_(source|destination)_(?!owning_party$).+$/,
];
/** Standard parameters read elsewhere (paging, the stream of a named query). */
const PAGING = new Set(['perPage', 'nextPageToken', 'orderBy', 'orderDirection']);

type Query = Readonly<Record<string, unknown>>;

/** One value of a parameter given once. */
function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new QueryParameterError(name, 'must be given once');
  return value;
}

/** A pipe-delimited list (a parameter given more than once is its values together). */
function list(query: Query, name: string): string[] | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split('|'));
  if (parts.some((p) => p === ''))
    throw new QueryParameterError(name, 'has an empty value (values are separated by |)');
  return parts;
}

function time(query: Query, name: string): Date | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  // xsd:dateTime with a time zone (RFC 3339), as the binding's `format: date-time`.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value))
    throw new QueryParameterError(
      name,
      `"${value}" is not a date-time with a time zone (e.g. 2026-12-01T10:00:00Z)`,
    );
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new QueryParameterError(name, `"${value}" is not a date-time`);
  return date;
}

function identifiers(
  query: Query,
  name: string,
  kinds: readonly Gs1IdentifierKind[],
): string[] | undefined {
  const values = list(query, name);
  return values?.map((value) => {
    if (/^urn:epc:idpat:/i.test(value))
      throw new QueryParameterError(
        name,
        `"${value}": EPC patterns are not supported; name each identifier (Digital Link or EPC URN)`,
      );
    try {
      return canonicalIdentifier(readEpcisIdentifier(value, name, kinds));
    } catch (err) {
      if (err instanceof EpcisMappingError) throw new QueryParameterError(name, err.reason);
      throw err;
    }
  });
}

function parties(query: Query, name: string): string[] | undefined {
  return list(query, name)?.map((value) => {
    try {
      return readEpcisParty(value, name);
    } catch (err) {
      if (err instanceof EpcisMappingError) throw new QueryParameterError(name, err.reason);
      throw err;
    }
  });
}

/** Narrows the kinds by one of the four EPCIS shape fields. */
function narrow(
  kinds: readonly CustosKind[] | undefined,
  values: readonly string[] | undefined,
  keep: (row: (typeof MAPPING_ROWS)[number], value: string) => boolean,
): readonly CustosKind[] | undefined {
  if (values === undefined) return kinds;
  const rows = MAPPING_ROWS.filter((row) => values.some((v) => keep(row, v)));
  const allowed = rows.map(({ type, reason }) => ({ type, ...(reason ? { reason } : {}) }));
  if (kinds === undefined) return allowed;
  return kinds.filter((k) => allowed.some((a) => a.type === k.type && a.reason === k.reason));
}

/** The query of GET /events (and /epcs/{epc}/events with its MATCH_anyEPC added). */
export function parseEventQuery(query: Query): EventQuery {
  for (const name of Object.keys(query)) {
    if (KNOWN.has(name) || PAGING.has(name) || NEVER_MATCHING.has(name)) continue;
    if (NEVER_MATCHING_PATTERNS.some((p) => p.test(name))) continue;
    throw new QueryParameterError(
      name,
      'is not a query parameter of the EPCIS 2.0 REST binding that this repository answers',
    );
  }
  let matchesNothing = Object.keys(query).some(
    (name) => NEVER_MATCHING.has(name) || NEVER_MATCHING_PATTERNS.some((p) => p.test(name)),
  );

  const eventTypes = list(query, 'eventType');
  for (const t of eventTypes ?? [])
    if (!EPCIS_EVENT_TYPES.has(t))
      throw new QueryParameterError('eventType', `"${t}" is not an EPCIS 2.0 event type`);
  const actions = list(query, 'EQ_action');
  for (const a of actions ?? [])
    if (!['ADD', 'OBSERVE', 'DELETE'].includes(a))
      throw new QueryParameterError('EQ_action', `"${a}" is not ADD, OBSERVE or DELETE`);
  const bizSteps = list(query, 'EQ_bizStep')?.map((v) => cbvBareWord('BizStep', v) ?? v);
  const dispositions = list(query, 'EQ_disposition')?.map((v) => cbvBareWord('Disp', v) ?? v);
  const persistent = list(query, 'EQ_persistentDisposition_set')?.map(
    (v) => cbvBareWord('Disp', v) ?? v,
  );
  let kinds: readonly CustosKind[] | undefined;
  kinds = narrow(kinds, eventTypes, (row, v) => row.eventType === v);
  kinds = narrow(kinds, actions, (row, v) => row.action === v);
  kinds = narrow(kinds, bizSteps, (row, v) => row.bizStep === v);
  kinds = narrow(kinds, dispositions, (row, v) => row.disposition === v);
  // Only a RECALL sets a persistent disposition, and it sets `recalled`.
  kinds = narrow(kinds, persistent, (row, v) => row.type === 'RECALL' && v === 'recalled');

  const perPageText = single(query, 'perPage');
  let perPage = PER_PAGE_DEFAULT;
  if (perPageText !== undefined) {
    if (!/^[1-9]\d{0,6}$/.test(perPageText))
      throw new QueryParameterError('perPage', `must be a whole number from 1 to ${PER_PAGE_MAX}`);
    perPage = Math.min(Number(perPageText), PER_PAGE_MAX);
  }
  const orderBy = single(query, 'orderBy');
  if (orderBy !== undefined && orderBy !== 'recordTime')
    throw new QueryParameterError(
      'orderBy',
      'only recordTime is supported (events are served in the order the ledger accepted them)',
    );
  const orderDirection = single(query, 'orderDirection') ?? 'ASC';
  if (orderDirection !== 'ASC' && orderDirection !== 'DESC')
    throw new QueryParameterError('orderDirection', 'must be ASC or DESC');

  const eventIds = list(query, 'EQ_eventID')?.map((v) => {
    const match = /^urn:uuid:([0-9a-f-]{36})$/i.exec(v);
    // Custos events are all urn:uuid:; any other eventID (a hash ni:, a URL) names none.
    if (!match) matchesNothing = true;
    return match?.[1] ?? '';
  });
  const nextPageToken = single(query, 'nextPageToken');
  const classes = identifiers(query, 'MATCH_epcClass', ['product']);
  const anyClasses = identifiers(query, 'MATCH_anyEPCClass', ['product']);
  return {
    ...(kinds !== undefined ? { kinds } : {}),
    eventTime: opt({ ge: time(query, 'GE_eventTime'), lt: time(query, 'LT_eventTime') }),
    recordTime: opt({ ge: time(query, 'GE_recordTime'), lt: time(query, 'LT_recordTime') }),
    ...opt({
      epc: identifiers(query, 'MATCH_epc', ['unit', 'logistic-unit']),
      parentID: identifiers(query, 'MATCH_parentID', ['logistic-unit', 'unit']),
      anyEPC: identifiers(query, 'MATCH_anyEPC', ['unit', 'logistic-unit']),
      epcClass: classes || anyClasses ? [...(classes ?? []), ...(anyClasses ?? [])] : undefined,
      lotNumber: list(query, 'EQ_ILMD_cbvmda:lotNumber'),
      sourceParty: parties(query, 'EQ_source_owning_party'),
      destinationParty: parties(query, 'EQ_destination_owning_party'),
      eventIds,
    }),
    matchesNothing,
    perPage,
    orderDirection,
    ...(nextPageToken !== undefined ? { nextPageToken } : {}),
  };
}

const KNOWN = new Set([
  'eventType',
  'GE_eventTime',
  'LT_eventTime',
  'GE_recordTime',
  'LT_recordTime',
  'EQ_action',
  'EQ_bizStep',
  'EQ_disposition',
  'EQ_persistentDisposition_set',
  'MATCH_epc',
  'MATCH_parentID',
  'MATCH_anyEPC',
  'MATCH_epcClass',
  'MATCH_anyEPCClass',
  'EQ_ILMD_cbvmda:lotNumber',
  'EQ_source_owning_party',
  'EQ_destination_owning_party',
  'EQ_eventID',
]);

function opt<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** `GS1-EPC-Format` (REST binding header): Digital Link unless an EPC URN is asked for. */
export function epcFormatOf(header: string | string[] | undefined): 'digital-link' | 'epc-urn' {
  const value = Array.isArray(header) ? header[0] : header;
  switch (value) {
    case undefined:
    case 'No_Preference':
    case 'Always_GS1_Digital_Link':
    case 'Never_Translates': // Custos holds the canonical Digital Link (docs/epcis.md)
      return 'digital-link';
    case 'Always_EPC_URN':
      return 'epc-urn';
    default:
      throw new QueryParameterError(
        'GS1-EPC-Format',
        `"${value}" is not No_Preference, Always_GS1_Digital_Link, Always_EPC_URN or Never_Translates`,
      );
  }
}
