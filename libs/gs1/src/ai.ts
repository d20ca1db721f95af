// Application Identifier lookup and value validation, GS1 General Specifications section 3
// (AI definitions) and section 7.8 (element string processing), driven by the table
// generated from the GS1 Barcode Syntax Dictionary: each value is cut into the
// dictionary's components, each component checked for length, character set and linters.
import type { AiComponent, AiEntry } from './ai-entry';
import { isDigits } from './charset';
import { Gs1Error } from './errors';
import { AI_TABLE } from './generated/ai-table';
import { LINTERS, describeLintFailure } from './linters';

/** One Application Identifier with its value, e.g. `{ ai: '01', value: '09506000134352' }`. */
export interface AiElement {
  readonly ai: string;
  readonly value: string;
}

const BY_AI: ReadonlyMap<string, AiEntry> = new Map(AI_TABLE.map((e) => [e.ai, e]));

/** Longest value any AI takes (AI 7256 holds 90 characters). */
export const MAX_AI_VALUE_LENGTH = 90;

export function lookupAi(ai: string): AiEntry | undefined {
  return BY_AI.get(ai);
}

/** The known AI that `data` starts with at `offset` (AIs are prefix-free), if any. */
export function matchAi(data: string, offset: number): AiEntry | undefined {
  for (let len = 2; len <= 4; len++) {
    if (offset + len > data.length) return undefined;
    const entry = BY_AI.get(data.slice(offset, offset + len));
    if (entry) return entry;
  }
  return undefined;
}

/** Fixed total length of an AI with the dictionary's predefined-length flag. */
export function predefinedLength(entry: AiEntry): number {
  return entry.components.reduce((n, c) => n + c.max, 0);
}

export function isValidAiSyntax(ai: string): boolean {
  return ai.length >= 2 && ai.length <= 4 && isDigits(ai);
}

/** The character-set linter each component type implies. */
const CSET_LINTER = { N: 'csetnumeric', X: 'cset82', Y: 'cset39', Z: 'cset64' } as const;

function checkComponent(
  ai: string,
  c: AiComponent,
  data: string,
  offset: number,
  skip?: ReadonlySet<string>,
): void {
  for (const name of [CSET_LINTER[c.cset], ...c.linters]) {
    if (skip?.has(name)) continue;
    const failure = LINTERS[name]?.(data);
    if (failure) {
      throw new Gs1Error(failure.code, describeLintFailure(failure), {
        ai,
        span: [offset + failure.start, offset + failure.end],
        component: [offset, offset + data.length],
      });
    }
  }
}

function lengthText(entry: AiEntry): string {
  const min = entry.components.filter((c) => !c.optional).reduce((n, c) => n + c.min, 0);
  const max = entry.components.reduce((n, c) => n + c.max, 0);
  return min === max ? `${max} characters` : `${min} to ${max} characters`;
}

/**
 * Checks `value` against the dictionary entry of `ai`: the components' lengths, character
 * sets and linters. Unknown AIs are rejected unless `permitUnknown`, in which case their
 * value need only be 1 to 90 characters of set 82.
 */
export function validateAiValue(
  ai: string,
  value: string,
  permitUnknown = false,
  skipLinters?: ReadonlySet<string>,
): void {
  const entry = BY_AI.get(ai);
  if (!entry) {
    if (!permitUnknown || !isValidAiSyntax(ai)) {
      throw new Gs1Error('UNKNOWN_AI', 'is not a GS1 Application Identifier', { ai });
    }
    if (value.length === 0 || value.length > MAX_AI_VALUE_LENGTH) {
      throw new Gs1Error('TOO_LONG', `value must be 1 to ${MAX_AI_VALUE_LENGTH} characters`, {
        ai,
      });
    }
    checkComponent(
      ai,
      { cset: 'X', min: 1, max: MAX_AI_VALUE_LENGTH, optional: false, linters: [] },
      value,
      0,
    );
    return;
  }
  let pos = 0;
  for (const c of entry.components) {
    const remaining = value.length - pos;
    if (remaining === 0 && c.optional) break;
    if (remaining < c.min) {
      throw new Gs1Error(
        'TOO_SHORT',
        `value is too short: ${value.length} characters, expected ${lengthText(entry)}`,
        { ai },
      );
    }
    const take = c.min === c.max ? c.max : Math.min(remaining, c.max);
    checkComponent(ai, c, value.slice(pos, pos + take), pos, skipLinters);
    pos += take;
  }
  if (pos < value.length) {
    throw new Gs1Error(
      'TOO_LONG',
      `value is too long: ${value.length} characters, expected ${lengthText(entry)}`,
      { ai },
    );
  }
}
