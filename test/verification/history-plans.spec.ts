// verifyPackage's history statement reads every table by a key lookup on a large ledger,
// never analysed and analysed: item_tally holds a row per identifier ever seen, and the
// tallies' `IN (subquery) OR key = …` read all of it on every scan (265–390 ms on 920,000
// rows, BENCHMARKS.md step 7). Plan shapes are asserted, never timings: the machine is shared.
import {
  EventHistoryRepository,
  historyStatement,
} from '../../libs/store/src/event-history.repository';
import {
  explain,
  knownToPlanner,
  nodeTypes,
  planDatabase,
  scansWithoutCondition,
  seqScans,
} from '../plan-shape';

const CASES = 5_000; // 10 units each, a 15-event trail per case
const EVENTS = 200_000; // the rest is filler: one SHIP of its own item each
const GTIN = '09506000134352';
const TABLES = ['ledger_event', 'event_item', 'item_tally'];

const unit = (c: number, k: number) => `u${c}-${k}`;

describe('the history statement on a large ledger', () => {
  const db = planDatabase('history_plans', async (sql) => {
    // Case c: its 10 units commissioned (seq 15c+1…15c+10), packed (15c+11), then the case
    // shipped and received twice; after the cases, filler. Content is never re-checked here.
    await sql(`
      INSERT INTO participant (id, name, roles, company_prefixes, license_number, license_authority, license_valid_until)
      SELECT 'p' || g, 'P', '{}', '{}', 'L1', 'EMA', '2099-01-01' FROM generate_series(0, 27) g`);
    await sql(`
      INSERT INTO participant_key (participant_id, key_id, public_key)
      SELECT 'p' || g, 'k1', '\\x00' FROM generate_series(0, 27) g`);
    await sql(`
      INSERT INTO ledger_event (seq, event_id, type, actor, key_id, signature, event_json,
                                content_hash, event_time, leaf_index, block_height)
      SELECT g, 'e' || g,
             (CASE WHEN g > ${CASES * 15} THEN 'SHIP'
                   WHEN (g - 1) % 15 < 10 THEN 'COMMISSION'
                   WHEN (g - 1) % 15 = 10 THEN 'PACK'
                   WHEN (g - 1) % 15 IN (11, 13) THEN 'SHIP' ELSE 'RECEIVE' END)::event_type,
             'p' || (g % 28), 'k1', repeat('s', 86), '{"to":"' || repeat('x', 300) || '"}',
             '\\x00', now(), g - 1, (g - 1) / 5000
      FROM generate_series(1, ${EVENTS}) g`);
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
    await sql(`
      INSERT INTO item_tally (key, event_count, last_seq)
      SELECT identifier, count(*), max(event_seq) FROM event_item GROUP BY identifier`);
    await sql(`
      INSERT INTO block (height, prev_hash, first_leaf_index, event_count, tree_size, root_hash,
                         sealed_at, hash, checkpoint)
      SELECT h, 'p' || h, h * 5000, 5000, (h + 1) * 5000, 'r', 's', 'h' || h, 'c'
      FROM generate_series(0, ${EVENTS / 5000 - 1}) h`);
  });

  const plan = (identifier: string) =>
    explain(db.storage.prisma, historyStatement(identifier, GTIN, 16));

  it('runs first on tables the planner knows nothing about', async () => {
    expect(await knownToPlanner(db.storage.prisma, TABLES)).toEqual([]);
  });

  it('where the tallies as `IN (subquery) OR key = …` scan all of item_tally (the control)', async () => {
    const statement = historyStatement(unit(7, 3), GTIN, 16);
    const lookup = `WHERE t.key = ANY (ARRAY(SELECT identifier FROM ids) || ('recall:' || $`;
    expect(statement.text).toContain(lookup);
    const old = statement.text.replace(
      /WHERE t\.key = ANY \(ARRAY\(SELECT identifier FROM ids\) \|\| \('recall:' \|\| (\$\d+)::text\)\)\)/,
      "WHERE t.key IN (SELECT identifier FROM ids) OR t.key = 'recall:' || $1::text)",
    );
    expect(old).not.toEqual(statement.text);
    const root = await explain(db.storage.prisma, { text: old, values: statement.values });
    expect(seqScans(root)).toContain('item_tally');
  });

  const shapes = () =>
    it.each([
      ['a unit', unit(7, 3)],
      ['a case', 'c7'],
      ['filler', `f${EVENTS - 3}`],
    ])('%s: every read of the ledger tables is a key lookup', async (_name, identifier) => {
      const root = await plan(identifier);
      for (const table of TABLES) expect(scansWithoutCondition(root, table)).toEqual([]);
      expect(seqScans(root).filter((t) => TABLES.includes(t))).toEqual([]);
      expect(nodeTypes(root)).not.toContain('Merge Join');
    });

  describe('never analysed', shapes);

  describe('analysed', () => {
    beforeAll(async () => {
      await db.storage.prisma.$executeRawUnsafe('ANALYZE ledger_event, event_item, item_tally');
    }, 120_000);
    shapes();
  });

  it('and reads a unit’s trail with its tallies', async () => {
    const history = await new EventHistoryRepository(db.storage).history(unit(7, 3), GTIN, 16);
    expect(history.events.map((e) => Number(e.seq))).toEqual([
      7 * 15 + 4,
      ...Array.from({ length: 5 }, (_, i) => 7 * 15 + 11 + i),
    ]);
    expect(history.events[1]!.items).toHaveLength(11);
    expect(Object.fromEntries(history.tallies)).toEqual({
      [unit(7, 3)]: { eventCount: 2n, lastSeq: BigInt(7 * 15 + 11) },
      c7: { eventCount: 5n, lastSeq: BigInt(7 * 15 + 15) },
    });
  });
});
