// Whether a query asks for a field of the object being resolved, so that a resolver can skip
// reading what nobody asked for (verifyPackage's custodian). Fragments count, spread or
// inline; @skip and @include are not evaluated: a field they might drop counts as asked
// for. When in doubt the answer is true — reading too much is slower, never wrong.
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

export function selectsField(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'> | undefined,
  name: string,
): boolean {
  if (info?.fieldNodes === undefined) return true;
  const spread = new Set<string>();
  const within = (set: SelectionSetNode | undefined): boolean =>
    set?.selections.some((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === name;
        case Kind.INLINE_FRAGMENT:
          return within(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const fragment = info.fragments?.[selection.name.value];
          if (fragment === undefined) return true;
          if (spread.has(selection.name.value)) return false;
          spread.add(selection.name.value);
          return within(fragment.selectionSet);
        }
        default:
          return true;
      }
    }) ?? false;
  return info.fieldNodes.some((node) => within(node.selectionSet));
}
