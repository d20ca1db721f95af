// Identifier normalisation of the EPCIS Event Hash ID algorithm, CBV 2.0 section 8.9.3:
// every EPC URN, EPC class or pattern URN and GS1 Digital Link URI is rewritten to the
// canonical Digital Link on https://id.gs1.org with the primary key and at most one
// qualifier kept: serial (21) over lot (10) for GTIN and ITIP, (235), (254), (8011), (8019);
// (22) and all query attributes dropped. Anything else is left alone (null). Like the
// reference normaliser, it checks the shape of keys but not their check digits, and it
// leaves the characters ' ; = of an EPC URN unescaped (the hash vectors write them so).
import type { AiElement } from './ai';
import { CANONICAL_STEM, endsInAiPair, parseDigitalLink } from './digital-link';
import { parseEpcUrn } from './epc';
import { Gs1Error, assertString } from './errors';
import { percentEncode } from './percent';

const KEPT_QUALIFIERS = ['21', '10', '235', '254', '8011', '8019'];

// The reference copies an EPC URN component as written, escaping only ! ( ) * + , : ; the
// TDS lets ' ; = stand unescaped in a URN, so they stay unescaped here as well.
const fromUrn = (value: string) =>
  percentEncode(value).replace(/%27|%3B|%3D/g, (e) =>
    String.fromCharCode(parseInt(e.slice(1), 16)),
  );

function canonical(elements: readonly AiElement[], encode = percentEncode): string {
  const [key, ...rest] = elements;
  if (!key) throw new Gs1Error('NO_PRIMARY_KEY', 'no key', { field: 'uri' });
  const qualifier = KEPT_QUALIFIERS.map((ai) => rest.find((el) => el.ai === ai)).find(
    (el) => el !== undefined,
  );
  const path = `${CANONICAL_STEM}/${key.ai}/${encode(key.value)}`;
  return qualifier ? `${path}/${qualifier.ai}/${encode(qualifier.value)}` : path;
}

/** Digital Links as the event hash reads them: leniently, for their key and qualifiers. */
const HASH_DL_OPTIONS = {
  permitZeroSuppressedGtin: true,
  permitConvenienceAlphas: true,
  permitQualifiersInQuery: true,
  permitUnknownAIs: true,
  validateAssociations: false,
  skipCheckDigits: true,
} as const;

/** The canonical Digital Link of an EPCIS identifier, or null when it is not a GS1 one. */
export function normaliseEpcisIdentifier(input: string): string | null {
  try {
    assertString(input, 'identifier');
    if (/^urn:epc:/i.test(input)) return canonical(parseEpcUrn(input).elements, fromUrn);
    if (/^https?:\/\//i.test(input)) {
      // Most web URIs in an event are vocabulary, not Digital Links: answered without a throw.
      if (!endsInAiPair(input, HASH_DL_OPTIONS)) return null;
      const { elements, pathCount } = parseDigitalLink(input, HASH_DL_OPTIONS);
      // Only the path (key and qualifiers) counts: drop what came from the query.
      return canonical(elements.slice(0, pathCount));
    }
    return null;
  } catch (err) {
    if (err instanceof Gs1Error) return null;
    throw err;
  }
}
