// EPCIS 2.0 XML documents (GS1 EPCIS 2.0 XSD, namespace urn:epcglobal:epcis:xsd:2) read
// into the JSON-LD form the rest of libs/epcis reads, following the standard's XML ↔ JSON
// correspondence (EPCIS 2.0 section 12): list wrappers (`epcList/epc`, `bizTransactionList/
// bizTransaction type="…"`, `quantityList/quantityElement`, …) become arrays, a `type`
// attribute becomes a `type` field, namespaced elements become extension fields named
// `prefix:local` with the document's xmlns declarations as the @context's prefixes. Nothing
// is dropped: an element the mapping does not know comes through under its own name, so the
// mapping (from-epcis.ts) refuses it by name, exactly as for a JSON document.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CUSTOS_NAMESPACE, EPCIS_CONTEXT, EPCIS_EVENT_TYPES } from './vocabulary';
import type { JsonObject } from './to-epcis';

export const EPCIS_XML_NAMESPACE = 'urn:epcglobal:epcis:xsd:2';

/** List wrappers of the standard vocabulary, and the name of their repeated child. */
const LISTS: Readonly<Record<string, string>> = {
  epcList: 'epc',
  childEPCs: 'epc',
  inputEPCList: 'epc',
  outputEPCList: 'epc',
  quantityList: 'quantityElement',
  childQuantityList: 'quantityElement',
  inputQuantityList: 'quantityElement',
  outputQuantityList: 'quantityElement',
  bizTransactionList: 'bizTransaction',
  sourceList: 'source',
  destinationList: 'destination',
  sensorElementList: 'sensorElement',
  correctiveEventIDs: 'correctiveEventID',
};

/** Elements whose text is a `type`-attributed value: `<source type="…">urn…</source>`. */
const TYPED = new Set(['bizTransaction', 'source', 'destination']);

/** Attributes of sensor elements that are numbers in JSON. */
const NUMERIC = new Set([
  'value',
  'minValue',
  'maxValue',
  'meanValue',
  'sDev',
  'percRank',
  'percValue',
  'quantity',
]);

/** Extension fields of Custos's own namespace that are lists whatever their count. */
const CUSTOS_LISTS = new Set(['items']);

/**
 * CBV 2.0 URNs that JSON-LD writes as bare words (the EPCIS context's vocabulary terms):
 * the field, and the URN prefix it drops.
 */
const CBV_WORDS: Readonly<Record<string, readonly string[]>> = {
  bizStep: ['urn:epcglobal:cbv:bizstep:', 'cbv:BizStep-', 'https://ref.gs1.org/cbv/BizStep-'],
  disposition: ['urn:epcglobal:cbv:disp:', 'cbv:Disp-', 'https://ref.gs1.org/cbv/Disp-'],
  set: ['urn:epcglobal:cbv:disp:', 'cbv:Disp-', 'https://ref.gs1.org/cbv/Disp-'],
  unset: ['urn:epcglobal:cbv:disp:', 'cbv:Disp-', 'https://ref.gs1.org/cbv/Disp-'],
  bizTransaction: ['urn:epcglobal:cbv:btt:', 'cbv:BTT-', 'https://ref.gs1.org/cbv/BTT-'],
  source: ['urn:epcglobal:cbv:sdt:', 'cbv:SDT-', 'https://ref.gs1.org/cbv/SDT-'],
  destination: ['urn:epcglobal:cbv:sdt:', 'cbv:SDT-', 'https://ref.gs1.org/cbv/SDT-'],
  reason: ['urn:epcglobal:cbv:er:', 'cbv:ER-', 'https://ref.gs1.org/cbv/ER-'],
};

/** A CBV value as JSON-LD writes it: the URN (CBV 1.2) or CURIE (CBV 2.0) made a bare word. */
function word(field: string, value: string): string {
  const prefix = CBV_WORDS[field]?.find((p) => value.startsWith(p));
  return prefix === undefined ? value : value.slice(prefix.length);
}

type Node = Record<string, unknown>;

export class EpcisXmlError extends Error {}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  textNodeName: '#text',
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  processEntities: true,
  htmlEntities: false,
});

/**
 * The EPCISDocument of an EPCIS 2.0 XML document, as JSON-LD; throws EpcisXmlError naming
 * what is wrong when the text is not well-formed XML or not an EPCIS 2.0 document.
 */
