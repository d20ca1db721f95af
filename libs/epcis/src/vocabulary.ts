// Names of the EPCIS 2.0 JSON-LD binding (GS1 EPCIS 2.0 section 12 and the ratified context
// https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld), the CBV 2.0 vocabularies
// (CBV 2.0 sections 7 and 8: web URIs https://ref.gs1.org/cbv/<Vocabulary>-<word>, bare
// words in JSON, urn:epcglobal:cbv:<vocabulary>:<word> in CBV 1.2), and the Custos extension
// namespace of SPEC section 10.
import { CBV_TERMS } from './generated/cbv-terms';

/** The ratified EPCIS 2.0 context, which Custos writes into every document it serves. */
export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/**
 * Contexts a document may name for the EPCIS vocabulary: the ratified one, its unversioned
 * alias and the draft URL the GS1 OpenAPI examples still use. Contexts are never fetched.
 */
export const EPCIS_CONTEXTS: readonly string[] = [
  EPCIS_CONTEXT,
  'https://ref.gs1.org/standards/epcis/epcis-context.jsonld',
  'https://gs1.github.io/EPCIS/epcis-context.jsonld',
];

/** SPEC section 10: the namespace of Custos' extension fields, written with prefix `custos`. */
/** The EPCIS 2.0 event types (ObjectEvent … AssociationEvent). */
export const EPCIS_EVENT_TYPES: ReadonlySet<string> = new Set([
  'ObjectEvent',
  'AggregationEvent',
  'TransactionEvent',
  'TransformationEvent',
  'AssociationEvent',
]);

export const CUSTOS_NAMESPACE = 'urn:custos:epcis:1:';
export const CUSTOS_PREFIX = 'custos';
/** CBV 2.0 section 8.8: master data attributes (ILMD lot number, expiry). */
export const CBVMDA_NAMESPACE = 'urn:epcglobal:cbv:mda:';

/** Prefixes the EPCIS context defines, as JSON-LD resolves them for compact names. */
export const STANDARD_PREFIXES: Readonly<Record<string, string>> = {
  epcis: 'https://ref.gs1.org/epcis/',
  cbv: 'https://ref.gs1.org/cbv/',
  cbvmda: CBVMDA_NAMESPACE,
  gs1: 'https://gs1.org/voc/',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcterms: 'http://purl.org/dc/terms/',
};

export type CbvVocabulary = keyof typeof CBV_TERMS;

const CBV_WEB = 'https://ref.gs1.org/cbv/';
const words: Readonly<Record<string, ReadonlySet<string>>> = Object.fromEntries(
  Object.entries(CBV_TERMS).map(([vocabulary, list]) => [vocabulary, new Set<string>(list)]),
);

/** True when `word` is a CBV 2.0 term of `vocabulary` (e.g. `shipping` of BizStep). */
export function isCbvTerm(vocabulary: CbvVocabulary, word: string): boolean {
  return words[vocabulary]!.has(word);
}

/** `https://ref.gs1.org/cbv/BizStep-shipping` for (BizStep, shipping). */
export function cbvWebUri(vocabulary: CbvVocabulary, word: string): string {
  return `${CBV_WEB}${vocabulary}-${word}`;
}

/**
 * The bare word of a CBV value in any of its three forms (bare word, web URI, CBV 1.2 URN),
 * or undefined when `value` is not a standard term of `vocabulary`.
 */
export function cbvBareWord(vocabulary: CbvVocabulary, value: string): string | undefined {
  let word = value;
  const web = `${CBV_WEB}${vocabulary}-`;
  const urn = `urn:epcglobal:cbv:${vocabulary.toLowerCase()}:`;
  if (value.startsWith(web)) word = value.slice(web.length);
  else if (value.startsWith(urn)) word = value.slice(urn.length);
  else if (value.startsWith(`cbv:${vocabulary}-`)) word = value.slice(vocabulary.length + 5);
  return isCbvTerm(vocabulary, word) ? word : undefined;
}
