// GraphQL over HTTP at /graphql: POST with a JSON body {query, variables, operationName}.
// Mercurius (docs/adr/0005) parses, validates, caches and JIT-compiles; this route is
// ours, so that every answer has GraphQL's error shape and a stable code: a body over
// CUSTOS_MAX_BODY_BYTES is 413 REQUEST_TOO_LARGE, a body that is not JSON 400
// BAD_REQUEST, a malformed request 400 with graphql-js's code, a resolver's error 200
// with the domain code (format-error.ts). GET /graphql runs nothing: browsers get the
// GraphQL explorer there (issue 15), so no query runs from a link or an <img>.
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { Inject } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import type { RequestContext } from '../auth/access.guard';
import { acceptsHtml } from '../web/accepts-html';
import { EXPLORER_CSP, WebFiles } from '../web/web-files';
import { formatGraphqlError } from './format-error';
import { tooLargeToCheck } from './request-limits';

export const GRAPHQL_PATH = '/graphql';

const logger = new Logger('GraphQL');

interface Answer {
  readonly status: number;
  readonly body: { data?: unknown; errors: GraphQLFormattedError[] };
}

function refusal(status: number, code: string, message: string): Answer {
  return { status, body: { errors: [{ message, extensions: { code } }] } };
}

/**
 * The code graphql-js's own request errors get. Mercurius hands parse, validation and
 * variable errors over in one wrapper without a code, so the sentence tells them apart
 * (graphql-js's wording, which graphql-jit copies for variables).
 */
export function requestErrorCode(error: { readonly message: string }): string {
  const message = error.message;
  if (message.startsWith('Syntax Error')) return 'GRAPHQL_PARSE_FAILED';
  if (
    /^Variable "\$[^"]+" (got invalid value|of required type .* was not provided|of non-null type .* must not be null)/s.test(
      message,
    )
  ) {
    return 'BAD_USER_INPUT';
  }
  if (
    /^(Must provide an operation|Unknown operation named|Must provide operation name)/.test(message)
  ) {
    return 'OPERATION_RESOLUTION_FAILURE';
  }
  return 'GRAPHQL_VALIDATION_FAILED';
}

/** A request error of graphql-js, formatted with its code (400). */
function formatRequestError(error: GraphQLError | Error): GraphQLFormattedError {
  const json =
    error instanceof GraphQLError
      ? error.toJSON()
      : ({ message: error.message } as GraphQLFormattedError);
  const own = json.extensions?.code;
  const code = typeof own === 'string' ? own : requestErrorCode(error);
  return formatGraphqlError({ ...json, extensions: { ...json.extensions, code } }, error);
}

interface MercuriusValidationError extends Error {
  readonly code: 'MER_ERR_GQL_VALIDATION';
  readonly errors?: readonly (GraphQLError | Error)[];
}

function isValidationWrapper(error: unknown): error is MercuriusValidationError {
  return error instanceof Error && (error as { code?: unknown }).code === 'MER_ERR_GQL_VALIDATION';
}

/** What to answer when Mercurius threw instead of executing: the request is refused. */
export function answerRefusal(error: unknown): Answer {
  if (isValidationWrapper(error)) {
    const only = error.errors?.length === 1 ? error.errors[0] : undefined;
    const long = only ? tooLargeToCheck(only) : undefined;
    if (long) return { status: 400, body: { errors: [formatGraphqlError(long.toJSON(), long)] } };
    const errors = (error.errors?.length ? error.errors : [error]).map(formatRequestError);
    return { status: 400, body: { errors } };
  }
  if (error instanceof GraphQLError && typeof error.extensions.code === 'string') {
    // Our request limits (request-limits.ts) and other coded refusals before execution.
    const http = error.extensions.http as { status?: unknown } | undefined;
    const status = typeof http?.status === 'number' ? http.status : 400;
    return { status, body: { errors: [formatGraphqlError(error.toJSON(), error)] } };
  }
  const formatted = formatGraphqlError({ message: String(error) }, error);
  return { status: 500, body: { errors: [formatted] } };
}

/**
 * Mercurius' errorFormatter: an execution's errors. Without data and without a path, an
 * error is about the request (graphql-jit reports variables that do not coerce this way):
 * 400. Otherwise they are resolvers' errors: 200, as GraphQL over HTTP says for JSON.
 */
