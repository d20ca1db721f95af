// GS1 Digital Link URIs, GS1 Digital Link standard: URI syntax 1.2 (sections 4 and 5):
// `http(s)://{any host}{optional stem}/{primary key AI}/{value}[/{qualifier AI}/{value}...]`
// then `?{AI}={value}&...` data attributes. Which AIs are primary keys, their ordered
// qualifier sequences and which AIs may be query attributes come from the Syntax
// Dictionary (`dlpkey`, `?` flag); the alias table below is the standard's own list of
// legacy "convenience alphas" (section 5.3 of version 1.1).
import type { AiElement } from './ai';
import { lookupAi, validateAiValue } from './ai';
import type { AiEntry } from './ai-entry';
import { validateAssociations } from './associations';
import { isDigit, isDigits } from './charset';
import { Gs1Error, assertString } from './errors';
import { percentDecode, percentEncode } from './percent';

export const CANONICAL_STEM = 'https://id.gs1.org';

/** Legacy path aliases of GS1 Digital Link 1.0/1.1 (e.g. `/gtin/` for `/01/`). */
export const CONVENIENCE_ALPHAS: Readonly<Record<string, string>> = {
  gtin: '01',
  itip: '8006',
  cpv: '22',
  lot: '10',
  ser: '21',
  sscc: '00',
  gln: '414',
  glnx: '254',
  party: '417',
  grai: '8003',
  giai: '8004',
  gsrn: '8018',
  gsrnp: '8017',
  srin: '8019',
  gdti: '253',
  gcn: '255',
  cpid: '8010',
  cpsn: '8011',
  gmn: '8013',
  ginc: '401',
  gsin: '402',
  upui: '235',
  refno: '8020',
};

export interface DigitalLinkParseOptions {
  /** Pad GTIN-8/12/13 given for (01) to GTIN-14. Default false (the reference default). */
  readonly permitZeroSuppressedGtin?: boolean;
  /** Accept `/gtin/`, `/ser/` ... in the path. Default false. */
  readonly permitConvenienceAlphas?: boolean;
  /** Accept AIs missing from the dictionary. Default false. */
  readonly permitUnknownAIs?: boolean;
  /** With permitUnknownAIs, also accept them as query attributes. Default false. */
  readonly permitUnknownAIsAsAttributes?: boolean;
  /**
   * Accept a key qualifier such as (10) as a query attribute (`/01/…/21/…?10=L1`), as
   * SPEC section 2 writes it. The standard wants it in the path. Default false.
   */
  readonly permitQualifiersInQuery?: boolean;
  /** Apply the req/ex rules between AIs. Default true. */
  readonly validateAssociations?: boolean;
  /** Leave mod-10 check digits unchecked (the EPCIS hash normaliser does). Default false. */
  readonly skipCheckDigits?: boolean;
}

const CHECK_DIGIT_LINTERS: ReadonlySet<string> = new Set(['csum']);

export interface ParsedDigitalLink {
  /** AIs in URI order: primary key, path qualifiers, then query attributes. */
  readonly elements: AiElement[];
  /** How many of `elements` came from the path (the key and its qualifiers). */
  readonly pathCount: number;
  /** Scheme, host and any path before the primary key, e.g. `https://example.com/stem`. */
  readonly stem: string;
}

const URI_CHARS = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%") {
  URI_CHARS[ch.charCodeAt(0)] = 1;
}

function notDl(message: string): Gs1Error {
  return new Gs1Error('NOT_A_DIGITAL_LINK', message, { field: 'uri' });
}

function checkHost(authority: string): void {
  let host = authority;
  let port = '';
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) throw notDl('unterminated IPv6 address');
    if (!/^\[[0-9A-Fa-f:.]+\]$/.test(host.slice(0, close + 1))) throw notDl('bad IPv6 address');
    port = host.slice(close + 1);
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) {
      port = host.slice(colon);
      host = host.slice(0, colon);
    }
    if (host.length === 0 || !/^[A-Za-z0-9.-]+$/.test(host)) throw notDl(`bad host "${host}"`);
  }
  if (port !== '' && !/^:\d{1,5}$/.test(port)) throw notDl('bad port');
}

function padGtin(value: string, options: DigitalLinkParseOptions): string {
  if (options.permitZeroSuppressedGtin && isDigits(value) && [8, 12, 13].includes(value.length)) {
    return value.padStart(14, '0');
  }
  return value;
}

