// ai-bracketed-to-element-string.json, element-string-validate.json,
// ai-association-rules.json and ai-linter-errors.json: element strings in both notations,
// the AI pairing rules, and one AI per linter error with the error's position.
import { GS, parseBracketed, parseElementString, renderBracketed } from '../src/element-string';
import type { Options } from './vectors';
import { caret, gs1ErrorOf, loadGs1Vectors, show } from './vectors';

interface BracketedVector {
  ai_data_bracketed: string;
  valid: boolean;
  expected_element_string?: string;
  source_line: number;
}
const bracketed = loadGs1Vectors<BracketedVector>('ai-bracketed-to-element-string.json');

describe(`ai-bracketed-to-element-string.json (${bracketed.count} vectors)`, () => {
  it.each(
    bracketed.vectors.map(
      (v) => [`line ${v.source_line} ${show(v.ai_data_bracketed)}`, v] as const,
    ),
  )('%s', (_t, v) => {
    const run = () => caret(parseBracketed(v.ai_data_bracketed, { validateAssociations: false }));
    if (v.valid) expect(run()).toBe(v.expected_element_string);
    else expect(gs1ErrorOf(run)).toBeDefined();
  });
});

interface ValidateVector {
  element_string: string;
  valid: boolean;
  expected_ai_data_bracketed?: string;
  options?: Options;
  source_line: number;
}
const validate = loadGs1Vectors<ValidateVector>('element-string-validate.json');

/** '^' notation to the data after FNC1 in first position, GS between fields. */
function fromCaret(s: string): string | undefined {
  return s.startsWith('^') ? s.slice(1).replace(/\^/g, GS) : undefined;
}

describe(`element-string-validate.json (${validate.count} vectors)`, () => {
  it.each(
    validate.vectors.map((v) => [`line ${v.source_line} ${show(v.element_string)}`, v] as const),
  )('%s', (_t, v) => {
    const run = () => {
      const data = fromCaret(v.element_string);
      if (data === undefined) throw new Error('not GS1 data: no FNC1 in first position');
      return renderBracketed(parseElementString(data, { validateAssociations: false }));
    };
    if (v.valid) expect(run()).toBe(v.expected_ai_data_bracketed);
    else expect(() => run()).toThrow();
  });
});

interface RuleVector {
  ai_data_bracketed: string;
  rule: string;
  valid: boolean;
  source_line: number;
}
const rules = loadGs1Vectors<RuleVector>('ai-association-rules.json');

describe(`ai-association-rules.json (${rules.count} vectors)`, () => {
  it.each(
    rules.vectors.map(
      (v) => [`line ${v.source_line} ${v.rule} ${show(v.ai_data_bracketed)}`, v] as const,
    ),
  )('%s', (_t, v) => {
    const error = gs1ErrorOf(() => parseBracketed(v.ai_data_bracketed, { permitUnknownAIs: true }));
    if (v.valid) expect(error).toBeUndefined();
    else
      expect(error?.code).toMatch(
        /^(REPEATED_AI_DIFFERS|EXCLUSIVE_AIS|REQUIRED_AI_MISSING|DIGSIG_NEEDS_SERIALISED_KEY)$/,
      );
  });
});

interface LinterErrorVector {
  ai_data_bracketed: string;
  expected_linter_result: string;
  valid: boolean;
  reference_error_markup?: string;
  source_line: number;
}
const linterErrors = loadGs1Vectors<LinterErrorVector>('ai-linter-errors.json');

/** Skipped with the reason: what this library deliberately does not check. */
const LINTER_ERROR_SKIPS: ReadonlyArray<[RegExp, string]> = [
  [
    /^\((8110|8112)\)/,
    'North American coupon AIs (8110)/(8112): coupon linters not implemented (out of scope for medicines)',
  ],
  [
    /^\((426|7030|4307|3910)\)/,
    'ISO 3166 / ISO 4217 code lists not shipped: only the shape is checked',
  ],
  [
    /^\(8007\)(FR1234|AB12345678901234)$/,
    'IBAN country registry (ISO 13616 country codes and lengths) not shipped',
  ],
];

/** The reference's markup: the AI, its value up to the end of the failing component, the span in '|'. */
function markup(
  input: string,
  ai: string,
  span: readonly [number, number],
  component: readonly [number, number],
): string {
  const start = input.indexOf(`(${ai})`) + ai.length + 2;
  const rest = input.slice(start);
  const value = rest.includes('(') ? rest.slice(0, rest.indexOf('(')) : rest;
  return `(${ai})${value.slice(0, span[0])}|${value.slice(span[0], span[1])}|${value.slice(span[1], component[1])}`;
}

describe(`ai-linter-errors.json (${linterErrors.count} vectors)`, () => {
  const cases = linterErrors.vectors.map((v) => {
    const skip = LINTER_ERROR_SKIPS.find(([re]) => re.test(v.ai_data_bracketed));
    return [
      `line ${v.source_line} ${v.expected_linter_result} ${show(v.ai_data_bracketed)}`,
      v,
      skip?.[1],
    ] as const;
  });
  const run = cases.filter(([, , skip]) => skip === undefined);
  const skipped = cases.filter(([, , skip]) => skip !== undefined);
  it.each(run)('%s', (_t, v) => {
    const error = gs1ErrorOf(() =>
      parseBracketed(v.ai_data_bracketed, { validateAssociations: false }),
    );
    if (v.valid) {
      expect(error).toBeUndefined();
      return;
    }
    expect(error?.code).toBe(v.expected_linter_result.replace(/^GS1_LINTER_/, ''));
    expect(markup(v.ai_data_bracketed, error!.ai!, error!.span!, error!.component!)).toBe(
      v.reference_error_markup,
    );
  });
  if (skipped.length) {
    it.skip.each(skipped.map(([t, , reason]) => [`${t} — ${reason}`]))('%s', () => undefined);
  }
  afterAll(() =>
    console.log(
      `ai-linter-errors.json: ${run.length} run, ${skipped.length} skipped of ${linterErrors.count}`,
    ),
  );
});
