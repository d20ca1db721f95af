// EPCIS Event Hash ID, CBV 2.0 section 8.9: `ni:///sha-256;<hex>?ver=CBV2.0` (RFC 6920) over
// a pre-hash string that is the same for every serialisation of one event. Built to the
// vectors of the reference implementation (RalphTro/epcis-event-hash-generator) where its
// README disagrees with them: after the ordered fields up to sensorElementList, every other
// field (bizTransactionList, destinationList, sourceList, ilmd, extensions) follows in
// lexical order of its pre-hash text, and a typed list element writes `type=` first.
// JSON-LD documents only; compact names expand with the document's and EPCIS' prefixes.
import { sha256 } from '@custos/ledger/sha256';
import { bytesToHex, utf8ToBytes } from '@custos/ledger/bytes';
import { canonicalHashValue, hashNumber, hashTimestamp } from './hash-values';
import { type PrefixMap, clarkName, expandName } from './jsonld-names';
import { type CbvVocabulary, isCbvTerm, cbvWebUri } from './vocabulary';

/** One element of the event as the algorithm sees it (as an XML element would be). */
interface HashNode {
  readonly name: string;
  readonly value: string;
  readonly children: HashNode[];
}

type Order = readonly (readonly [name: string, sub?: Order])[];

const QUANTITY: Order = [['quantityElement', [['epcClass'], ['quantity'], ['uom']]]];
const EPCS: Order = [['epc']];
const SENSOR_METADATA: Order = [
  ['time'],
  ['startTime'],
  ['endTime'],
  ['deviceID'],
  ['deviceMetadata'],
  ['rawData'],
  ['dataProcessingMethod'],
  ['bizRules'],
];
const SENSOR_REPORT: Order = [
  'type exception deviceID deviceMetadata rawData dataProcessingMethod time microorganism',
  'chemicalSubstance value component stringValue booleanValue hexBinaryValue uriValue',
  'minValue maxValue meanValue sDev percRank percValue uom coordinateReferenceSystem',
]
  .join(' ')
  .split(' ')
  .map((name) => [name] as const);

/** The canonical property order (the reference's PROP_ORDER). */
const PROPERTY_ORDER: Order = [
  ['eventTime'],
  ['eventTimeZoneOffset'],
  ['certificationInfo'],
  ['parentID'],
  ['epcList', EPCS],
  ['inputEPCList', EPCS],
  ['childEPCs', EPCS],
  ['quantityList', QUANTITY],
  ['childQuantityList', QUANTITY],
  ['inputQuantityList', QUANTITY],
  ['outputEPCList', EPCS],
  ['outputQuantityList', QUANTITY],
  ['action'],
  ['transformationID'],
  ['bizStep'],
  ['disposition'],
  ['persistentDisposition', [['set'], ['unset']]],
  ['readPoint', [['id']]],
  ['bizLocation', [['id']]],
  [
    'sensorElementList',
    [
      [
        'sensorElement',
        [
          ['sensorMetadata', SENSOR_METADATA],
          ['sensorReport', SENSOR_REPORT],
        ],
      ],
    ],
  ],
];

/** Never hashed (section 8.9.2): identity and capture bookkeeping, comments. */
const NOT_HASHED_AT_EVENT = new Set(['recordTime', 'eventID', 'type', 'errorDeclaration']);
const NOT_HASHED_ANYWHERE = new Set(['#text', 'rdfs:comment', 'comment', '@context']);
/** Typed list elements: written `type=…` then the identifier, in this order. */
const TYPED_LISTS: Readonly<Record<string, string>> = {
  bizTransactionList: 'bizTransaction',
  sourceList: 'source',
  destinationList: 'destination',
};

export interface EventHashOptions {
  /** Prefixes in scope (contextNames of the document, then of the event). */
  readonly prefixes: PrefixMap;
  /** Top-level fields left out, by the name they are written with (OpenEPCIS `ignoreFields`). */
  readonly ignoreFields?: readonly string[];
  /** Top-level extension fields left out by namespace (expanded IRI prefix). */
  readonly ignoreNamespaces?: readonly string[];
}

