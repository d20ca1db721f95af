import {
  Kind,
  parse,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { selectsField } from './selects-field';

/** The resolve info of the query's first top-level field. */
function infoOf(query: string) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const field = operation.selectionSet.selections[0] as FieldNode;
  return { fieldNodes: [field], fragments };
}

describe('selectsField', () => {
  it('finds a field asked for directly, in an inline fragment or through a spread', () => {
    expect(selectsField(infoOf('{ v { verdict custodian { id } } }'), 'custodian')).toBe(true);
    expect(selectsField(infoOf('{ v { ... on V { custodian { id } } } }'), 'custodian')).toBe(true);
    expect(
      selectsField(
        infoOf('{ v { ...A } } fragment A on V { ...B } fragment B on V { custodian { id } }'),
        'custodian',
      ),
    ).toBe(true);
    expect(
      selectsField(infoOf('{ v { verdict custodian @skip(if: true) { id } } }'), 'custodian'),
    ).toBe(true);
  });

  it('says no only when no selection of the field can reach it', () => {
    expect(selectsField(infoOf('{ v { verdict proof { custodian } } }'), 'custodian')).toBe(false);
    expect(
      selectsField(infoOf('{ v { ...A } } fragment A on V { verdict ...A }'), 'custodian'),
    ).toBe(false);
    expect(selectsField(infoOf('{ v { verdict } }'), 'custodian')).toBe(false);
  });

  it('answers true when it cannot tell', () => {
    expect(selectsField(undefined, 'custodian')).toBe(true);
    expect(selectsField(infoOf('{ v { ...Missing } }'), 'custodian')).toBe(true);
  });
});
