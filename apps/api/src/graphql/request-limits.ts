// What one GraphQL operation may ask for. Before parsing, the document's size in tokens
// (CUSTOS_GRAPHQL_MAX_TOKENS, Mercurius' parseOptions: a long document is refused before
// validation or anything else looks at it). After parsing and validation and before
// anything runs: its depth (QUERY_TOO_DEEP) and estimated cost (QUERY_TOO_COMPLEX), both
// measured in one linear walk (query-cost.ts); the length of every list it passes and every
// `first` it asks for (LIST_TOO_LONG); no NUL character in any string argument
// (BAD_USER_INPUT: PostgreSQL text cannot hold one). Nothing here needs the caller: an
// anonymous request is refused as cheaply as a signed-in one.
// Introspection fields are left to graphql-js's own MaxIntrospectionDepthRule and to the
// CUSTOS_GRAPHQL_INTROSPECTION switch.
import { Extensions } from '@nestjs/graphql';
import {
  type DocumentNode,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { RequestLimits } from '@custos/core/config/config';
import type { ErrorCode } from '@custos/core/errors/domain-error';
import { measureOperation } from './query-cost';

/** Field extension: the longest list this field's arguments may hold (default: the config's). */
export const MAX_LIST_LENGTH = 'maxListLength';

/**
 * Lets one field take longer argument lists than CUSTOS_GRAPHQL_MAX_LIST, e.g.
 * `@MaxListLength(10_000)` on submitEvents. The body size limit still applies.
 */
export const MaxListLength = (length: number) => Extensions({ [MAX_LIST_LENGTH]: length });

type LimitCode = Extract<
  ErrorCode,
  'QUERY_TOO_DEEP' | 'QUERY_TOO_COMPLEX' | 'LIST_TOO_LONG' | 'BAD_USER_INPUT'
>;

export const requestLimitCodes: ReadonlySet<string> = new Set<ErrorCode>([
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'LIST_TOO_LONG',
]);

function refuse(code: LimitCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/** The first string in `value` holding a NUL character, as a path from the argument. */
function nulString(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulString(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = nulString(inner, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** The first list in `value` longer than `max`, as a path from the argument, if any. */
function longList(
  value: unknown,
  max: number,
  path: string,
): { path: string; length: number } | undefined {
  if (Array.isArray(value)) {
    if (value.length > max) return { path, length: value.length };
    for (let i = 0; i < value.length; i++) {
      const found = longList(value[i], max, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = longList(inner, max, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  limits: RequestLimits,
): void {
  const typeInfo = new TypeInfo(schema);
  let problem: GraphQLError | undefined;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const field = typeInfo.getFieldDef();
        if (problem || !field || field.args.length === 0) return;
        const args = getArgumentValues(field, node, variables);
        const first = args.first;
        if (typeof first === 'number' && first > limits.maxPageSize) {
          problem = refuse(
            'LIST_TOO_LONG',
            `${field.name}(first:) asks for ${first} items; at most ${limits.maxPageSize} per page: page with after`,
          );
          return;
        }
        const cap = field.extensions[MAX_LIST_LENGTH];
        const max = typeof cap === 'number' ? cap : limits.maxListLength;
        for (const [name, value] of Object.entries(args)) {
          const nul = nulString(value, name);
          if (nul) {
            problem = refuse(
              'BAD_USER_INPUT',
              `${field.name}.${nul}: contains a NUL character (U+0000), which no identifier or text may hold; remove it`,
            );
            return;
          }
          const found = longList(value, max, name);
          if (found) {
            problem = refuse(
              'LIST_TOO_LONG',
              `${found.path}: ${found.length} items, at most ${max} in one request of ${field.name}`,
            );
            return;
          }
        }
      },
    }),
  );
  if (problem) throw problem;
}

/** Checks one parsed, validated operation; throws the GraphQLError of the first breach. */
export function checkRequestLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Record<string, unknown> | undefined,
  limits: RequestLimits,
): void {
  // Variables that do not coerce are reported by execution with their own error; the
  // depth does not depend on them, and the cost is then counted with the largest pages.
  const coerced = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    rawVariables ?? {},
  );
  const variables = coerced.coerced ?? {};
  const { depth, cost } = measureOperation(
    schema,
    document,
    operation,
    variables,
    limits.maxPageSize,
  );
  if (depth > limits.maxDepth) {
    throw refuse(
      'QUERY_TOO_DEEP',
      `the query nests fields ${depth} deep; at most ${limits.maxDepth} (CUSTOS_GRAPHQL_MAX_DEPTH)`,
    );
  }
  if (!coerced.errors) checkArguments(schema, document, variables, limits);
  if (cost > limits.maxComplexity) {
    throw refuse(
      'QUERY_TOO_COMPLEX',
      `the query would cost ${cost}; at most ${limits.maxComplexity} (CUSTOS_GRAPHQL_MAX_COMPLEXITY): ask for fewer fields or smaller pages`,
    );
  }
}

/** graphql-js's sentence when a document has more tokens than parseOptions.maxTokens. */
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more th(?:an|at) (\d+) tokens/;

/**
 * Our refusal for what graphql-js itself stops early, which Mercurius passes on as a
 * syntax or validation error: a document over CUSTOS_GRAPHQL_MAX_TOKENS (the parser's
 * maxTokens), and one whose fields validation would compare pairwise beyond graphql-js's
 * own budget ("Validation aborted."). Undefined for any other error.
 */
export function tooLargeToCheck(error: { readonly message: string }): GraphQLError | undefined {
  const match = TOO_MANY_TOKENS.exec(error.message);
  if (match) {
    return refuse(
      'QUERY_TOO_COMPLEX',
      `the query is longer than ${match[1]} tokens (CUSTOS_GRAPHQL_MAX_TOKENS): ask for fewer fields, or pass long inputs as variables`,
    );
  }
  if (error.message === 'Validation aborted.') {
    return refuse(
      'QUERY_TOO_COMPLEX',
      'the query repeats the same fields too often to be validated: ask for each field once',
    );
  }
  return undefined;
}

/**
 * More sibling pairs than this in one document are refused before validation: graphql-js
 * compares every two selections of one selection set that may overlap (fields of the same
 * response name, fragment spreads with each other and with the fields), which grows with
 * the square of a selection set's width. Real queries have a few dozen such pairs.
 */
export const MAX_SIBLING_PAIRS = 5_000;

/** An upper estimate of the pairs graphql-js's OverlappingFieldsCanBeMerged compares. */
export function siblingPairs(document: DocumentNode): number {
  let pairs = 0;
  visit(document, {
    SelectionSet(set) {
      const byName = new Map<string, number>();
      let spreads = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const name = selection.alias?.value ?? selection.name.value;
          const seen = byName.get(name) ?? 0;
          pairs += seen; // with each earlier field of its response name
          byName.set(name, seen + 1);
        } else {
          spreads++;
        }
      }
      const fields = set.selections.length - spreads;
      // A fragment (spread or inline) with every field and with every other fragment.
      pairs += spreads * fields + (spreads * (spreads - 1)) / 2;
    },
  });
  return pairs;
}

/**
 * The Mercurius preValidation hook: refuses a document whose shape would make validation
 * itself expensive, before it runs (it runs once per document; Mercurius keeps the rest).
 */
export function documentShapeHook() {
  return (_schema: GraphQLSchema, document: DocumentNode): void => {
    const pairs = siblingPairs(document);
    if (pairs > MAX_SIBLING_PAIRS) {
      throw refuse(
        'QUERY_TOO_COMPLEX',
        `the query repeats fields or fragments side by side too often (${pairs} pairs to compare, at most ${MAX_SIBLING_PAIRS}): ask for each field once`,
      );
    }
  };
}

const staticVerdicts = new WeakMap<OperationDefinitionNode, GraphQLError | null>();

/**
 * The Mercurius preExecution hook that applies the limits to every operation, after
 * parsing and validation and before anything runs. Mercurius keeps parsed documents, so
 * the verdict on an operation without variables is computed once.
 */
export function requestLimitsHook(limits: RequestLimits) {
  return (
    schema: GraphQLSchema,
    document: DocumentNode,
    context: object,
    variables?: Record<string, unknown>,
  ): void => {
    const { operationName } = context as { readonly operationName?: string | undefined };
    const operation = getOperationAST(document, operationName);
    if (!operation) return; // execution reports the missing operation
    const isStatic = !operation.variableDefinitions?.length;
    let verdict = isStatic ? staticVerdicts.get(operation) : undefined;
    if (verdict === undefined) {
      try {
        checkRequestLimits(schema, document, operation, variables, limits);
        verdict = null;
      } catch (err) {
        if (!(err instanceof GraphQLError)) throw err;
        verdict = err;
      }
      if (isStatic) staticVerdicts.set(operation, verdict);
    }
    if (verdict) throw verdict;
  };
}
