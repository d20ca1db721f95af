// The EPCIS query under a trading partner's read rule (SPEC 7) finds what the partner held
// through the `held` CTE: its own events and those shipped to it, then, PACK by PACK, what
// was packed inside. Every step of that recursion must stay a key lookup on a large ledger,
// never analysed (autovacuum may be off; BENCHMARKS.md steps 7–9) and analysed (where, as
// plain joins, the step hash-joined a scan of all of event_item): one scan of event_item is
// a read of a row per item ever recorded, on every page of every query.
// Plan shapes are asserted, never timings: the machine is shared.
import type { EventQuery } from '../../libs/epcis/src/event-query';
import {
  EventQueryRepository,
  eventQueryStatement,
  type Reader,
} from '../../libs/store/src/event-query.repository';
import { Prisma } from '../../libs/core/src/generated/prisma/client';
import {
  explain,
  knownToPlanner,
  nodeTypes,
  planDatabase,
  type PlanNode,
  planNodes,
  scansWithoutCondition,
} from '../plan-shape';

const CASES = 5_000; // 10 units each, a 15-event trail per case
const EVENTS = 200_000; // the rest is filler: one SHIP of its own item each
const WHOLESALERS = 50; // case c goes to w(c % 50)
const TABLES = ['ledger_event', 'event_item'];

const query: EventQuery = {
  eventTime: {},
  recordTime: {},
  matchesNothing: false,
  perPage: 2000,
  orderDirection: 'ASC',
};
const partner = (id: string): Reader => ({ kind: 'partner', id });
const statement = (reader: Reader) =>
  eventQueryStatement(query, reader, [], Prisma.sql`e.seq ASC`, 2000);

/** The recursive term of the CTE `cte`: the plan of one step of its recursion. */
function recursiveStep(root: PlanNode, cte: string): PlanNode {
  const unions = planNodes(root).filter((n) => n['Node Type'] === 'Recursive Union');
  const steps = unions
    .map((u) => u.Plans?.[1])
    .filter((s): s is PlanNode => s !== undefined)
    .filter((s) =>
      planNodes(s).some((n) => n['Node Type'] === 'WorkTable Scan' && n['CTE Name'] === cte),
    );
  expect(steps).toHaveLength(1);
  return steps[0]!;
}

