// Opaque page cursors: base64url of "<kind>:<key>", so clients cannot build or mix them
// and the key behind them (an alert id, a unit identifier) can change without breaking
// the API.
import { DomainError } from '@custos/core/errors/domain-error';

export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url');
}

/** The key of a cursor made by `encodeCursor(kind, …)`; BAD_USER_INPUT otherwise. */
export function decodeCursor(kind: string, cursor: string, field = 'after'): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(`${kind}:`) || encodeCursor(kind, text.slice(kind.length + 1)) !== cursor) {
    throw new DomainError(
      'BAD_USER_INPUT',
      `${field}: not a cursor of this list; pass an endCursor or edge cursor it returned`,
      field,
    );
  }
  return text.slice(kind.length + 1);
}

/** `first` as a page size: default when absent, a positive integer otherwise. */
export function pageSize(first: number | null | undefined, fallback: number): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isSafeInteger(first) || first < 1) {
    throw new DomainError('BAD_USER_INPUT', 'first must be a positive integer', 'first');
  }
  return first;
}
