import { Logger } from '@nestjs/common';
import type { FastifyError } from 'fastify';
import { buildSchema, GraphQLError, parse, validate } from 'graphql';
import { DomainError } from '@custos/core/errors/domain-error';
import {
  answerHttpError,
  answerRefusal,
  formatExecutionErrors,
  requestErrorCode,
} from './graphql-http';

const schema = buildSchema('type Query { a(n: Int!): Int }');

/** What Mercurius throws when parsing or validation fails: one wrapper, no codes. */
function mercuriusWrapper(errors: readonly GraphQLError[]) {
  return Object.assign(new Error('Graphql validation error'), {
    code: 'MER_ERR_GQL_VALIDATION',
    statusCode: 400,
    errors,
  });
}

function codeOf(query: string): string {
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, parse(query));
  } catch (err) {
    errors = [err as GraphQLError];
  }
  const answer = answerRefusal(mercuriusWrapper(errors));
  expect(answer.status).toBe(400);
  return String(answer.body.errors[0]?.extensions?.code);
}

describe('GraphQL over HTTP answers', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('gives graphql-js request errors their code', () => {
    expect(codeOf('{ a(n: 1')).toBe('GRAPHQL_PARSE_FAILED');
    expect(codeOf('{ b }')).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(codeOf('query ($x: Int) { a(n: 1) }')).toBe('GRAPHQL_VALIDATION_FAILED'); // unused
    expect(
      requestErrorCode({ message: 'Variable "$n" of required type "Int!" was not provided.' }),
    ).toBe('BAD_USER_INPUT');
    expect(
      requestErrorCode({ message: 'Variable "$n" got invalid value "x"; Int cannot represent' }),
    ).toBe('BAD_USER_INPUT');
    expect(requestErrorCode({ message: 'Unknown operation named "Q".' })).toBe(
      'OPERATION_RESOLUTION_FAILURE',
    );
  });

  it('keeps a coded refusal (a request limit) with its status', () => {
    const limit = new GraphQLError('too deep', {
      extensions: { code: 'QUERY_TOO_DEEP', http: { status: 400 } },
    });
    expect(answerRefusal(limit)).toEqual({
      status: 400,
      body: { errors: [{ message: 'too deep', extensions: { code: 'QUERY_TOO_DEEP' } }] },
    });
  });

  it('answers anything else thrown before execution as a bare 500', () => {
    expect(answerRefusal(new Error('connection refused 10.0.0.1:5432'))).toEqual({
      status: 500,
      body: {
        errors: [
          { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        ],
      },
    });
  });

  it("formats a resolver's errors with 200 and variables that do not coerce with 400", () => {
    const resolver = new GraphQLError('no', {
      path: ['a'],
      originalError: new DomainError('FORBIDDEN', 'only the admin may do this'),
    });
    expect(formatExecutionErrors({ data: { a: null }, errors: [resolver] })).toEqual({
      statusCode: 200,
      response: {
        data: { a: null },
        errors: [
          { message: 'only the admin may do this', path: ['a'], extensions: { code: 'FORBIDDEN' } },
        ],
      },
    });
    const variable = new GraphQLError('Variable "$n" of required type "Int!" was not provided.');
    const answer = formatExecutionErrors({ errors: [variable] });
    expect(answer.statusCode).toBe(400);
    expect(answer.response.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers body errors of the HTTP layer in GraphQL shape', () => {
    const error = (code: string, statusCode: number) =>
      Object.assign(new Error(code), { code, statusCode, name: 'FastifyError' }) as FastifyError;
    expect(answerHttpError(error('FST_ERR_CTP_BODY_TOO_LARGE', 413), 4096)).toMatchObject({
      status: 413,
      body: { errors: [{ extensions: { code: 'REQUEST_TOO_LARGE' } }] },
    });
    expect(answerHttpError(error('FST_ERR_CTP_INVALID_JSON', 400), 4096)).toMatchObject({
      status: 400,
      body: { errors: [{ extensions: { code: 'BAD_REQUEST' } }] },
    });
    expect(answerHttpError(error('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), 4096).status).toBe(415);
    expect(answerHttpError(error('SOMETHING_ELSE', 500), 4096)).toMatchObject({
      status: 500,
      body: { errors: [{ message: 'Internal server error' }] },
    });
  });
});
