import { buildSchema, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { measureOperation } from './query-cost';

const schema = buildSchema(`
  type Node { name: String child: Node children(first: Int): [Node] }
  interface Named { name: String }
  type Query { root: Node page(first: Int): [Node] named: Named }
`);

function measure(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  return measureOperation(schema, document, operation, variables, 50);
}

/** `levels` fragments, each spreading the next twice: 2^levels paths in a few hundred bytes. */
function doublingFragments(levels: number): string {
  const parts = ['query { root { ...F0 } }'];
  for (let i = 0; i < levels; i++) {
    parts.push(`fragment F${i} on Node { name child { ...F${i + 1} } ...F${i + 1} }`);
  }
  parts.push(`fragment F${levels} on Node { name }`);
  return parts.join('\n');
}

describe('measureOperation', () => {
  it('counts depth and cost of plain fields, pages by first (literal, variable or the largest)', () => {
    expect(measure('{ root { name child { name } } }')).toEqual({ depth: 3, cost: 4 });
    expect(measure('{ page(first: 3) { name } }')).toEqual({ depth: 2, cost: 4 });
    expect(measure('query ($n: Int) { page(first: $n) { name } }', { n: 7 })).toEqual({
      depth: 2,
      cost: 8,
    });
    expect(measure('{ page { name } }')).toEqual({ depth: 2, cost: 51 });
  });

  it('follows fragments and inline fragments; introspection fields cost nothing', () => {
    expect(
      measure('{ root { ...A __typename } } fragment A on Node { ... on Node { child { name } } }'),
    ).toEqual({ depth: 3, cost: 3 });
  });

  it('gives the expanded numbers of doubling fragments in time linear in the document', () => {
    // F(i) = name 1 + child (1 + F(i+1)) + F(i+1): cost 2 + 2 F(i+1), depth one more per level.
    const small = measure(doublingFragments(3));
    expect(small.depth).toBe(5);
    expect(small.cost).toBe(1 + (2 + 2 * (2 + 2 * (2 + 2 * 1))));

    const started = performance.now();
    const huge = measure(doublingFragments(60)); // 2^60 paths
    const ms = performance.now() - started;
    expect(huge.depth).toBe(62);
    expect(huge.cost).toBeGreaterThan(2 ** 60);
    expect(ms).toBeLessThan(200);
  });

  it('does not loop on a fragment cycle or fail on unknown fields (documents that did not validate)', () => {
    expect(
      measure(
        '{ root { ...A } } fragment A on Node { child { ...B } } fragment B on Node { ...A }',
      ),
    ).toEqual({ depth: 2, cost: 2 });
    expect(measure('{ nothing { at { all } } }')).toEqual({ depth: 3, cost: 3 });
  });
});
