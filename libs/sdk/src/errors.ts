// Errors of the Custos SDK. Each says what to fix in one sentence; callers branch on the
// class (and `code` where the server gave one), never on the wording.

/** A value passed to the SDK (or read from a file) has the wrong shape; names the field. */
export class CustosArgumentError extends Error {
  override readonly name = 'CustosArgumentError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** The server could not be reached at all (refused, DNS, timeout): nothing was sent or answered. */
export class CustosUnreachableError extends Error {
  override readonly name = 'CustosUnreachableError';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(
      `cannot reach the Custos server at ${url} (${reason}): is it running? ` +
        'Start it with `npm start`, or point to it with --server or CUSTOS_URL',
    );
  }
}

/** One GraphQL error as the server formats it (apps/api/src/graphql/format-error.ts). */
export interface ServerError {
  readonly message: string;
  readonly code?: string;
  readonly field?: string;
}

/** The server answered with GraphQL errors, or with an HTTP status that is not 200. */
export class CustosRequestError extends Error {
  override readonly name = 'CustosRequestError';
  constructor(
    readonly status: number,
    readonly errors: readonly ServerError[],
    /** The answer's Retry-After, in milliseconds (a busy server's 503, a 429). */
    readonly retryAfterMs?: number,
  ) {
    super(
      errors.length > 0
        ? errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join('; ')
        : `HTTP ${status}`,
    );
  }

  /** The first error's stable code (e.g. UNAUTHENTICATED), if any. */
  get code(): string | undefined {
    return this.errors[0]?.code;
  }

  /** A server-side or transport failure worth retrying (the request was idempotent). */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

/** Close codes a Custos server ends a subscription with (graphql-ws leaves 4400–4499 to it). */
export const SESSION_EXPIRED_CLOSE = 4401;
export const KEY_REVOKED_CLOSE = 4403;

/**
 * The server closed a subscription's socket: 4401 when the session token expired (sign
 * in again and subscribe again), 4403 when the key it was signed in with was revoked.
 */
export class CustosSubscriptionClosedError extends Error {
  override readonly name = 'CustosSubscriptionClosedError';
  constructor(
    readonly closeCode: number,
    readonly reason: string,
  ) {
    super(`the subscription was closed: ${closeCode} ${reason}`.trim());
  }

  get sessionExpired(): boolean {
    return this.closeCode === SESSION_EXPIRED_CLOSE;
  }

  get keyRevoked(): boolean {
    return this.closeCode === KEY_REVOKED_CLOSE;
  }
}
