// Rules between AIs in one message, GS1 General Specifications section 4.14 (invalid and
// mandatory AI pairs) as encoded by the GS1 Barcode Syntax Dictionary's `req=` and `ex=`
// attributes, plus section 7.8's rule that a repeated AI must carry the same value and
// the rule that a digital signature (8030) needs a serialised key.
import type { AiElement } from './ai';
import { lookupAi } from './ai';
import { Gs1Error } from './errors';

/** `31nn` matches 3100..3199; an `n` stands for any digit. */
function matches(pattern: string, ai: string): boolean {
  if (pattern.length !== ai.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== 'n' && pattern[i] !== ai[i]) return false;
  }
  return true;
}

/** Serialised forms of keys whose serial component is optional. */
const SERIALISED_KEY_MIN_LENGTH: Readonly<Record<string, number>> = {
  '253': 14,
  '255': 14,
  '8003': 15,
};

export function validateAssociations(elements: readonly AiElement[]): void {
  const seen = new Map<string, string>();
  for (const { ai, value } of elements) {
    const before = seen.get(ai);
    if (before !== undefined && before !== value) {
      throw new Gs1Error(
        'REPEATED_AI_DIFFERS',
        `appears twice with different values ("${before}" and "${value}")`,
        { ai },
      );
    }
    seen.set(ai, value);
  }
  const present = [...seen.keys()];
  const has = (pattern: string) => present.some((ai) => matches(pattern, ai));
  for (const ai of present) {
    const entry = lookupAi(ai);
    if (!entry) continue;
    for (const pattern of entry.ex) {
      const other = present.find((p) => p !== ai && matches(pattern, p));
      if (other !== undefined) {
        throw new Gs1Error('EXCLUSIVE_AIS', `must not appear together with AI (${other})`, { ai });
      }
    }
    for (const alternatives of entry.req) {
      if (!alternatives.some((group) => group.every(has))) {
        const wanted = alternatives.map((g) => g.map((p) => `(${p})`).join('+')).join(' or ');
        throw new Gs1Error('REQUIRED_AI_MISSING', `needs ${wanted} in the same data`, { ai });
      }
    }
  }
  if (seen.has('8030')) {
    for (const [ai, min] of Object.entries(SERIALISED_KEY_MIN_LENGTH)) {
      const value = seen.get(ai);
      if (value !== undefined && value.length < min) {
        throw new Gs1Error(
          'DIGSIG_NEEDS_SERIALISED_KEY',
          'a digital signature (8030) needs this key with its serial component',
          { ai },
        );
      }
    }
  }
}
