// The one place where errors become GraphQL errors. Domain errors keep their code and
// sentence; GraphQL's own request errors (syntax, validation, variables) and our request
// limits (request-limits.ts) pass through with their code; anything else is ours, logged
// here and answered with a bare INTERNAL_SERVER_ERROR, so no stack trace, SQL or driver
// message ever reaches a client.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { Logger } from '@nestjs/common';
import { DomainError, isClientError } from '@custos/core/errors/domain-error';
import { requestLimitCodes } from './request-limits';

const logger = new Logger('GraphQL');

/** Codes of malformed requests (graphql-js's and the GraphQL-over-HTTP layer's): the client's to fix. */
const requestErrorCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** The error a resolver threw, under the GraphQLErrors that execution wrapped it in. */
export function unwrapResolverError(error: unknown): unknown {
  let inner = error;
  while (inner instanceof GraphQLError && inner.originalError !== undefined) {
    inner = inner.originalError;
  }
  return inner;
}

export function formatGraphqlError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) {
    if (!isClientError(original.code)) logger.warn(`${original.code}: ${original.message}`);
    return {
      message: original.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && (requestErrorCodes.has(code) || requestLimitCodes.has(code))) {
    return {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code },
    };
  }
  logger.error(original instanceof Error ? (original.stack ?? original.message) : String(original));
  return {
    message: 'Internal server error',
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