// ---- the event as a tree of named values ----------------------------------------------

/** Bare CBV and GS1 vocabulary words → web URIs, by where they stand (JSON-LD @vocab). */
function vocabularyOf(path: readonly string[]): ((word: string) => string) | undefined {
  const cbv = (vocabulary: CbvVocabulary) => (word: string) =>
    isCbvTerm(vocabulary, word) ? cbvWebUri(vocabulary, word) : word;
  const gs1 = (word: string) => (word.includes(':') ? word : `https://gs1.org/voc/${word}`);
  const [top, second, third] = path;
  if (path.length === 1 && top === 'bizStep') return cbv('BizStep');
  if (path.length === 1 && top === 'disposition') return cbv('Disp');
  if (top === 'persistentDisposition' && path.length === 2) return cbv('Disp');
  if (top === 'bizTransactionList' && second === 'type') return cbv('BTT');
  if ((top === 'sourceList' || top === 'destinationList') && second === 'type') return cbv('SDT');
  if (top === 'errorDeclaration' && second === 'reason') return cbv('ER');
  if (top === 'sensorElementList' && second === 'sensorReport') {
    if (third === 'type' || third === 'exception') return gs1;
    if (third === 'component') return cbv('Comp');
  }
  return undefined;
}

function scalarText(value: unknown, path: readonly string[], prefixes: PrefixMap): string {
  if (typeof value === 'number') return hashNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value !== 'string') return '';
  const expanded = vocabularyOf(path)?.(value) ?? value;
  return expandName(expanded, prefixes);
}

function singular(listName: string): string {
  const base = listName.slice(0, -4);
  if (base === 'inputEPC' || base === 'outputEPC') return 'epc';
  if (['quantity', 'childQuantity', 'inputQuantity', 'outputQuantity'].includes(base)) {
    return 'quantityElement';
  }
  return base;
}

function nodesOf(
  name: string,
  value: unknown,
  path: readonly string[],
  prefixes: PrefixMap,
): HashNode[] {
  if (Array.isArray(value)) return value.flatMap((v) => nodesOf(name, v, path, prefixes));
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const text = typeof record['#text'] === 'string' ? record['#text'] : '';
    return [{ name, value: text, children: childrenOf(record, path, prefixes) }];
  }
  return [{ name, value: scalarText(value, path, prefixes), children: [] }];
}

/** The children of an object, with XML's list structure: `epcList` holds `epc` elements. */
function childrenOf(
  record: Record<string, unknown>,
  path: readonly string[],
  prefixes: PrefixMap,
): HashNode[] {
  const out: HashNode[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (NOT_HASHED_ANYWHERE.has(key) || key.startsWith('@xmlns')) continue;
    const name = clarkName(key, prefixes);
    const nodes = nodesOf(name, value, [...path, key], prefixes);
    if (nodes.length === 0) continue;
    if (name.endsWith('List')) {
      const typed = TYPED_LISTS[name];
      // A typed element (bizTransaction, source, destination) is written as its pair of
      // fields only, type first; other elements keep their singular name (epc, ...).
      const elements = nodes.map((n) =>
        typed
          ? { name: '', value: '', children: typeFirst(n.children) }
          : { name: singular(name), value: n.value, children: n.children },
      );
      out.push({ name, value: '', children: elements });
    } else if (name === 'childEPCs') {
      out.push({ name, value: '', children: nodes.map((n) => ({ ...n, name: 'epc' })) });
    } else {
      out.push(...nodes);
    }
  }
  return out;
}

function typeFirst(children: HashNode[]): HashNode[] {
  return [
    ...children.filter((c) => c.name === 'type'),
    ...children.filter((c) => c.name !== 'type'),
  ];
}

// ---- the pre-hash string ----------------------------------------------------------------

