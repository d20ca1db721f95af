// The statements that lock a submission's units keep index-lookup plans on a large
// unit_state that was never analysed (autovacuum may be off: the first 1,000,000-event
// run spent 35–108 s per statement in a merge join over the whole parent index,
// BENCHMARKS.md). Plan shapes are asserted, never timings: the machine is shared.
import { Client } from 'pg';
import type { Storage } from '../../libs/core/src/database/storage';
import { TransactionRepository } from '../../libs/store/src/transaction.repository';
import { lockStatements, UnitStateRepository } from '../../libs/store/src/unit-state.repository';
import { IngestFixture } from './fixture';
import {
  explain,
  knownToPlanner,
  nodeTypes,
  scansWithoutCondition,
  type Statement,
} from '../plan-shape';

const PALLETS = 1_000;
const CASES = 10_000; // 10 per pallet
const ROWS = 100_000; // 10 units per case, 89,000 units

const pallet = (n: number) => `p${String(n).padStart(7, '0')}`;
const caseOf = (n: number) => `c${String(PALLETS + n).padStart(7, '0')}`;
const unitOf = (n: number) => `u${String(PALLETS + CASES + n).padStart(7, '0')}`;

describe('unit_state lock statements on a large, never-analysed table', () => {
  let f: IngestFixture;
  let storage: Storage;
  let other: Client;

  beforeAll(async () => {
    f = await IngestFixture.start('unit_state_plans');
    storage = f.storage;
    // Pallets p…1–1000 hold cases c…1001–11000 (10 each), which hold units (10 each).
    await storage.prisma.$executeRawUnsafe(`
      INSERT INTO unit_state (identifier, kind, status, parent, commission_seq, updated_seq)
      SELECT CASE WHEN g <= ${PALLETS} THEN 'p' || lpad(g::text, 7, '0')
                  WHEN g <= ${PALLETS + CASES} THEN 'c' || lpad(g::text, 7, '0')
                  ELSE 'u' || lpad(g::text, 7, '0') END,
             (CASE WHEN g <= ${PALLETS + CASES} THEN 'LOGISTIC_UNIT' ELSE 'UNIT' END)::unit_kind,
             'ACTIVE'::package_status,
             CASE WHEN g <= ${PALLETS} THEN NULL
                  WHEN g <= ${PALLETS + CASES}
                    THEN 'p' || lpad((1 + (g - ${PALLETS + 1}) / 10)::text, 7, '0')
                  ELSE 'c' || lpad((${PALLETS + 1} + (g - ${PALLETS + CASES + 1}) / 10)::text, 7, '0')
             END,
             g, g
      FROM generate_series(1, ${ROWS}) g`);
    other = new Client({ connectionString: f.db.url });
    await other.connect();
  }, 120_000);

  afterAll(async () => {
    await other?.end();
    await f?.stop();
  });

  const plan = (statement: Statement) => explain(storage.prisma, statement);

  it('runs on a table the planner knows nothing about', async () => {
    expect(await knownToPlanner(storage.prisma, ['unit_state'])).toEqual([]);
  });

  it('where a join in the recursion is planned as a scan of a whole index (the control)', async () => {
    // The statement as it was: the planner, guessing, merge-joins the recursion.
    const old = await plan({
      text: `WITH RECURSIVE inside(identifier) AS (
              SELECT identifier FROM unit_state WHERE parent = ANY($1::text[])
              UNION
              SELECT u.identifier FROM unit_state u JOIN inside i ON u.parent = i.identifier)
            SELECT * FROM unit_state WHERE identifier IN (SELECT identifier FROM inside)
            ORDER BY identifier FOR UPDATE`,
      values: [[pallet(5)]],
    });
    expect(scansWithoutCondition(old, 'unit_state').length).toBeGreaterThan(0);
  });

  it.each([
    ['direct', () => lockStatements.direct([pallet(5), unitOf(7)])],
    ['inside', () => lockStatements.inside([pallet(5), caseOf(3)], [pallet(5), caseOf(3)])],
    ['outer', () => lockStatements.outer([caseOf(3), pallet(5)])],
  ])('%s: every read of unit_state is an index lookup on a key', async (_name, statement) => {
    const root = await plan(statement());
    expect(scansWithoutCondition(root, 'unit_state')).toEqual([]);
    const types = nodeTypes(root);
    expect(types).not.toContain('Merge Join');
    expect(types).not.toContain('Hash Join');
    expect(types).not.toContain('Seq Scan');
  });

  it('locks a pallet with its cases and their units, and reads the pallets a unit is in', async () => {
    const repo = f.module.get(UnitStateRepository);
    const transactions = f.module.get(TransactionRepository);
    const cases = Array.from({ length: 10 }, (_, i) => caseOf(40 + i + 1)); // pallet 5's
    const units = cases.flatMap((_, c) =>
      Array.from({ length: 10 }, (_, i) => unitOf((40 + c) * 10 + i + 1)),
    );
    const elsewhere = unitOf(1);

    const lockedNow = async (identifier: string): Promise<boolean> => {
      await other.query('BEGIN');
      try {
        await other.query('SELECT 1 FROM unit_state WHERE identifier = $1 FOR UPDATE NOWAIT', [
          identifier,
        ]);
        return false;
      } catch (err) {
        if ((err as { code?: string }).code === '55P03') return true;
        throw err;
      } finally {
        await other.query('ROLLBACK');
      }
    };

    await transactions.run(async (tx) => {
      const states = await repo.lockForIngest(tx, [pallet(5), elsewhere]);
      const byId = new Map(states.map((s) => [s.identifier, s]));
      expect(byId.size).toBe(states.length);
      expect([...byId.keys()].sort()).toEqual(
        [pallet(5), ...cases, ...units, elsewhere, caseOf(1), pallet(1)].sort(),
      );
      expect(byId.get(units[99]!)?.parent).toBe(cases[9]);
      expect(byId.get(cases[0]!)?.parent).toBe(pallet(5));
      expect(byId.get(caseOf(1))?.parent).toBe(pallet(1));
      // The pallet's contents and the units asked are locked; the containers read above
      // the unit only to refuse packing cycles are not.
      expect(await lockedNow(pallet(5))).toBe(true);
      expect(await lockedNow(cases[4]!)).toBe(true);
      expect(await lockedNow(units[57]!)).toBe(true);
      expect(await lockedNow(elsewhere)).toBe(true);
      expect(await lockedNow(caseOf(1))).toBe(false);
      expect(await lockedNow(pallet(6))).toBe(false);
    });
  });
});
