// Compact IRIs of JSON-LD 1.1 (W3C JSON-LD 1.1 section 4.1.5): an extension field such as
// `custos:signature` or `cbvmda:lotNumber` means prefix IRI + suffix, with the prefixes a
// document declares in its @context (and an event in its own). Only what EPCIS documents
// need: string term definitions are prefixes; remote contexts are never fetched, the EPCIS
// context is known by name.
import { EPCIS_CONTEXTS, STANDARD_PREFIXES } from './vocabulary';

export type PrefixMap = ReadonlyMap<string, string>;

export interface ContextNames {
  readonly prefixes: PrefixMap;
  /** Whether the context names one of the EPCIS 2.0 contexts. */
  readonly epcis: boolean;
}

/**
 * The prefixes of a @context value (a URI, an object, or an array of both), on top of
 * `outer` (the document's, for an event's own @context).
 */
export function contextNames(context: unknown, outer?: ContextNames): ContextNames {
  const prefixes = new Map<string, string>(outer?.prefixes ?? []);
  let epcis = outer?.epcis ?? false;
  const entries = Array.isArray(context) ? (context as unknown[]) : [context];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      if (EPCIS_CONTEXTS.includes(entry)) {
        epcis = true;
        for (const [prefix, iri] of Object.entries(STANDARD_PREFIXES)) prefixes.set(prefix, iri);
      }
    } else if (typeof entry === 'object' && entry !== null) {
      for (const [term, definition] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof definition === 'string' && !term.startsWith('@')) prefixes.set(term, definition);
      }
    }
  }
  return { prefixes, epcis };
}

/** `prefix:suffix` with a declared prefix → IRI + suffix; anything else is returned as is. */
export function expandName(name: string, prefixes: PrefixMap): string {
  const colon = name.indexOf(':');
  if (colon <= 0) return name;
  const iri = prefixes.get(name.slice(0, colon));
  return iri === undefined ? name : iri + name.slice(colon + 1);
}

/** The `{namespace}local` form the CBV 2.0 event hash writes for an extension name. */
export function clarkName(name: string, prefixes: PrefixMap): string {
  const colon = name.indexOf(':');
  if (colon <= 0) return name;
  const iri = prefixes.get(name.slice(0, colon));
  return iri === undefined ? name : `{${iri}}${name.slice(colon + 1)}`;
}
