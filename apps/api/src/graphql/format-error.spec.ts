import { Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { DomainError } from '@custos/core/errors/domain-error';
import { formatGraphqlError } from './format-error';

/** What execution hands formatGraphqlError for an error thrown in a resolver at `path`. */
function fromResolver(error: Error) {
  const wrapped = new GraphQLError(error.message, { path: ['participant'], originalError: error });
  return [
    {
      message: error.message,
      path: ['participant'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    },
    wrapped,
  ] as const;
}

describe('formatGraphqlError', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('keeps a domain error code, sentence and field', () => {
    const [formatted, error] = fromResolver(
      new DomainError('BAD_USER_INPUT', 'id: check digit should be 8, not 3', 'input.id'),
    );
    expect(formatGraphqlError(formatted, error)).toEqual({
      message: 'id: check digit should be 8, not 3',
      path: ['participant'],
      extensions: { code: 'BAD_USER_INPUT', field: 'input.id' },
    });
  });

  it('answers anything else with a bare internal error: no SQL, no stack', () => {
    const leak = new Error(
      'duplicate key value violates unique constraint "participant_pkey" INSERT INTO participant',
    );
    const [formatted, error] = fromResolver(leak);
    const answer = formatGraphqlError(
      { ...formatted, extensions: { ...formatted.extensions, stacktrace: leak.stack } },
      error,
    );
    expect(answer).toEqual({
      message: 'Internal server error',
      path: ['participant'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('passes GraphQL request errors through with their own code', () => {
    const formatted = {
      message: 'Cannot query field "nope" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    };
    expect(formatGraphqlError(formatted, new GraphQLError(formatted.message))).toEqual(formatted);
  });
});
