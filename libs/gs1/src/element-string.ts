// GS1 element strings, GS1 General Specifications section 7.8: the concatenated form a
// barcode carries (FNC1 in first position, then AI + value pairs; a value that is not of
// predefined length is ended by FNC1, transmitted by scanners as GS, 0x1D) and the
// human-readable bracketed form `(01)09506000134352(21)ABC123` of section 4.15.
import type { AiElement } from './ai';
import { lookupAi, matchAi, predefinedLength, validateAiValue, isValidAiSyntax } from './ai';
import { validateAssociations } from './associations';
import { Gs1Error, assertString } from './errors';

/** ASCII group separator: FNC1 as a separator in scanner output. */
export const GS = '\u001d';

export interface ElementParseOptions {
  /** Accept AIs missing from the syntax dictionary (bracketed input only). Default false. */
  readonly permitUnknownAIs?: boolean;
  /** Apply the req/ex/repeat rules between AIs. Default true. */
  readonly validateAssociations?: boolean;
}

function finish(elements: AiElement[], options: ElementParseOptions): AiElement[] {
  if (elements.length === 0) throw new Gs1Error('EMPTY', 'holds no AI', { field: 'elementString' });
  if (options.validateAssociations ?? true) validateAssociations(elements);
  return elements;
}

/**
 * Parses unbracketed element-string data that follows FNC1 in first position (the
 * symbology identifier or leading FNC1 already removed); GS separates fields.
 */
export function parseElementString(data: string, options: ElementParseOptions = {}): AiElement[] {
  assertString(data, 'elementString');
  const elements: AiElement[] = [];
  let pos = 0;
  while (pos < data.length) {
    const entry = matchAi(data, pos);
    if (!entry) {
      const shown = data.slice(pos, pos + 4).replace(/[^\x21-\x7e]/g, '?');
      throw new Gs1Error(
        'UNKNOWN_AI',
        `no GS1 Application Identifier starts "${shown}" at position ${pos + 1}`,
        {
          field: 'elementString',
        },
      );
    }
    pos += entry.ai.length;
    let end: number;
    if (entry.predefinedLength) {
      end = Math.min(pos + predefinedLength(entry), data.length);
      const gs = data.indexOf(GS, pos);
      if (gs >= 0 && gs < end) end = gs; // a GS inside a fixed field: too short, reported below
    } else {
      const gs = data.indexOf(GS, pos);
      end = gs < 0 ? data.length : gs;
    }
    const value = data.slice(pos, end);
    if (value.length === 0) throw new Gs1Error('TOO_SHORT', 'has no value', { ai: entry.ai });
    validateAiValue(entry.ai, value);
    elements.push({ ai: entry.ai, value });
    pos = end;
    if (data[pos] === GS) pos++; // ends a variable field, or a superfluous one after a fixed field
  }
  return finish(elements, options);
}

/** Parses the bracketed form; `\(` stands for a literal "(" inside a value. */
export function parseBracketed(text: string, options: ElementParseOptions = {}): AiElement[] {
  assertString(text, 'elementString');
  const elements: AiElement[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (text[pos] !== '(') {
      throw new Gs1Error('SYNTAX', `expected "(" starting an AI at position ${pos + 1}`, {
        field: 'elementString',
      });
    }
    const close = text.indexOf(')', pos + 1);
    const ai = close < 0 ? '' : text.slice(pos + 1, close);
    if (close < 0 || !isValidAiSyntax(ai)) {
      throw new Gs1Error(
        'SYNTAX',
        `expected a 2- to 4-digit AI in brackets at position ${pos + 1}`,
        {
          field: 'elementString',
        },
      );
    }
    pos = close + 1;
    let value = '';
    while (pos < text.length && text[pos] !== '(') {
      if (text[pos] === '\\' && text[pos + 1] === '(') {
        value += '(';
        pos += 2;
      } else {
        value += text[pos];
        pos++;
      }
    }
    if (value.length === 0) throw new Gs1Error('TOO_SHORT', 'has no value', { ai });
    validateAiValue(ai, value, options.permitUnknownAIs ?? false);
    elements.push({ ai, value });
  }
  return finish(elements, options);
}

/** Unbracketed data (no leading FNC1): GS after each variable-length value but the last. */
export function renderElementString(elements: readonly AiElement[], separator = GS): string {
  let out = '';
  elements.forEach(({ ai, value }, i) => {
    out += ai + value;
    const fixed = lookupAi(ai)?.predefinedLength ?? false;
    if (!fixed && i < elements.length - 1) out += separator;
  });
  return out;
}

export function renderBracketed(elements: readonly AiElement[]): string {
  return elements.map(({ ai, value }) => `(${ai})${value.replace(/\(/g, '\\(')}`).join('');
}
