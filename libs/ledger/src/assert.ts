// Tiny argument checks in the style of @noble: each throws LedgerArgumentError naming the
// field, so a bad call says which argument to fix.
import { LedgerArgumentError } from './errors';

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** Asserts a Uint8Array, of exactly `length` bytes when given. */
export function abytes(value: unknown, field: string, length?: number): Uint8Array {
  if (!isBytes(value)) throw new LedgerArgumentError(field, 'expected Uint8Array');
  if (length !== undefined && value.length !== length) {
    throw new LedgerArgumentError(field, `expected ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** Asserts a safe non-negative integer (tree sizes and indexes stay below 2^53). */
export function auint(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new LedgerArgumentError(
      field,
      `expected a safe non-negative integer, got ${String(value)}`,
    );
  }
  return value;
}

export function astring(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new LedgerArgumentError(field, 'expected string');
  return value;
}