/** Index-wise "is `sub` an ordered subsequence of `seq`". */
function isSubsequence(sub: readonly string[], seq: readonly string[]): boolean {
  let j = 0;
  for (const item of seq) if (j < sub.length && sub[j] === item) j++;
  return j === sub.length;
}

function pathAi(segment: string, options: DigitalLinkParseOptions): string | undefined {
  if (segment.length >= 2 && segment.length <= 4 && isDigits(segment)) return segment;
  if (options.permitConvenienceAlphas) return CONVENIENCE_ALPHAS[segment];
  return undefined;
}

/**
 * Whether `uri`'s path ends in an (AI, value) pair, as every Digital Link's path does: when it
 * does not, parseDigitalLink(uri, options) fails at its first step. A cheap test for callers
 * that meet many URIs which are not Digital Links (CBV vocabulary in EPCIS events), so they
 * need not build and throw a Gs1Error for each.
 */
export function endsInAiPair(uri: string, options: DigitalLinkParseOptions = {}): boolean {
  const end = uri.search(/[?#]/);
  // "https:", "", the host, then the path's segments: an AI and a value at least.
  const segments = (end < 0 ? uri : uri.slice(0, end)).split('/');
  return segments.length >= 5 && pathAi(segments[segments.length - 2]!, options) !== undefined;
}

export function parseDigitalLink(
  uri: string,
  options: DigitalLinkParseOptions = {},
): ParsedDigitalLink {
  assertString(uri, 'uri');
  const scheme = /^(https?|HTTPS?):\/\//.exec(uri)?.[0];
  if (!scheme) throw notDl('does not start with http:// or https://');
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c >= 128 || URI_CHARS[c] !== 1) {
      throw notDl(`character at position ${i + 1} is not allowed in a URI`);
    }
  }
  const hash = uri.indexOf('#');
  const body = hash >= 0 ? uri.slice(scheme.length, hash) : uri.slice(scheme.length);
  const slash = body.indexOf('/');
  const authorityEnd = slash < 0 ? body.length : slash;
  const question = body.indexOf('?');
  if (slash < 0 || (question >= 0 && question < slash)) throw notDl('has no path');
  const authority = body.slice(0, authorityEnd);
  checkHost(authority);
  const path = question >= 0 ? body.slice(slash, question) : body.slice(slash);
  const query = question >= 0 ? body.slice(question + 1) : '';
  if (path.endsWith('/')) throw notDl('path must not end in "/"');
  const segments = path.slice(1).split('/');

  // Walk back from the end in (AI, value) pairs until the primary key.
  const qualifiers: AiElement[] = [];
  let key: AiEntry | undefined;
  let keyValue = '';
  let i = segments.length;
  while (i >= 2) {
    const ai = pathAi(segments[i - 2]!, options);
    const raw = segments[i - 1]!;
    if (ai === undefined) break;
    if (raw === '') throw notDl(`empty value for AI (${ai})`);
    const entry = lookupAi(ai);
    if (!entry) throw new Gs1Error('UNKNOWN_AI', 'is not a GS1 Application Identifier', { ai });
    const value = percentDecode(raw, 'uri');
    i -= 2;
    if (entry.dlpkey) {
      key = entry;
      keyValue = ai === '01' ? padGtin(value, options) : value;
      break;
    }
    qualifiers.unshift({ ai, value });
  }
  if (!key)
    throw new Gs1Error('NO_PRIMARY_KEY', 'has no GS1 Digital Link primary key in its path', {
      field: 'uri',
    });
  const qualifierAis = qualifiers.map((q) => q.ai);
  const alternatives = (key.dlpkey ?? []).filter((seq) => isSubsequence(qualifierAis, seq));
  if (alternatives.length === 0) {
    throw new Gs1Error(
      'NOT_A_DIGITAL_LINK',
      `qualifiers ${qualifierAis.map((a) => `(${a})`).join('')} are not allowed after this key, or are out of order`,
      { ai: key.ai },
    );
  }
  const elements: AiElement[] = [{ ai: key.ai, value: keyValue }, ...qualifiers];

  for (const param of query.split('&')) {
    const eq = param.indexOf('=');
    if (param === '' || eq < 0) continue; // empty or singleton: not an AI
    const name = param.slice(0, eq);
    if (!(name.length > 0 && isDigit(name.charCodeAt(0)) && isDigits(name))) continue; // other parameters are ignored
    const entry = lookupAi(name);
    if (!entry) {
      if (
        !(options.permitUnknownAIs && options.permitUnknownAIsAsAttributes) ||
        name.length < 2 ||
        name.length > 4
      ) {
        throw new Gs1Error('UNKNOWN_AI', 'is not a GS1 Application Identifier allowed in a query', {
          ai: name,
        });
      }
    } else if (!entry.dlAttribute) {
      throw new Gs1Error('NOT_A_DL_ATTRIBUTE', 'is not allowed as a Digital Link query attribute', {
        ai: name,
      });
    } else if (!options.permitQualifiersInQuery && alternatives.some((seq) => seq.includes(name))) {
      throw new Gs1Error(
        'NOT_A_DL_ATTRIBUTE',
        `is a key qualifier of (${key.ai}) and belongs in the path`,
        { ai: name },
      );
    }
    const raw = param.slice(eq + 1);
    if (raw === '')
      throw new Gs1Error('TOO_SHORT', 'has an empty value in the query', { ai: name });
    const value = percentDecode(raw, 'uri', true);
    elements.push({ ai: name, value: name === '01' ? padGtin(value, options) : value });
  }

  const seen = new Set<string>();
  for (const { ai, value } of elements) {
    if (seen.has(ai))
      throw new Gs1Error('REPEATED_AI_DIFFERS', 'appears more than once in the URI', { ai });
    seen.add(ai);
    validateAiValue(
      ai,
      value,
      options.permitUnknownAIs ?? false,
      options.skipCheckDigits ? CHECK_DIGIT_LINTERS : undefined,
    );
  }
  if (options.validateAssociations ?? true) validateAssociations(elements);
  const stemPath = segments.slice(0, i).join('/');
  return {
    elements,
    pathCount: qualifiers.length + 1,
    stem: scheme + authority + (stemPath ? `/${stemPath}` : ''),
  };
}