const isTimeName = (name: string) => {
  const lower = name.toLowerCase();
  return lower.includes('time') && !lower.includes('offset');
};

/** A field outside the property order: name, `=value`, then its children sorted. */
function genericText(node: HashNode): string {
  const text = node.value.trim();
  return node.name + (text ? `=${canonicalHashValue(text)}` : '') + genericChildren(node.children);
}

function genericChildren(children: readonly HashNode[]): string {
  const parts = children.map(genericText);
  // Within a typed list element the order is fixed (type, then identifier).
  const fixed = children.some((c) => Object.values(TYPED_LISTS).includes(c.name));
  if (parts.length > 1 && !fixed) parts.sort(compareCodeUnits);
  return parts.join('');
}

/** Case-sensitive lexical order of UTF-16 code units (ASCII order for EPCIS text). */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An ordered field: `name=value` then its own ordered children; empty when it holds nothing. */
function orderedText(node: HashNode, sub: Order | undefined): string {
  const grandchildren = sub ? orderedChildren(node.children, sub) : '';
  let text = node.value.trim();
  if (text) text = `=${isTimeName(node.name) ? hashTimestamp(text) : canonicalHashValue(text)}`;
  return text || grandchildren ? node.name + text + grandchildren : '';
}

/**
 * Children in `order`, each group sorted; consumed children are removed from `children`
 * (a child keeps its place when something inside it was not consumed, and is then written
 * again with the remaining fields, as the reference does). Extensions inside a standard
 * field (readPoint, sensorElement, ...) follow that field's own children.
 */
function orderedChildren(children: HashNode[], order: Order): string {
  const extensions = nestedExtensions(children);
  let out = '';
  for (const [name, sub] of order) {
    const parts: string[] = [];
    for (const child of children.filter((c) => c.name === name)) {
      const text = orderedText(child, sub);
      if (text) parts.push(text);
      if (child.children.length === 0) children.splice(children.indexOf(child), 1);
    }
    out += parts.sort(compareCodeUnits).join('');
  }
  return extensions.length > 0 ? out + genericChildren(extensions) : out;
}

function nestedExtensions(children: HashNode[]): HashNode[] {
  if (children.length <= 1) return [];
  if (children.some((c) => c.name.includes('eventTime') || c.name.includes('action'))) return [];
  const extensions = children.filter((c) => c.name.includes('{') && c.name.includes('/}'));
  for (const ext of extensions) children.splice(children.indexOf(ext), 1);
  return extensions;
}

/** The pre-hash string of one EPCIS event (JSON-LD object). */
export function eventPrehash(
  event: Readonly<Record<string, unknown>>,
  options: EventHashOptions,
): string {
  const { prefixes } = options;
  const ignored = new Set(options.ignoreFields ?? []);
  const namespaces = options.ignoreNamespaces ?? [];
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (ignored.has(key)) continue;
    const iri = expandName(key, prefixes);
    if (iri !== key && namespaces.some((ns) => iri.startsWith(ns))) continue;
    kept[key] = value;
  }
  const children = childrenOf(kept, [], prefixes);
  const type = typeof event.type === 'string' ? event.type : '';
  const ordered = orderedChildren(children, PROPERTY_ORDER);
  const rest = children.filter((c) => !NOT_HASHED_AT_EVENT.has(c.name));
  return `eventType=${type}${ordered}${genericChildren(rest)}`;
}

/** `ni:///sha-256;<hex>?ver=CBV2.0` of a pre-hash string. */
export function hashOfPrehash(prehash: string): string {
  return `ni:///sha-256;${bytesToHex(sha256(utf8ToBytes(prehash)))}?ver=CBV2.0`;
}

/** The CBV 2.0 Event Hash ID of one EPCIS event. */
export function eventHash(
  event: Readonly<Record<string, unknown>>,
  options: EventHashOptions,
): string {
  return hashOfPrehash(eventPrehash(event, options));
}