describe('the read rule’s held-units recursion on a large ledger', () => {
  const db = planDatabase('read_rule_plans', async (sql) => {
    // Case c: its 10 units commissioned by m(c % 10) (seq 15c+1…15c+10), packed (15c+11),
    // shipped to w(c % 50) (15c+12) and received by it (15c+13), then shipped on to and
    // received by d(c % 50) (15c+14, 15c+15); after the cases, filler. Content is never
    // re-checked here.
    await sql(`
      INSERT INTO participant (id, name, roles, company_prefixes, license_number, license_authority, license_valid_until)
      SELECT p, 'P', '{}', '{}', 'L1', 'EMA', '2099-01-01'
      FROM (SELECT 'm' || g AS p FROM generate_series(0, 9) g
            UNION ALL SELECT 'w' || g FROM generate_series(0, ${WHOLESALERS - 1}) g
            UNION ALL SELECT 'd' || g FROM generate_series(0, ${WHOLESALERS - 1}) g
            UNION ALL SELECT 'f' || g FROM generate_series(0, 27) g) ps`);
    await sql(`
      INSERT INTO ledger_event (seq, event_id, type, actor, key_id, signature, event_json,
                                content_hash, event_time, leaf_index, block_height)
      SELECT g, 'e' || g, t::event_type,
             CASE WHEN g > ${CASES * 15} THEN 'f' || (g % 28)
                  WHEN s < 11 THEN 'm' || (c % 10)
                  WHEN s IN (12, 13) THEN CASE WHEN t = 'SHIP' THEN 'm' || (c % 10) ELSE 'w' || (c % ${WHOLESALERS}) END
                  ELSE CASE WHEN t = 'SHIP' THEN 'w' || (c % ${WHOLESALERS}) ELSE 'd' || (c % ${WHOLESALERS}) END END,
             'k1', repeat('s', 86),
             CASE WHEN g > ${CASES * 15} THEN '{"to":"' || repeat('x', 300) || '"}'
                  WHEN s = 12 THEN '{"to":"w' || (c % ${WHOLESALERS}) || '"}'
                  WHEN s = 13 THEN '{"from":"m' || (c % 10) || '"}'
                  WHEN s = 14 THEN '{"to":"d' || (c % ${WHOLESALERS}) || '"}'
                  WHEN s = 15 THEN '{"from":"w' || (c % ${WHOLESALERS}) || '"}'
                  ELSE '{}' END,
             '\\x00', now(), g - 1, (g - 1) / 5000
      FROM generate_series(1, ${EVENTS}) g,
           LATERAL (SELECT (g - 1) / 15 AS c, (g - 1) % 15 + 1 AS s) cs,
           LATERAL (SELECT CASE WHEN g > ${CASES * 15} THEN 'SHIP'
                                WHEN s <= 10 THEN 'COMMISSION' WHEN s = 11 THEN 'PACK'
                                WHEN s IN (12, 14) THEN 'SHIP' ELSE 'RECEIVE' END AS t) ts`);
    await sql(`
      INSERT INTO event_item (identifier, event_seq, role)
      SELECT CASE WHEN g > ${CASES * 15} THEN 'f' || g
                  WHEN (g - 1) % 15 < 10 THEN 'u' || ((g - 1) / 15) || '-' || ((g - 1) % 15)
                  ELSE 'c' || ((g - 1) / 15) END,
             g, (CASE WHEN g <= ${CASES * 15} AND (g - 1) % 15 = 10 THEN 'PARENT' ELSE 'ITEM' END)::item_role
      FROM generate_series(1, ${EVENTS}) g`);
    await sql(`
      INSERT INTO event_item (identifier, event_seq, role)
      SELECT 'u' || c || '-' || k, c * 15 + 11, 'ITEM'
      FROM generate_series(0, ${CASES - 1}) c, generate_series(0, 9) k`);
  });

  it('runs first on tables the planner knows nothing about', async () => {
    expect(await knownToPlanner(db.storage.prisma, TABLES)).toEqual([]);
  });

  const shapes = () =>
    it.each([
      ['a wholesaler', 'w7'],
      ['a dispenser', 'd7'],
      ['a filler party', 'f3'],
    ])(
      '%s: each step of the held recursion reads the ledger tables by key',
      async (_name, party) => {
        const step = recursiveStep(
          await explain(db.storage.prisma, statement(partner(party))),
          'held',
        );
        for (const table of TABLES) expect(scansWithoutCondition(step, table)).toEqual([]);
        const types = nodeTypes(step);
        expect(types).not.toContain('Seq Scan');
        expect(types).not.toContain('Merge Join');
        expect(types).not.toContain('Hash Join');
      },
    );

  describe('never analysed', shapes);

  describe('analysed', () => {
    beforeAll(async () => {
      await db.storage.prisma.$executeRawUnsafe('ANALYZE ledger_event, event_item');
    });
    shapes();
  });

  it('and a partner reads the events of what was packed in a case it received, not others', async () => {
    const repo = new EventQueryRepository(db.storage);
    const seqs = (await repo.queryPage(query, partner('d7'), undefined, 2000)).map((e) =>
      Number(e.seq),
    );
    // d7 received cases 7, 57, 107, …: each case's whole 15-event trail, its units' commissions included.
    const cases = Array.from({ length: CASES / WHOLESALERS }, (_, i) => 7 + i * WHOLESALERS);
    expect(seqs).toEqual(
      cases.flatMap((c) => Array.from({ length: 15 }, (_, s) => c * 15 + s + 1)),
    );
  });
});