export interface DigitalLinkRenderOptions {
  /** Default `https://id.gs1.org`; a trailing "/" is dropped. */
  readonly stem?: string;
  /** With unknown AIs in the data, allow them as query attributes. Default false. */
  readonly permitUnknownAIsAsAttributes?: boolean;
}

/**
 * Builds a Digital Link URI from AI data: the first primary key in the data, its
 * qualifiers from the first qualifier sequence any of them belongs to (in that
 * sequence's order), then the other AIs as query attributes — predefined-length AIs
 * first — each value percent-encoded.
 */
export function renderDigitalLink(
  elements: readonly AiElement[],
  options: DigitalLinkRenderOptions = {},
): string {
  const stem = (options.stem ?? CANONICAL_STEM).replace(/\/+$/, '');
  const unique: AiElement[] = [];
  for (const el of elements) {
    const before = unique.find((u) => u.ai === el.ai);
    if (!before) unique.push(el);
    else if (before.value !== el.value) {
      throw new Gs1Error('REPEATED_AI_DIFFERS', 'appears twice with different values', {
        ai: el.ai,
      });
    }
  }
  const key = unique.find((el) => lookupAi(el.ai)?.dlpkey !== undefined);
  if (!key)
    throw new Gs1Error('NO_PRIMARY_KEY', 'the data holds no GS1 Digital Link primary key', {
      field: 'elements',
    });
  const sequences = lookupAi(key.ai)!.dlpkey!;
  const present = (ai: string) => unique.some((el) => el.ai === ai);
  const chosen = sequences.find((seq) => seq.some(present)) ?? [];
  let uri = `${stem}/${key.ai}/${percentEncode(key.value)}`;
  for (const ai of chosen) {
    const el = unique.find((u) => u.ai === ai);
    if (el) uri += `/${ai}/${percentEncode(el.value)}`;
  }
  const rest = unique.filter((el) => el !== key && !chosen.includes(el.ai));
  for (const el of rest) {
    const entry = lookupAi(el.ai);
    const allowed = entry ? entry.dlAttribute : options.permitUnknownAIsAsAttributes === true;
    if (!allowed)
      throw new Gs1Error('NOT_A_DL_ATTRIBUTE', 'cannot be a Digital Link query attribute', {
        ai: el.ai,
      });
  }
  const fixed = rest.filter((el) => lookupAi(el.ai)?.predefinedLength === true);
  const variable = rest.filter((el) => lookupAi(el.ai)?.predefinedLength !== true);
  const params = [...fixed, ...variable].map((el) => `${el.ai}=${percentEncode(el.value)}`);
  return params.length ? `${uri}?${params.join('&')}` : uri;
}
