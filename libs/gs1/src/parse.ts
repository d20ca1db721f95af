// One entry point for every identifier form of SPEC section 2: GS1 Digital Link URI on any
// host, bracketed element string, raw scanner output (with or without an AIM symbology
// identifier, GS as FNC1), and EPC URN. Whatever the form, the result is the same
// structured Gs1Identifier, and anything else is a Gs1Error.
import type { AiElement } from './ai';
import type { DigitalLinkParseOptions } from './digital-link';
import { parseDigitalLink } from './digital-link';
import { GS, parseBracketed, parseElementString } from './element-string';
import { parseEpcUrn } from './epc';
import { Gs1Error, assertString } from './errors';
import type { Gs1Identifier } from './identifier';
import { identifierFromElements } from './identifier';
import { decodeScanData } from './scan-data';

export type IdentifierForm = 'digital-link' | 'element-string' | 'scan' | 'epc-urn';

/**
 * How lenient the Digital Link reading is for identifiers coming into the API: GTIN-8/12/13
 * padded, legacy `/gtin/` aliases and key qualifiers in the query (SPEC's own example
 * `…/21/ABC123?10=L1`) are accepted.
 */
export const IDENTIFIER_DL_OPTIONS: DigitalLinkParseOptions = {
  permitZeroSuppressedGtin: true,
  permitConvenienceAlphas: true,
  permitQualifiersInQuery: true,
};

/** Which form `input` is written in, judged from its first characters only. */
export function detectForm(input: string): IdentifierForm | undefined {
  if (input.startsWith(']') || input.startsWith(GS) || /^\d/.test(input)) return 'scan';
  if (input.startsWith('(')) return 'element-string';
  if (/^urn:epc:/i.test(input)) return 'epc-urn';
  if (/^https?:\/\//i.test(input)) return 'digital-link';
  return undefined;
}

function scanElements(input: string): AiElement[] {
  if (input.startsWith(']')) {
    const scan = decodeScanData(input, IDENTIFIER_DL_OPTIONS);
    switch (scan.kind) {
      case 'gs1':
      case 'digital-link':
        return scan.elements;
      case 'ean':
        return [{ ai: '01', value: scan.digits.padStart(14, '0') }, ...scan.composite];
      case 'text':
        throw new Gs1Error('UNRECOGNISED_FORM', 'the barcode holds plain text, not GS1 data', {
          field: 'scan',
        });
    }
  }
  // No symbology identifier: element-string data, optionally led by FNC1 as GS.
  return parseElementString(input.startsWith(GS) ? input.slice(1) : input);
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** Strips spaces, tabs, CR and LF at both ends (not GS, which is data). Linear time. */
function trimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/** Parses any supported form into the structured value. Throws only Gs1Error. */
export function parseIdentifier(input: string): Gs1Identifier {
  assertString(input, 'identifier');
  // Scanners often end with CR/LF; people paste with spaces around.
  const text = trimSpace(input);
  if (text.length === 0) throw new Gs1Error('EMPTY', 'is empty', { field: 'identifier' });
  const form = detectForm(text);
  switch (form) {
    case 'scan':
      return identifierFromElements(scanElements(text));
    case 'element-string':
      return identifierFromElements(parseBracketed(text));
    case 'epc-urn': {
      const epc = parseEpcUrn(text);
      return identifierFromElements(epc.elements, epc.companyPrefixLength);
    }
    case 'digital-link':
      if (!/^(https?|HTTPS?):\/\//.test(text)) break;
      return identifierFromElements(parseDigitalLink(text, IDENTIFIER_DL_OPTIONS).elements);
    case undefined:
      break;
  }
  throw new Gs1Error(
    'UNRECOGNISED_FORM',
    'is not a GS1 Digital Link URI, element string, barcode scan or EPC URN',
    { field: 'identifier' },
  );
}
