// GraphQL subscriptions over graphql-ws (SPEC section 8; protocol graphql-transport-ws)
// at /graphql, on the HTTP server beside Fastify's routes: graphql-ws's own server
// (graphql-ws/use/ws), which closes a socket with a code and a reason, rather than
// Mercurius' subscription layer (docs/adr/0005). A WebSocket client sends its bearer
// token as `connectionParams.authorization` ("Bearer <token>", as in the HTTP header).
// The context of every operation on the socket carries it as the request's authorization
// header, so the AccessGuard authenticates subscriptions with exactly the code and rules
// of HTTP (admin token or session, revoked keys refused), at each subscribe, and puts the
// principal in the context for @Access and @CurrentPrincipal. A socket opened with a
// session lives no longer than the session: closed with 4401 at its expiry and 4403 when
// its key is revoked, in any replica (socket-sessions.ts).
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  getOperationAST,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { Config, RequestLimits } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { RequestContext } from '../auth/access.guard';
import { HttpUpgrades } from '../http/http-upgrades';
import { formatGraphqlError } from './format-error';
import { GRAPHQL_PATH } from './graphql-http';
import { IntrospectionOffRule } from './introspection-off';
import { checkRequestLimits, documentShapeHook, tooLargeToCheck } from './request-limits';
import { SocketSessions } from './socket-sessions';

interface WsContext {
  readonly connectionParams?: Readonly<Record<string, unknown>> | undefined;
}

function authorizationOf(params: WsContext['connectionParams']): unknown {
  return params?.['authorization'] ?? params?.['Authorization'];
}

/** Refuses, before any operation, a socket whose authorization is not "Bearer <token>". */
export function acceptConnection(context: WsContext): boolean {
  const value = authorizationOf(context.connectionParams);
  if (value === undefined) return true; // anonymous: the guard refuses what needs a token
  return typeof value === 'string' && /^Bearer\s+\S+$/i.test(value);
}

/** The GraphQL context of one operation on a socket: its authorization as a header. */
export function socketContext(context: WsContext): RequestContext {
  const authorization = authorizationOf(context.connectionParams);
  return {
    req: { headers: typeof authorization === 'string' ? { authorization } : {} },
  };
}

/**
 * graphql-ws sends results as execution made them, so a subscription's errors (the guard
 * refusing at subscribe, a domain error in a resolver) go through the same mapping here:
 * a socket client gets the same `extensions.code` and sentence as an HTTP one.
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

function formatSubscribeErrors(
  _ctx: unknown,
  _id: string,
  _payload: unknown,
  errors: readonly GraphQLError[],
): GraphQLFormattedError[] {
  return errors.map((error) =>
    formatGraphqlError(
      { ...error.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...error.extensions } },
      error,
    ),
  );
}

/**
 * A socket operation parsed, validated and checked as POST /graphql checks one (the token
 * cap, the sibling-pair cap, the introspection switch, depth, cost, lists and NUL), before
 * the guard or a resolver runs; the errors to send instead when it is refused.
 */
export function checkSocketOperation(
  schema: GraphQLSchema,
  payload: {
    readonly query: string;
    readonly operationName?: string | null;
    readonly variables?: Record<string, unknown> | null;
  },
  limits: RequestLimits,
  introspection: boolean,
): { document: DocumentNode } | GraphQLError[] {
  const refusal = (err: unknown): GraphQLError[] => {
    if (!(err instanceof GraphQLError)) throw err;
    return [tooLargeToCheck(err) ?? err];
  };
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens: limits.maxTokens });
    documentShapeHook()(schema, document);
  } catch (err) {
    return refusal(err);
  }
  const rules = introspection ? specifiedRules : [...specifiedRules, IntrospectionOffRule];
  const errors = validate(schema, document, rules);
  if (errors.length > 0) return errors.map((error) => tooLargeToCheck(error) ?? error);
  const operation = getOperationAST(document, payload.operationName ?? undefined);
  if (operation) {
    try {
      checkRequestLimits(schema, document, operation, payload.variables ?? undefined, limits);
    } catch (err) {
      return refusal(err);
    }
  }
  return { document };
}

/** The graphql-ws server of the API role, on the process's HTTP server. */
@Injectable()
export class GraphqlWsServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private sockets: WebSocketServer | undefined;
  private server: Disposable | undefined;

  constructor(
    private readonly upgrades: HttpUpgrades,
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly sessions: SocketSessions,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onApplicationBootstrap(): void {
    const sockets = new WebSocketServer({ noServer: true });
    this.sockets = sockets;
    this.server = useServer(
      {
        schema: this.schemaHost.schema,
        context: (ctx) => socketContext(ctx),
        onConnect: async (ctx) => {
          if (!acceptConnection(ctx)) return false;
          await this.sessions.watch(ctx.extra.socket, authorizationOf(ctx.connectionParams));
          return true;
        },
        onClose: (ctx) => this.sessions.forget(ctx.extra.socket),
        onSubscribe: (ctx, _id, payload) => {
          const schema = this.schemaHost.schema;
          const checked = checkSocketOperation(
            schema,
            payload,
            this.config.requestLimits,
            this.config.graphqlIntrospection,
          );
          if (Array.isArray(checked)) return checked;
          return {
            schema,
            document: checked.document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue: socketContext(ctx),
          };
        },
        onNext: formatSubscriptionResult,
        onError: formatSubscribeErrors,
      },
      sockets,
    );
    this.upgrades.add({
      matches: (path) => path === GRAPHQL_PATH,
      handle: (request, socket, head) =>
        sockets.handleUpgrade(request, socket, head, (ws) =>
          sockets.emit('connection', ws, request),
        ),
    });
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.close(); // open sockets would hold the HTTP server's close forever
  }

  /** Ends every subscription (1001 going away) and stops taking sockets; idempotent. */
  async close(): Promise<void> {
    await this.server?.dispose();
    this.server = undefined;
    await new Promise<void>((resolve) =>
      this.sockets ? this.sockets.close(() => resolve()) : resolve(),
    );
  }
}
