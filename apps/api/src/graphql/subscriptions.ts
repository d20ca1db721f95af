// GraphQL subscriptions over graphql-ws (SPEC section 8). A WebSocket client sends its
// bearer token as `connectionParams.authorization` ("Bearer <token>", as in the HTTP
// header). The context of every operation on the socket carries it as the request's
// authorization header, so the AccessGuard authenticates subscriptions with exactly the
// code and rules of HTTP (admin token or session, revoked keys refused), at each
// subscribe, and puts the principal in the context for @Access and @CurrentPrincipal.
import type { RequestContext } from '../auth/access.guard';

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
