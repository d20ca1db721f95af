// What one GraphQL operation may ask for, checked after parsing and validation and before
// anything runs: its depth (QUERY_TOO_DEEP), its estimated cost (QUERY_TOO_COMPLEX, with
// graphql-query-complexity: one per field, a paged field's children times its `first`),
// the length of every list it passes and every `first` it asks for (LIST_TOO_LONG).
// Introspection fields are left to graphql-js's own MaxIntrospectionDepthRule and to the
// CUSTOS_GRAPHQL_INTROSPECTION switch.
import { Extensions } from '@nestjs/graphql';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import {
  type ComplexityEstimator,
  fieldExtensionsEstimator,
  getComplexity,
  simpleEstimator,
} from 'graphql-query-complexity';
import type { RequestLimits } from '@custos/core/config/config';
import type { ErrorCode } from '@custos/core/errors/domain-error';

/** Field extension: the longest list this field's arguments may hold (default: the config's). */
export const MAX_LIST_LENGTH = 'maxListLength';

/**
 * Lets one field take longer argument lists than CUSTOS_GRAPHQL_MAX_LIST, e.g.
 * `@MaxListLength(10_000)` on submitEvents. The body size limit still applies.
 */
export const MaxListLength = (length: number) => Extensions({ [MAX_LIST_LENGTH]: length });

type LimitCode = Extract<ErrorCode, 'QUERY_TOO_DEEP' | 'QUERY_TOO_COMPLEX' | 'LIST_TOO_LONG'>;

export const requestLimitCodes: ReadonlySet<string> = new Set<LimitCode>([
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'LIST_TOO_LONG',
]);

function refuse(code: LimitCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/** Deepest field nesting of the operation, fragments followed; introspection fields skipped. */
export function operationDepth(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): number {
  const depthOf = (set: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
    let deepest = 0;
    for (const selection of set?.selections ?? []) {
      switch (selection.kind) {
        case Kind.FIELD:
          if (selection.name.value.startsWith('__')) break;
          deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, seen));
          break;
        case Kind.INLINE_FRAGMENT:
          deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          // A fragment cycle is refused by validation; never loop on one here.
          if (fragment && !seen.has(name)) {
            deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...seen, name])));
          }
          break;
        }
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet, new Set());
}

/** A paged field's children cost `first` times (or the largest page when `first` is absent). */
function pagedEstimator(maxPageSize: number): ComplexityEstimator {
  return ({ args, field, childComplexity }) => {
    if (!field.args.some((arg) => arg.name === 'first')) return undefined;
    const first = typeof args.first === 'number' ? args.first : maxPageSize;
    return 1 + childComplexity * Math.max(1, first);
  };
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

function checkLists(
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
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const depth = operationDepth(operation, fragments);
  if (depth > limits.maxDepth) {
    throw refuse(
      'QUERY_TOO_DEEP',
      `the query nests fields ${depth} deep; at most ${limits.maxDepth} (CUSTOS_GRAPHQL_MAX_DEPTH)`,
    );
  }
  // Variables that do not coerce are reported by execution with their own error.
  const coerced = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    rawVariables ?? {},
  );
  if (coerced.errors) return;
  const variables = coerced.coerced;

  checkLists(schema, document, variables, limits);

  const complexity = getComplexity({
    schema,
    query: document,
    variables,
    ...(operation.name ? { operationName: operation.name.value } : {}),
    estimators: [
      fieldExtensionsEstimator(),
      pagedEstimator(limits.maxPageSize),
      simpleEstimator({ defaultComplexity: 1 }),
    ],
  });
  if (complexity > limits.maxComplexity) {
    throw refuse(
      'QUERY_TOO_COMPLEX',
      `the query would cost ${complexity}; at most ${limits.maxComplexity} (CUSTOS_GRAPHQL_MAX_COMPLEXITY): ask for fewer fields or smaller pages`,
    );
  }
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
