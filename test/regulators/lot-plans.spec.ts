// lotTrace's statements (the lot's counts and one page of its units) take each unit's
// custodian from its outermost container by walking the `parent` chain of the lot's
// distinct containers. They must stay key lookups on a large unit_state that was never
// analysed (autovacuum may be off: a join in a recursion over unit_state was once planned
// as a merge join over a whole index, 35–108 s, BENCHMARKS.md), and analysed. Plan shapes
// are asserted, never timings: the machine is shared.
import { lotStatements, UnitStateRepository } from '../../libs/store/src/unit-state.repository';
import {
  explain,
  knownToPlanner,
  nodeTypes,
  planDatabase,
  scansWithoutCondition,
} from '../plan-shape';

const PALLETS = 1_000;
const CASES = 10_000; // 10 per pallet
const ROWS = 100_000; // 10 units per case, 89,000 units
const LOT_SIZE = 1_000; // unit n is of lot L(n / 1000): 89 lots, each 100 cases on 10 pallets
const GTIN = '09506000134352';

const unitOf = (n: number) => `u${String(PALLETS + CASES + n).padStart(7, '0')}`;

describe('lotTrace statements on a large unit_state', () => {
  const db = planDatabase('lot_plans', async (sql) => {
    // Pallets p…1–1000 (custodian P<n>) hold cases c…1001–11000 (10 each, custodian C<n>),
    // which hold units (10 each, custodian U); every tenth unit is packed in nothing.
    await sql(`
      INSERT INTO unit_state (identifier, kind, gtin, lot, status, custodian, parent,
                              commission_seq, updated_seq)
      SELECT CASE WHEN g <= ${PALLETS} THEN 'p' || lpad(g::text, 7, '0')
                  WHEN g <= ${PALLETS + CASES} THEN 'c' || lpad(g::text, 7, '0')
                  ELSE 'u' || lpad(g::text, 7, '0') END,
             (CASE WHEN g <= ${PALLETS + CASES} THEN 'LOGISTIC_UNIT' ELSE 'UNIT' END)::unit_kind,
             CASE WHEN g > ${PALLETS + CASES} THEN '${GTIN}' END,
             CASE WHEN g > ${PALLETS + CASES} THEN 'L' || ((g - ${PALLETS + CASES + 1}) / ${LOT_SIZE}) END,
             (CASE WHEN g % 7 = 0 THEN 'DISPENSED' ELSE 'ACTIVE' END)::package_status,
             CASE WHEN g <= ${PALLETS} THEN 'P' || g WHEN g <= ${PALLETS + CASES} THEN 'C' || g ELSE 'U' END,
             CASE WHEN g <= ${PALLETS} THEN NULL
                  WHEN g <= ${PALLETS + CASES}
                    THEN 'p' || lpad((1 + (g - ${PALLETS + 1}) / 10)::text, 7, '0')
                  WHEN g % 10 = 0 THEN NULL
                  ELSE 'c' || lpad((${PALLETS + 1} + (g - ${PALLETS + CASES + 1}) / 10)::text, 7, '0')
             END,
             g, g
      FROM generate_series(1, ${ROWS}) g`);
  });

  it('runs first on a table the planner knows nothing about', async () => {
    expect(await knownToPlanner(db.storage.prisma, ['unit_state'])).toEqual([]);
  });

  const shapes = () =>
    it.each([
      ['counts', () => lotStatements.counts(GTIN, 'L42')],
      ['first page', () => lotStatements.page(GTIN, 'L42', null, 101)],
      ['a later page', () => lotStatements.page(GTIN, 'L42', unitOf(42_500), 101)],
    ])('%s: every read of unit_state is an index lookup on a key', async (_name, statement) => {
      const root = await explain(db.storage.prisma, statement());
      expect(scansWithoutCondition(root, 'unit_state')).toEqual([]);
      // A merge or hash join of the two CTEs (the lot's units against their containers'
      // chains) reads no table; a join that scanned unit_state would show above.
      expect(nodeTypes(root)).not.toContain('Seq Scan');
    });

  describe('never analysed', shapes);

  describe('analysed', () => {
    beforeAll(async () => {
      await db.storage.prisma.$executeRawUnsafe('ANALYZE unit_state');
    }, 60_000);
    it('where the planner knows unit_state (and no table that is not there)', async () => {
      expect(await knownToPlanner(db.storage.prisma, ['unit_state', 'no_such_table'])).toEqual([
        'no_such_table: not a table',
        'unit_state: analysed',
      ]);
    });
    shapes();
  });

  it('and a unit’s custodian is its outermost container’s, else its own', async () => {
    const repo = new UnitStateRepository(db.storage);
    // Lot L42: units 42,001…43,000, in cases 5,201…5,300 on pallets 421…430.
    const page = await repo.lotPage(GTIN, 'L42', null, 12);
    expect(page.map((u) => [u.identifier, u.custodian])).toEqual(
      Array.from({ length: 12 }, (_, i) => {
        const n = 42_001 + i;
        return [unitOf(n), n % 10 === 0 ? 'U' : `P${1 + Math.floor((n - 1) / 100)}`];
      }),
    );
    const counts = await repo.lotCounts(GTIN, 'L42');
    const rows = Array.from({ length: LOT_SIZE }, (_, i) => PALLETS + CASES + 42_001 + i);
    const dispensed = rows.filter((g) => g % 7 === 0).length;
    expect(counts.byStatus).toEqual(
      [
        { status: 'ACTIVE', count: LOT_SIZE - dispensed },
        { status: 'DISPENSED', count: dispensed },
      ].sort((a, b) => b.count - a.count),
    );
    // 900 packed units on 10 pallets (90 each), 100 unpacked ones their own.
    expect(counts.byCustodian).toEqual([
      { custodian: 'U', count: 100 },
      ...Array.from({ length: 10 }, (_, i) => ({ custodian: `P${421 + i}`, count: 90 })).sort(
        (a, b) => a.custodian.localeCompare(b.custodian),
      ),
    ]);
  });
});
