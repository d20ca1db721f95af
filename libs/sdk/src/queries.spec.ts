// The SDK's documents against the server's own request limits: the schema it serves
// (apps/api/src/schema.gql) and its cost rule, with the default limits of a server
// configured with nothing (libs/core config). A page the SDK asks for must not be one
// the server refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, type GraphQLError, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { checkRequestLimits } from '../../../apps/api/src/graphql/request-limits';
import { loadConfig } from '@custos/core/config/config';
import { ALERTS_MAX_PAGE, AUDIT_DISCREPANCIES_PAGE, LOT_TRACE_MAX_PAGE } from './client';
import * as Q from './queries';

const schema = buildSchema(
  readFileSync(join(__dirname, '..', '..', '..', 'apps', 'api', 'src', 'schema.gql'), 'utf8'),
);
const limits = loadConfig({}, __dirname).requestLimits;

/** The code the server refuses `query` with, or undefined if it lets it run. */
function refusal(query: string, variables: Record<string, unknown>): string | undefined {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  try {
    checkRequestLimits(schema, document, operation, variables, limits);
    return undefined;
  } catch (err) {
    return String((err as GraphQLError).extensions?.code);
  }
}

describe('the SDK within the server limits', () => {
  it('asks for alerts pages as large as the default limits let it, and no larger', () => {
    expect(refusal(Q.ALERTS, { first: ALERTS_MAX_PAGE })).toBeUndefined();
    expect(refusal(Q.ALERTS, { first: ALERTS_MAX_PAGE + 1 })).toBe('QUERY_TOO_COMPLEX');
  });

  it('asks for lot trace pages within the default limits: the whole trace counts per unit', () => {
    const trace = (first: number) => refusal(Q.LOT_TRACE, { gtin: 'g', lot: 'l', first });
    expect(trace(LOT_TRACE_MAX_PAGE)).toBeUndefined();
    expect(trace(LOT_TRACE_MAX_PAGE + 1)).toBe('QUERY_TOO_COMPLEX');
  });

  it('reads audit discrepancies in pages the server accepts', () => {
    expect(
      refusal(Q.AUDIT_DISCREPANCIES, { id: 'a', first: AUDIT_DISCREPANCIES_PAGE }),
    ).toBeUndefined();
  });
});
