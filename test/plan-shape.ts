// Plan-shape assertions for statements that must not depend on statistics: EXPLAIN
// (FORMAT JSON) of the product's very statement, walked node by node. Shapes, never
// timings: the machines that run the tests are shared.
import { openStorage, type Storage } from '../libs/core/src/database/storage';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from './storage';

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

/** The tables `root` reads by a sequential scan. */
export const seqScans = (root: PlanNode): string[] =>
  planNodes(root)
    .filter((n) => n['Node Type'] === 'Seq Scan')
    .map((n) => String(n['Relation Name']));

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

/** The database of a spec that runs the store's statements on tables it filled itself. */
export interface PlanDatabase {
  /** Open from the enclosing describe's beforeAll to its afterAll. */
  readonly storage: Storage;
}

/**
 * A database of its own for the enclosing describe: created and migrated in its beforeAll,
 * then filled by `fill` (raw SQL: rows of a realistic shape, never analysed), and closed and
 * dropped in its afterAll.
 */
export function planDatabase(
  label: string,
  fill: (sql: (text: string) => Promise<number>) => Promise<void>,
  timeout = 180_000,
): PlanDatabase {
  let db: TestDatabase | undefined;
  let storage: Storage | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(label);
    storage = await openStorage(serverConfig(db, testQueuePrefix(label)), { migrate: true });
    const open = storage;
    await fill((text) => open.prisma.$executeRawUnsafe(text));
  }, timeout);
  afterAll(async () => {
    await storage?.close();
    await db?.drop();
  });
  return {
    get storage(): Storage {
      if (storage === undefined)
        throw new Error(`planDatabase ${label}: not open outside its tests`);
      return storage;
    },
  };
}

/**
 * Which of `tables` the planner knows something about (analysed, or with a row estimate in
 * pg_class), or are not there, each with why: empty where a spec means to plan on tables as
 * large and as unknown to the planner as between two ANALYZEs (autovacuum may be off).
 */
export async function knownToPlanner(
  prisma: Pick<Storage['prisma'], '$queryRawUnsafe'>,
  tables: readonly string[],
): Promise<string[]> {
  const rows = await prisma.$queryRawUnsafe<{ name: string; known: string | null }[]>(
    `SELECT t.name,
            CASE WHEN s.relid IS NULL THEN 'not a table'
                 WHEN s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL THEN 'analysed'
                 WHEN c.reltuples <> -1 THEN c.reltuples::text || ' rows estimated' END AS known
       FROM unnest($1::text[]) AS t(name)
       LEFT JOIN pg_stat_user_tables s ON s.relname = t.name
       LEFT JOIN pg_class c ON c.oid = s.relid
      ORDER BY t.name`,
    [...tables],
  );
  return rows.flatMap((r) => (r.known === null ? [] : [`${r.name}: ${r.known}`]));
}