export function epcisXmlDocument(xml: string): JsonObject {
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw new EpcisXmlError(
      `the body is not well-formed XML: line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`,
    );
  const top = parser.parse(xml) as Node;
  const rootName = Object.keys(top).find((k) => !k.startsWith('?'));
  const root = rootName ? first(top[rootName]) : undefined;
  if (!rootName || !isNode(root) || localName(rootName) !== 'EPCISDocument')
    throw new EpcisXmlError(
      `the XML document is no EPCISDocument (its root is ${rootName ?? 'none'})`,
    );
  const namespaces = declarations(root);
  const rootPrefix = prefixOf(rootName);
  if (namespaces.get(rootPrefix) !== EPCIS_XML_NAMESPACE)
    throw new EpcisXmlError(
      `the EPCISDocument is not in the EPCIS 2.0 namespace ${EPCIS_XML_NAMESPACE} (found ${namespaces.get(rootPrefix) ?? 'none'})`,
    );
  const body = first(standardNames(root, namespaces).EPCISBody);
  const list = isNode(body) ? first(body.EventList) : undefined;
  const eventList: JsonObject[] = [];
  if (isNode(list)) {
    for (const [name, values] of Object.entries(list)) {
      for (const value of asArray(values)) {
        // EPCIS 1.x wrapped newer event types in <extension>; 2.0 lists them directly.
        if (name === 'extension' && isNode(value)) {
          for (const [inner, innerValues] of Object.entries(value))
            for (const v of asArray(innerValues)) eventList.push(event(inner, v, namespaces));
        } else if (!name.startsWith('@')) eventList.push(event(name, value, namespaces));
      }
    }
  }
  const context: Record<string, string> = {};
  for (const [prefix, iri] of namespaces) if (isExtension(prefix, iri)) context[prefix] = iri;
  const document: JsonObject = {
    '@context': Object.keys(context).length ? [EPCIS_CONTEXT, context] : EPCIS_CONTEXT,
    type: 'EPCISDocument',
  };
  for (const attribute of ['schemaVersion', 'creationDate'])
    if (typeof root[`@${attribute}`] === 'string') document[attribute] = root[`@${attribute}`];
  document.epcisBody = { eventList };
  return document;
}

function event(name: string, value: unknown, outer: ReadonlyMap<string, string>): JsonObject {
  if (!EPCIS_EVENT_TYPES.has(name) || !isNode(value))
    throw new EpcisXmlError(
      `EventList holds <${name}>: an EPCIS 2.0 event list holds ${[...EPCIS_EVENT_TYPES].join(', ')}`,
    );
  const namespaces = new Map([...outer, ...declarations(value)]);
  const out: JsonObject = { type: name };
  const own: Record<string, string> = {};
  for (const [prefix, iri] of declarations(value))
    if (isExtension(prefix, iri) && outer.get(prefix) !== iri) own[prefix] = iri;
  if (Object.keys(own).length) out['@context'] = [own];
  for (const [key, values] of Object.entries(value)) {
    if (key.startsWith('@')) continue;
    if (key === 'extension') {
      // EPCIS 1.x's <extension> wrapper: its children are the event's own fields.
      for (const wrapped of asArray(values))
        if (isNode(wrapped))
          for (const [inner, innerValues] of Object.entries(wrapped))
            if (!inner.startsWith('@')) out[inner] = field(inner, innerValues, namespaces);
      continue;
    }
    out[key] = field(key, values, namespaces);
  }
  return out;
}

/** One field of an event (values: every element of that name, in order). */
function field(name: string, values: unknown, namespaces: ReadonlyMap<string, string>): unknown {
  const all = asArray(values);
  const child = LISTS[name];
  if (child !== undefined) {
    return all.flatMap((list) =>
      isNode(list) ? asArray(list[child]).map((item) => listItem(child, item, namespaces)) : [],
    );
  }
  if (all.length > 1) return all.map((v) => element(name, v, namespaces));
  return element(name, all[0], namespaces);
}

function listItem(name: string, value: unknown, namespaces: ReadonlyMap<string, string>): unknown {
  if (TYPED.has(name)) {
    const typed: JsonObject = {};
    if (isNode(value) && typeof value['@type'] === 'string')
      typed.type = word(name, value['@type']);
    typed[name] = text(value);
    return typed;
  }
  if (name === 'quantityElement' && isNode(value)) {
    const quantity = structure(value, namespaces);
    if (typeof quantity.quantity === 'string') quantity.quantity = Number(quantity.quantity);
    return quantity;
  }
  if (name === 'sensorElement' && isNode(value)) return sensorElement(value, namespaces);
  return element(name, value, namespaces);
}

