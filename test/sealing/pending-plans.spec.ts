// The sealer's reads of the pending events (leaf_index IS NULL) go through the partial
// index that holds only them, on a large ledger that was never analysed (autovacuum may
// be off: the pending count took 1.0–1.6 s on 968k events, BENCHMARKS.md). Plan shapes
// are asserted, never timings: the machine is shared.
import { pendingStatements } from '../../libs/store/src/ledger-event.repository';
import { explain, knownToPlanner, planDatabase, type PlanNode, planNodes } from '../plan-shape';

const SEALED = 199_000;
const PENDING = 1_000;

/** How each node reads ledger_event: its index, or the table itself. */
const reads = (root: PlanNode): string[] =>
  planNodes(root)
    .filter(
      (n) =>
        n['Relation Name'] === 'ledger_event' ||
        (n['Index Name'] ?? '').startsWith('ledger_event_'),
    )
    .filter((n) => n['Node Type'] !== 'Bitmap Heap Scan') // its Bitmap Index Scan names the index
    .map((n) => n['Index Name'] ?? n['Node Type']);

const filters = (root: PlanNode): string[] =>
  planNodes(root).flatMap((n) => (typeof n.Filter === 'string' ? [n.Filter] : []));

describe('pending-event statements on a large, never-analysed ledger', () => {
  const db = planDatabase('pending_plans', async (sql) => {
    // The plans do not read the rows' content: filler of a realistic width will do.
    await sql(`
      INSERT INTO ledger_event (event_id, type, actor, key_id, signature, event_json,
                                content_hash, event_time, leaf_index, block_height)
      SELECT 'e' || g, 'SHIP', 'a' || (g % 28), 'k1', repeat('s', 86), '{"to":"' || repeat('x', 400) || '"}',
             '\\x00', now(),
             CASE WHEN g <= ${SEALED} THEN g - 1 END, CASE WHEN g <= ${SEALED} THEN g / 1000 END
      FROM generate_series(1, ${SEALED + PENDING}) g`);
  });

  it('runs on a table the planner knows nothing about', async () => {
    expect(await knownToPlanner(db.storage.prisma, ['ledger_event'])).toEqual([]);
  });

  it('where, without the partial index, the oldest pending event is found by filtering every sealed one (the control)', async () => {
    // Dropped inside a transaction that is then rolled back: the index stays.
    const rollback = new Error('rollback');
    let root: PlanNode | undefined;
    await db.storage.prisma
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe('DROP INDEX ledger_event_pending_idx');
        root = await explain(tx, pendingStatements.status(1000));
        throw rollback;
      })
      .catch((err: unknown) => {
        if (err !== rollback) throw err;
      });
    expect(root).toBeDefined();
    expect(filters(root!).join(' ')).toMatch(/leaf_index IS NULL/);
  });

  it('the partial index is still there', async () => {
    const rows = await db.storage.prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'ledger_event_pending_idx'`,
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it.each([
    ['read', () => pendingStatements.read(1000, 5n)],
    ['status', () => pendingStatements.status(1000)],
    ['count', () => pendingStatements.count()],
  ])(
    '%s: reads ledger_event only through the partial index of pending events',
    async (_name, statement) => {
      const root = await explain(db.storage.prisma, statement());
      expect(reads(root).length).toBeGreaterThan(0);
      expect(new Set(reads(root))).toEqual(new Set(['ledger_event_pending_idx']));
      expect(filters(root).join(' ')).not.toMatch(/leaf_index/);
    },
  );

  it('and they read what is pending', async () => {
    const count = await db.storage.prisma.$queryRaw<{ count: bigint }[]>(pendingStatements.count());
    expect(Number(count[0]!.count)).toBe(PENDING);
    const read = await db.storage.prisma.$queryRaw<{ seq: bigint }[]>(
      pendingStatements.read(10, BigInt(SEALED + 5)),
    );
    expect(read.map((r) => Number(r.seq))).toEqual(
      Array.from({ length: 10 }, (_, i) => SEALED + 6 + i),
    );
  });
});