export function formatExecutionErrors(execution: {
  readonly data?: Record<string, unknown> | null | undefined;
  readonly errors?: readonly GraphQLError[];
}): {
  statusCode: number;
  response: { data: Record<string, unknown> | null; errors: GraphQLFormattedError[] };
} {
  const errors = execution.errors ?? [];
  const aboutRequest =
    (execution.data === undefined || execution.data === null) &&
    errors.length > 0 &&
    errors.every((error) => error.path === undefined && error.originalError === undefined);
  return {
    statusCode: aboutRequest ? 400 : 200,
    response: {
      data: execution.data ?? null,
      errors: errors.map((error) =>
        aboutRequest ? formatRequestError(error) : formatGraphqlError(error.toJSON(), error),
      ),
    },
  };
}

/** An error of the HTTP layer itself (Fastify's body parsing) in GraphQL's shape. */
export function answerHttpError(error: FastifyError, maxBodyBytes: number): Answer {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return refusal(
        413,
        'REQUEST_TOO_LARGE',
        `the request body is larger than ${maxBodyBytes} bytes (CUSTOS_MAX_BODY_BYTES): send fewer items per request`,
      );
    case 'FST_ERR_CTP_INVALID_JSON':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return refusal(400, 'BAD_REQUEST', 'the request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return refusal(
        415,
        'BAD_REQUEST',
        'send the GraphQL request as content-type application/json',
      );
  }
  const status = error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return refusal(status, 'BAD_REQUEST', `the request could not be read (${error.code})`);
  }
  logger.error(error.stack ?? error.message);
  return refusal(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
}

interface GraphqlBody {
  readonly query: string;
  readonly variables: Record<string, unknown> | undefined;
  readonly operationName: string | undefined;
}

function readBody(body: unknown): GraphqlBody | Answer {
  const bad = (message: string) => refusal(400, 'BAD_REQUEST', message);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return bad('the request body must be a JSON object {"query": "…", "variables": {…}}');
  }
  const { query, variables, operationName } = body as Record<string, unknown>;
  if (typeof query !== 'string' || query.trim() === '') {
    return bad('query: the request body must hold the GraphQL document as a string');
  }
  if (
    variables !== undefined &&
    variables !== null &&
    (typeof variables !== 'object' || Array.isArray(variables))
  ) {
    return bad('variables: must be a JSON object');
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return bad('operationName: must be a string');
  }
  return {
    query,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: operationName ?? undefined,
  };
}

/** What request-limits.ts and the resolvers read from the context, besides RequestContext. */
export interface HttpContext extends RequestContext {
  /** The operation the request names (Mercurius' hooks are not given it). */
  readonly operationName?: string | undefined;
}

/** Registers POST and GET /graphql on Fastify, after Mercurius is registered. */
@Injectable()
export class GraphqlHttpRoute implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONFIG) private readonly config: Config,
    private readonly web: WebFiles,
  ) {}

  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const maxBodyBytes = this.config.requestLimits.maxBodyBytes;
    const send = (reply: FastifyReply, answer: Answer) =>
      reply.code(answer.status).send(answer.body);
    const errorHandler = (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      void send(reply, answerHttpError(error, maxBodyBytes));
    };

    fastify.route({
      method: 'POST',
      url: GRAPHQL_PATH,
      errorHandler,
      handler: async (request, reply) => {
        const body = readBody(request.body);
        if ('status' in body) return send(reply, body);
        const context: HttpContext = {
          req: request,
          operationName: body.operationName,
        };
        try {
          // Errors of an execution come back formatted (formatExecutionErrors), status set.
          return await reply.graphql(body.query, context, body.variables, body.operationName);
        } catch (err) {
          return send(reply, answerRefusal(err));
        }
      },
    });
    fastify.route({
      method: 'GET',
      url: GRAPHQL_PATH,
      errorHandler,
      handler: (request, reply) => {
        // A browser opening /graphql gets the explorer page; it runs nothing itself (its
        // requests are POSTs like any client's), so the CSRF rules below stay as they are.
        const explorer = this.web.explorer;
        if (explorer && acceptsHtml(request.headers.accept)) {
          this.web.send(
            reply.header('vary', 'accept'),
            explorer,
            request.headers['if-none-match'],
            EXPLORER_CSP,
          );
          return;
        }
        void send(
          reply.header('vary', 'accept').header('allow', 'POST'),
          refusal(
            405,
            'BAD_REQUEST',
            'send GraphQL requests with POST and content-type application/json',
          ),
        );
      },
    });
  }
}