function sensorElement(value: Node, namespaces: ReadonlyMap<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const [key, values] of Object.entries(value)) {
    if (key.startsWith('@')) continue;
    if (key === 'sensorMetadata') out[key] = attributes(first(values));
    else if (key === 'sensorReport') out[key] = asArray(values).map(attributes);
    else out[key] = field(key, values, namespaces);
  }
  return out;
}

function attributes(value: unknown): JsonObject {
  const out: JsonObject = {};
  if (!isNode(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    if (!key.startsWith('@') || key.startsWith('@xmlns')) continue;
    const name = key.slice(1);
    if (NUMERIC.has(name) && typeof v === 'string') out[name] = Number(v);
    else if (name === 'booleanValue' && (v === 'true' || v === 'false')) out[name] = v === 'true';
    // Sensor measurement types: gs1:Temperature in XML, the context's term in JSON-LD.
    else if (name === 'type' && typeof v === 'string' && v.startsWith('gs1:'))
      out[name] = v.slice(4);
    else out[name] = v;
  }
  return out;
}

/** A single element: text → string; children → an object of its fields. */
function element(name: string, value: unknown, namespaces: ReadonlyMap<string, string>): unknown {
  const children = isNode(value)
    ? Object.keys(value).filter((k) => !k.startsWith('@') && k !== '#text')
    : [];
  const attributes = isNode(value) ? extensionAttributes(value) : {};
  if (Object.keys(attributes).length > 0) {
    // <example:field example:furtherData="abcd"/> is {"example:field": {"example:furtherData": "abcd"}}
    const out: JsonObject = { ...attributes, ...structure(value as Node, namespaces) };
    const body = text(value);
    if (body !== '') out['#text'] = body;
    return out;
  }
  if (!isNode(value) || children.length === 0) return word(name, text(value));
  const out = structure(value, namespaces);
  if (namespaces.get(prefixOf(name)) === CUSTOS_NAMESPACE)
    for (const list of CUSTOS_LISTS) if (list in out) out[list] = asArray(out[list]);
  return out;
}

function structure(value: Node, namespaces: ReadonlyMap<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const [key, values] of Object.entries(value)) {
    if (key.startsWith('@') || key === '#text') continue;
    if (key === 'set' || key === 'unset') out[key] = asArray(values).map((v) => word(key, text(v)));
    else out[key] = field(key, values, namespaces);
  }
  return out;
}

/** An element's attributes other than namespace declarations and XML Schema's. */
function extensionAttributes(value: Node): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value))
    if (key.startsWith('@') && !key.startsWith('@xmlns') && !key.startsWith('@xsi:'))
      out[key.slice(1)] = v;
  return out;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isNode(value) && typeof value['#text'] === 'string') return value['#text'];
  return '';
}

/**
 * The node with the EPCIS namespace's own elements under their local names
 * (`<epcis:ObjectEvent>` is `<ObjectEvent>`), each in its scope of declarations.
 */
function standardNames(node: Node, outer: ReadonlyMap<string, string>): Node {
  const namespaces = new Map([...outer, ...declarations(node)]);
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) {
    const name =
      !key.startsWith('@') && namespaces.get(prefixOf(key)) === EPCIS_XML_NAMESPACE
        ? localName(key)
        : key;
    const renamed: unknown = Array.isArray(value)
      ? (value as unknown[]).map((v) => (isNode(v) ? standardNames(v, namespaces) : v))
      : value;
    out[name] = name in out ? [...asArray(out[name]), ...asArray(renamed)] : renamed;
  }
  return out;
}

function declarations(node: Node): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(node)) {
    if (typeof value !== 'string') continue;
    if (key === '@xmlns') out.set('', value);
    else if (key.startsWith('@xmlns:')) out.set(key.slice('@xmlns:'.length), value);
  }
  return out;
}

/** Namespaces that name extension fields (not EPCIS's own, XML Schema's or the SBDH's). */
function isExtension(prefix: string, iri: string): boolean {
  return (
    prefix !== '' &&
    !iri.startsWith('urn:epcglobal:epcis') &&
    iri !== 'http://www.w3.org/2001/XMLSchema-instance' &&
    iri !== 'http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader'
  );
}

const prefixOf = (name: string) => (name.includes(':') ? name.slice(0, name.indexOf(':')) : '');
const localName = (name: string) => name.slice(name.indexOf(':') + 1);
const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];
const first = (value: unknown): unknown => asArray(value)[0];
