// Plan-shape assertions for statements that must not depend on statistics: EXPLAIN
// (FORMAT JSON) of the product's very statement, walked node by node. Shapes, never
// timings: the machines that run the tests are shared.
import type { Storage } from '../libs/core/src/database/storage';

export interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Index Cond'?: string;
  readonly 'Recheck Cond'?: string;
  readonly Plans?: readonly PlanNode[];
  readonly [key: string]: unknown;
}

/** A statement as Prisma.sql builds it: text with $1… placeholders and its values. */
export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** The root of the plan PostgreSQL would run for `statement`, on this connection's settings. */
export async function explain(
  prisma: Pick<Storage['prisma'], '$queryRawUnsafe'>,
  statement: Statement,
): Promise<PlanNode> {
  const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
    `EXPLAIN (FORMAT JSON) ${statement.text}`,
    ...statement.values,
  );
  const raw = Object.values(rows[0] ?? {})[0];
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return parsed[0]!.Plan;
}

export function planNodes(root: PlanNode): PlanNode[] {
  return [root, ...(root.Plans ?? []).flatMap(planNodes)];
}

export const nodeTypes = (root: PlanNode): string[] => planNodes(root).map((n) => n['Node Type']);

/**
 * The nodes that read `table` (or one of its indexes) without a condition on a key: a
 * sequential scan, or an index scanned whole (as a merge join reads it). Empty when every
 * read is a lookup.
 */
export function scansWithoutCondition(root: PlanNode, table: string): string[] {
  const onTable = (n: PlanNode) =>
    n['Relation Name'] === table || (n['Index Name'] ?? '').startsWith(`${table}_`);
  return planNodes(root)
    .filter(onTable)
    .filter((n) =>
      n['Node Type'] === 'Bitmap Heap Scan'
        ? n['Recheck Cond'] === undefined
        : n['Index Cond'] === undefined,
    )
    .map((n) => `${n['Node Type']} on ${n['Index Name'] ?? n['Relation Name']}`);
}
