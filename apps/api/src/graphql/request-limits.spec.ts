import {
  GraphQLError,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';
import type { RequestLimits } from '@custos/core/config/config';
import { checkRequestLimits, MAX_LIST_LENGTH, siblingPairs } from './request-limits';

// A small schema with a recursive type, a paged field and a field with its own list cap.
const Node: GraphQLObjectType = new GraphQLObjectType({
  name: 'Node',
  fields: () => ({
    name: { type: GraphQLString },
    child: { type: Node },
    children: { type: new GraphQLList(Node), args: { first: { type: GraphQLInt } } },
  }),
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      root: { type: Node },
      page: { type: new GraphQLList(Node), args: { first: { type: GraphQLInt } } },
      priced: { type: GraphQLString, extensions: { complexity: 40 } },
      lookup: {
        type: GraphQLString,
        args: { codes: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) } },
      },
      bulk: {
        type: GraphQLString,
        args: { codes: { type: new GraphQLList(GraphQLString) } },
        extensions: { [MAX_LIST_LENGTH]: 10 },
      },
    },
  }),
});

const limits: RequestLimits = {
  maxBodyBytes: 1 << 20,
  maxInflightBodyBytes: 2 << 20,
  admissionWaitMs: 30_000,
  requestTimeoutMs: 120_000,
  maxTokens: 10_000,
  maxDepth: 4,
  maxComplexity: 100,
  maxListLength: 3,
  maxPageSize: 20,
};

function check(query: string, variables?: Record<string, unknown>): string | undefined {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  const operation = document.definitions[0] as OperationDefinitionNode;
  try {
    checkRequestLimits(schema, document, operation, variables, limits);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(GraphQLError);
    const error = err as GraphQLError;
    expect(error.extensions.http).toEqual({ status: 400 });
    return `${String(error.extensions.code)}: ${error.message}`;
  }
}

describe('GraphQL request limits', () => {
  it('lets a query within every limit through', () => {
    expect(check('{ root { child { child { name } } } page(first: 5) { name } }')).toBeUndefined();
  });

  it('refuses a query nested deeper than the limit, also through fragments', () => {
    expect(check('{ root { child { child { child { name } } } } }')).toBe(
      'QUERY_TOO_DEEP: the query nests fields 5 deep; at most 4 (CUSTOS_GRAPHQL_MAX_DEPTH)',
    );
    expect(
      check(
        'query { root { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { child { name } } }',
      ),
    ).toMatch(/^QUERY_TOO_DEEP/);
  });

  it('does not count introspection fields as depth', () => {
    expect(check('{ __schema { types { fields { type { name } } } } }')).toBeUndefined();
  });

  it('refuses a page larger than the limit, literal or variable', () => {
    expect(check('{ page(first: 21) { name } }')).toBe(
      'LIST_TOO_LONG: page(first:) asks for 21 items; at most 20 per page: page with after',
    );
    expect(check('query ($n: Int) { root { children(first: $n) { name } } }', { n: 500 })).toMatch(
      /^LIST_TOO_LONG: children\(first:\)/,
    );
  });

  it('refuses an argument list longer than the limit, unless the field sets its own', () => {
    expect(check('{ lookup(codes: ["a", "b", "c", "d"]) }')).toBe(
      'LIST_TOO_LONG: codes: 4 items, at most 3 in one request of lookup',
    );
    expect(
      check('query ($c: [String!]) { lookup(codes: $c) }', { c: ['1', '2', '3'] }),
    ).toBeUndefined();
    expect(
      check('query ($c: [String]) { bulk(codes: $c) }', { c: Array(10).fill('x') }),
    ).toBeUndefined();
    expect(check('query ($c: [String]) { bulk(codes: $c) }', { c: Array(11).fill('x') })).toMatch(
      /^LIST_TOO_LONG: codes: 11 items, at most 10/,
    );
  });

  it('refuses a query whose cost exceeds the limit: pages multiply their children', () => {
    // page: 1 + 20 × (name 1 + child 2) = 61
    expect(check('{ page(first: 20) { name child { name } } }')).toBeUndefined();
    // page: 1 + 20 × (name 1 + children (1 + 20 × name 1)) = 441
    expect(check('{ page(first: 20) { name children(first: 20) { name } } }')).toBe(
      'QUERY_TOO_COMPLEX: the query would cost 441; at most 100 (CUSTOS_GRAPHQL_MAX_COMPLEXITY): ask for fewer fields or smaller pages',
    );
  });

  it('prices a field by its complexity extension: three priced fields fit, three more do not', () => {
    expect(check('{ a: priced b: priced }')).toBeUndefined();
    expect(check('{ a: priced b: priced c: priced }')).toBe(
      'QUERY_TOO_COMPLEX: the query would cost 120; at most 100 (CUSTOS_GRAPHQL_MAX_COMPLEXITY): ask for fewer fields or smaller pages',
    );
  });

  it('counts what fragments expand to: a fragment spread twice costs twice', () => {
    const fragments = [
      'query { root { ...F0 } }',
      ...Array.from(
        { length: 6 },
        (_, i) => `fragment F${i} on Node { name ...F${i + 1} ...F${i + 1} }`,
      ),
      'fragment F6 on Node { name }',
    ].join('\n');
    // root 1 + F0, where F(i) = 1 + 2 F(i+1) and F6 = 1: F0 = 2^7 - 1 = 127
    expect(check(fragments)).toMatch(/^QUERY_TOO_COMPLEX: the query would cost 128;/);
  });

  it('refuses a NUL character in any string argument, naming the field and argument', () => {
    expect(check('query ($c: [String!]) { lookup(codes: $c) }', { c: ['a', 'b\u0000'] })).toBe(
      'BAD_USER_INPUT: lookup.codes[1]: contains a NUL character (U+0000), which no identifier or text may hold; remove it',
    );
    expect(check('{ lookup(codes: ["x\\u0000"]) }')).toMatch(/^BAD_USER_INPUT: lookup.codes\[0\]/);
    expect(check('{ lookup(codes: ["x\\u0001"]) }')).toBeUndefined();
  });

  it('estimates the sibling pairs validation compares: same response names and fragments', () => {
    expect(siblingPairs(parse('{ root { name child { name } } page { name } }'))).toBe(0);
    // three `name`: 3 pairs; `n: name` is another response name
    expect(siblingPairs(parse('{ root { name name n: name name } }'))).toBe(3);
    // two fragments beside two fields: 2 × 2 + 1
    expect(
      siblingPairs(
        parse(
          '{ root { ...A name ... on Node { name } child { name } } } fragment A on Node { name }',
        ),
      ),
    ).toBe(5);
  });
});
