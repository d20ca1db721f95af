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
  // Participants and keys (SPEC section 3)
  'PARTICIPANT_EXISTS',
  'UNKNOWN_PARTICIPANT',
  'KEY_EXISTS',
  'INVALID_PUBLIC_KEY',
  'UNKNOWN_KEY',
  'KEY_REVOKED',
  'KEY_NOT_YET_VALID',
  // Sign-in (SPEC section 3)
  'NONCE_UNKNOWN',
  'NONCE_EXPIRED',
  'NONCE_ALREADY_USED',
  'BAD_SIGNATURE',
  // GraphQL request limits
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'LIST_TOO_LONG',
  'REQUEST_TOO_LARGE',
  // The ledger (SPEC section 5): a stored row no longer matches what was signed or sealed
  'INTEGRITY_FAILURE',
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
    case 'PARTICIPANT_EXISTS':
    case 'UNKNOWN_PARTICIPANT':
    case 'KEY_EXISTS':
    case 'INVALID_PUBLIC_KEY':
    case 'UNKNOWN_KEY':
    case 'KEY_REVOKED':
    case 'KEY_NOT_YET_VALID':
    case 'NONCE_UNKNOWN':
    case 'NONCE_EXPIRED':
    case 'NONCE_ALREADY_USED':
    case 'BAD_SIGNATURE':
    case 'QUERY_TOO_DEEP':
    case 'QUERY_TOO_COMPLEX':
    case 'LIST_TOO_LONG':
    case 'REQUEST_TOO_LARGE':
      return true;
    case 'UNAVAILABLE':
    case 'INTEGRITY_FAILURE':
      return false;
  }
}
