// GraphQL subscriptions over graphql-ws (SPEC section 8). A WebSocket client sends its
// bearer token as `connectionParams.authorization` ("Bearer <token>", as in the HTTP
// header). The context of every operation on the socket carries it as the request's
// authorization header, so the AccessGuard authenticates subscriptions with exactly the
// code and rules of HTTP (admin token or session, revoked keys refused), at each
// subscribe, and puts the principal in the context for @Access and @CurrentPrincipal.
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import type { RequestContext } from '../auth/access.guard';
import { formatGraphqlError } from './format-error';

interface WsContext {
  readonly connectionParams?: Readonly<Record<string, unknown>>;
}

function authorizationOf(params: WsContext['connectionParams']): string | undefined {
  const value = params?.['authorization'] ?? params?.['Authorization'];
  return typeof value === 'string' ? value : undefined;
}

/** Refuses, before any operation, a socket whose authorization is not "Bearer <token>". */
export function acceptConnection(context: WsContext): boolean {
  const value = params(context)?.['authorization'] ?? params(context)?.['Authorization'];
  if (value === undefined) return true; // anonymous: the guard refuses what needs a token
  return typeof value === 'string' && /^Bearer\s+\S+$/i.test(value);
}

const params = (context: WsContext) => context.connectionParams;

/** The GraphQL context of one operation: from HTTP as before, from a socket as above. */
export function graphqlContext(input: { req?: unknown } & WsContext): RequestContext {
  if (input.req !== undefined) return { req: input.req as RequestContext['req'] };
  const authorization = authorizationOf(input.connectionParams);
  return { req: { headers: authorization ? { authorization } : {} } };
}

/**
 * graphql-ws sends results without Apollo's formatError, so a subscription's errors (the
 * guard refusing at subscribe, a domain error in a resolver) go through the same mapping
 * here: a socket client gets the same `extensions.code` and sentence as an HTTP one.
 */
export function formatSubscriptionResult(
  _ctx: unknown,
  _id: string,
  _payload: unknown,
  _args: unknown,
  result: ExecutionResult,
): FormattedExecutionResult | void {
  if (!result.errors?.length) return;
  return {
    ...(result.data !== undefined ? { data: result.data } : {}),
    errors: result.errors.map((error) => formatGraphqlError(error.toJSON(), error)),
  };
}
