// Helpers for the GS1 conformance specs: load a vector file from test/conformance,
// translate the reference notation ('^' = FNC1) and report how each vector was judged.
import { readConformanceJson } from '../../../test/conformance';
import type { AiElement } from '../src/ai';
import { renderElementString } from '../src/element-string';
import { Gs1Error } from '../src/errors';

export interface VectorFile<T> {
  readonly count: number;
  readonly vectors: T[];
}

export function loadGs1Vectors<T>(file: string): VectorFile<T> {
  const data = readConformanceJson<VectorFile<T>>('gs1', 'vectors', file);
  expect(data.vectors).toHaveLength(data.count);
  return data;
}

export type Options = Readonly<Record<string, boolean>>;

/** Reference notation of AI data: leading FNC1 then GS between fields, both as '^'. */
export const caret = (elements: readonly AiElement[]): string =>
  '^' + renderElementString(elements, '^');

/** Runs `fn` and returns the Gs1Error it threw, failing on anything else. */
export function gs1ErrorOf(fn: () => unknown): Gs1Error | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof Gs1Error) return err;
    throw err;
  }
}

/** A readable title for one vector. */
export const show = (s: string): string =>
  JSON.stringify(s.length > 70 ? `${s.slice(0, 67)}...` : s).replace(/\\u001d/g, '<GS>');
