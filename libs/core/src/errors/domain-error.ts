// Typed errors of the domain. Each carries a stable code from this one list; the API maps
// them to GraphQL errors in one place (apps/api/src/graphql/format-error.ts).

export const errorCodes = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  'RATE_LIMITED',
  'UNAVAILABLE',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field the error is about, when there is one (`input.license.validUntil`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Client errors are the caller's to fix; the others are ours and are logged. */
export function isClientError(code: ErrorCode): boolean {
  switch (code) {
    case 'BAD_USER_INPUT':
    case 'NOT_FOUND':
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
    case 'CONFLICT':
    case 'RATE_LIMITED':
      return true;
    case 'UNAVAILABLE':
      return false;
  }
}
