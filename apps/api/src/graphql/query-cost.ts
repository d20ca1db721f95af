// The depth and the cost of one GraphQL operation, in one walk of the document: every
// fragment is measured once, where it is defined, and each spread of it reuses that
// measure. So the work is linear in the document's size whatever the fragments multiply
// to (21 levels of fragments spreading the next twice are 2^20 paths, measured in 21
// steps), while the numbers themselves are those of the fully expanded query.
//
// Cost (docs/adr/0009): a field costs its `complexity` extension (`@Query(..., {complexity})`,
// 1 when unset) plus its children's cost, times its `first` for a paged field (the largest
// page when `first` is absent). Fields under one selection add up, as execution runs them
// all; introspection fields (`__schema`, `__typename`, …) cost nothing here and are left
// to graphql-js's MaxIntrospectionDepthRule and to CUSTOS_GRAPHQL_INTROSPECTION.
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getNamedType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface QueryMeasure {
  /** Deepest field nesting, fragments followed. */
  readonly depth: number;
  /** Estimated cost of the expanded query (may be very large, never NaN). */
  readonly cost: number;
}

const NOTHING: QueryMeasure = { depth: 0, cost: 0 };

/** The cost a field declares of itself (Nest's `complexity` option), 1 when it does not. */
export function ownCost(field: GraphQLField<unknown, unknown>): number {
  const declared = field.extensions.complexity;
  return typeof declared === 'number' && Number.isFinite(declared) && declared >= 0 ? declared : 1;
}

function fieldsOf(type: GraphQLNamedType | undefined) {
  return type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields() : undefined;
}

/** The fragments of a document, by name. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  return fragments;
}

/**
 * Depth and cost of `operation`. `variables` are the coerced ones; `maxPageSize` is what
 * a paged field without `first` counts as. Unknown fields and types (a document that did
 * not validate) count 1 and end their branch; a fragment cycle counts nothing again.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  maxPageSize: number,
): QueryMeasure {
  const fragments = fragmentsOf(document);
  // A name maps to its measure once done; to null while it is being measured (a cycle).
  const measured = new Map<string, QueryMeasure | null>();

  const fragmentMeasure = (name: string): QueryMeasure => {
    const known = measured.get(name);
    if (known !== undefined) return known ?? NOTHING;
    const fragment = fragments.get(name);
    if (!fragment) return NOTHING;
    measured.set(name, null);
    const result = measureSet(
      fragment.selectionSet,
      schema.getType(fragment.typeCondition.name.value),
    );
    measured.set(name, result);
    return result;
  };

  const measureSet = (
    set: SelectionSetNode | undefined,
    parent: GraphQLNamedType | undefined,
  ): QueryMeasure => {
    let depth = 0;
    let cost = 0;
    for (const selection of set?.selections ?? []) {
      let inner: QueryMeasure;
      switch (selection.kind) {
        case Kind.FIELD: {
          if (selection.name.value.startsWith('__')) continue;
          const field = fieldsOf(parent)?.[selection.name.value];
          const children = measureSet(
            selection.selectionSet,
            field ? getNamedType(field.type) : undefined,
          );
          inner = {
            depth: 1 + children.depth,
            cost: field
              ? ownCost(field) + children.cost * pageSize(field, selection, variables, maxPageSize)
              : 1 + children.cost,
          };
          break;
        }
        case Kind.INLINE_FRAGMENT:
          inner = measureSet(
            selection.selectionSet,
            selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent,
          );
          break;
        case Kind.FRAGMENT_SPREAD:
          inner = fragmentMeasure(selection.name.value);
          break;
      }
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
    return { depth, cost };
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  return measureSet(operation.selectionSet, root);
}

/** How many times a field's children run: its `first` when it is paged, else once. */
function pageSize(
  field: GraphQLField<unknown, unknown>,
  node: Parameters<typeof getArgumentValues>[1],
  variables: Record<string, unknown>,
  maxPageSize: number,
): number {
  if (!field.args.some((arg) => arg.name === 'first')) return 1;
  let first: unknown;
  try {
    first = getArgumentValues(field, node, variables).first;
  } catch {
    first = undefined; // arguments that do not coerce are execution's to report
  }
  return typeof first === 'number' ? Math.max(1, first) : maxPageSize;
}
