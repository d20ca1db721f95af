// The recursive PACK step that verifyPackage's history and the EPCIS read rule share
// (event-index.repository.ts): the SQL each direction produces, its one parameter, the
// refusal of a CTE name that is not an SQL name, and, on PostgreSQL, what each direction
// follows (PACK events only, never UNPACK, at most the depth asked for).
import { Prisma } from '@custos/core/generated/prisma/client';
import { planDatabase } from '../../../test/plan-shape';
import { packedInStep, packedIntoStep } from './event-index.repository';

const oneLine = (sql: Prisma.Sql) => sql.text.replace(/\s+/g, ' ').trim();

describe('packedInStep and packedIntoStep', () => {
  it.each([
    [
      'down from a container to what was packed in it',
      packedInStep('held', 16),
      'SELECT c.identifier, held.depth + 1 FROM held' +
        " JOIN event_item p ON p.identifier = held.identifier AND p.role = 'PARENT'" +
        " JOIN ledger_event pe ON pe.seq = p.event_seq AND pe.type = 'PACK'" +
        " JOIN event_item c ON c.event_seq = pe.seq AND c.role = 'ITEM'" +
        ' WHERE held.depth < $1',
      [16],
    ],
    [
      'up from an identifier to the containers it was packed in',
      packedIntoStep('ids', 4),
      'SELECT p.identifier, ids.depth + 1 FROM ids' +
        " JOIN event_item i ON i.identifier = ids.identifier AND i.role = 'ITEM'" +
        " JOIN ledger_event pe ON pe.seq = i.event_seq AND pe.type = 'PACK'" +
        " JOIN event_item p ON p.event_seq = pe.seq AND p.role = 'PARENT'" +
        ' WHERE ids.depth < $1',
      [4],
    ],
    [
      'down, one read at a time per row of the work table',
      packedInStep('held', 16, 'per-row'),
      'SELECT c.identifier, held.depth + 1 FROM held' +
        ' CROSS JOIN LATERAL (SELECT p.event_seq FROM event_item p' +
        " WHERE p.identifier = held.identifier AND p.role = 'PARENT' OFFSET 0) p" +
        ' CROSS JOIN LATERAL (SELECT pe.seq FROM ledger_event pe' +
        " WHERE pe.seq = p.event_seq AND pe.type = 'PACK' OFFSET 0) pe" +
        ' CROSS JOIN LATERAL (SELECT c.identifier FROM event_item c' +
        " WHERE c.event_seq = pe.seq AND c.role = 'ITEM' OFFSET 0) c" +
        ' WHERE held.depth < $1',
      [16],
    ],
  ])('go %s', (_direction, step, text, values) => {
    expect(oneLine(step)).toBe(text);
    expect(step.values).toEqual(values);
  });

  it('number their parameter after those of the statement they stand in', () => {
    const statement = Prisma.sql`WITH RECURSIVE x(identifier, depth) AS (
      SELECT ${'c1'}::text, 0 UNION ${packedInStep('x', 3)}) SELECT ${'last'}`;
    expect(statement.text).toContain('WHERE x.depth < $2');
    expect(statement.values).toEqual(['c1', 3, 'last']);
  });

  it.each(['', 'Held', 'held x', 'held;DROP TABLE event_item', '1held', 'held"'])(
    'refuse %j as a CTE name',
    (name) => {
      expect(() => packedInStep(name, 16)).toThrow(/not an SQL name/);
      expect(() => packedIntoStep(name, 16)).toThrow(/not an SQL name/);
    },
  );
});

describe('the PACK steps on PostgreSQL', () => {
  // Pallet P holds cases C1 (seq 3) and C2 (seq 4); C1 holds u1 and u2 (seq 1), C2 holds u3
  // (seq 2); u3 was unpacked from X (seq 5): an UNPACK names a parent too, and is not followed.
  const db = planDatabase('pack_step', async (sql) => {
    await sql(`
      INSERT INTO participant (id, name, roles, company_prefixes, license_number, license_authority, license_valid_until)
      VALUES ('m', 'M', '{}', '{}', 'L1', 'EMA', '2099-01-01')`);
    await sql(`
      INSERT INTO ledger_event (seq, event_id, type, actor, key_id, signature, event_json, content_hash, event_time)
      SELECT g, 'e' || g, t::event_type, 'm', 'k1', 's', '{}', '\\x00', now()
      FROM unnest(ARRAY[1, 2, 3, 4, 5], ARRAY['PACK', 'PACK', 'PACK', 'PACK', 'UNPACK']) AS x(g, t)`);
    await sql(`
      INSERT INTO event_item (identifier, event_seq, role) VALUES
        ('C1', 1, 'PARENT'), ('u1', 1, 'ITEM'), ('u2', 1, 'ITEM'),
        ('C2', 2, 'PARENT'), ('u3', 2, 'ITEM'),
        ('P', 3, 'PARENT'), ('C1', 3, 'ITEM'),
        ('P', 4, 'PARENT'), ('C2', 4, 'ITEM'),
        ('X', 5, 'PARENT'), ('u3', 5, 'ITEM')`);
  });

  const follow = async (
    step: (cte: string, maxDepth: number) => Prisma.Sql,
    from: string,
    depth: number,
  ) => {
    const rows = await db.storage.prisma.$queryRaw<{ identifier: string; depth: number }[]>(
      Prisma.sql`WITH RECURSIVE walk(identifier, depth) AS (
        SELECT ${from}::text, 0 UNION ${step('walk', depth)})
        SELECT identifier, depth FROM walk ORDER BY depth, identifier`,
    );
    return rows.map((r) => `${r.identifier}@${r.depth}`);
  };

  it('down: what was packed in a pallet, case by case, as deep as asked', async () => {
    expect(await follow(packedInStep, 'P', 16)).toEqual([
      'P@0',
      'C1@1',
      'C2@1',
      'u1@2',
      'u2@2',
      'u3@2',
    ]);
    expect(await follow(packedInStep, 'P', 1)).toEqual(['P@0', 'C1@1', 'C2@1']);
  });

  it('up: what holds a unit, not what it was unpacked from', async () => {
    expect(await follow(packedIntoStep, 'u1', 16)).toEqual(['u1@0', 'C1@1', 'P@2']);
    expect(await follow(packedIntoStep, 'u3', 16)).toEqual(['u3@0', 'C2@1', 'P@2']);
    expect(await follow(packedInStep, 'X', 16)).toEqual(['X@0']);
  });

  it.each(['P', 'C1', 'C2', 'u1', 'u3', 'X'])(
    'per-row follows the same PACKs from %s as joins, both ways and at each depth',
    async (from) => {
      for (const [step, depth] of [
        [packedInStep, 16],
        [packedInStep, 1],
        [packedIntoStep, 16],
        [packedIntoStep, 1],
      ] as const) {
        const perRow = (cte: string, d: number) => step(cte, d, 'per-row');
        expect(await follow(perRow, from, depth)).toEqual(await follow(step, from, depth));
      }
    },
  );
});
