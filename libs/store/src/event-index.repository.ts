// The one owner of the index tables beside the log (docs/adr/0010): event_item (which
// identifiers an event names, and how), recall (the recalled lots) and item_tally (per
// identifier, and per GTIN's recalls, how many rows there are and the last seq). They are
// derived from the signed events: a verdict that depends on them re-derives them first.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import { prismaOf, sqlName, type Tx } from './transaction.repository';

/** An index row as ingest inserts it beside its event. */
export interface NewEventItem {
  readonly identifier: string;
  readonly eventSeq: bigint;
  readonly role: 'ITEM' | 'PARENT' | 'LOT';
  readonly flag: string | null;
}

/** An item_tally row: how many index rows name its key, and the last one's seq. */
export interface Tally {
  readonly eventCount: bigint;
  readonly lastSeq: bigint;
}

/** A recall row as stored. */
export interface RecallRow {
  readonly gtin: string;
  readonly lot: string;
  readonly eventSeq: bigint;
}

/** A tally that disagrees with the index rows it counts. */
export interface TallyDifference {
  readonly key: string;
  readonly tally: { count: number; lastSeq: string } | null;
  readonly rows: { count: number; lastSeq: string } | null;
}

/**
 * How a PACK step reads: `joins`, as plain joins the planner orders (right when the CTE
 * starts from one identifier, as verifyPackage's history does: its estimates stay small);
 * `per-row`, each read a LATERAL subquery the planner may not flatten (OFFSET 0), so it runs
 * once per row of the work table, by key, whatever the statistics say. The EPCIS read rule
 * starts from everything a partner held: as plain joins on analysed tables, the planner's
 * guess at that work table (ten times its first term) made it hash-join a scan of the whole
 * of event_item into every step.
 */
export type PackStepPlan = 'joins' | 'per-row';

/**
 * The recursive term of a CTE `cte(identifier, depth)` that goes down one PACK: what was
 * packed in its identifiers (an SSCC's contents), while `depth < maxDepth`. For statements
 * of other read models that follow PACK events (verifyPackage's history, the EPCIS read
 * rule), so that event_item's SQL is still written here. Each step joins on keys only
 * (event_item by identifier, ledger_event by seq, event_item by event_seq): the plan specs
 * (test/verification/history-plans, test/epcis/read-rule-plans) pin it to key lookups.
 */
export function packedInStep(
  cte: string,
  maxDepth: number,
  plan: PackStepPlan = 'joins',
): Prisma.Sql {
  return packStep(cte, maxDepth, plan, { from: 'p', fromRole: 'PARENT', to: 'c', toRole: 'ITEM' });
}

/** The same step going up one PACK: the SSCCs the CTE's identifiers were packed in. */
export function packedIntoStep(
  cte: string,
  maxDepth: number,
  plan: PackStepPlan = 'joins',
): Prisma.Sql {
  return packStep(cte, maxDepth, plan, { from: 'i', fromRole: 'ITEM', to: 'p', toRole: 'PARENT' });
}

/** The row naming the CTE's identifier (`from`) and the other side of its PACK event (`to`). */
interface PackSides {
  readonly from: 'p' | 'i';
  readonly fromRole: 'PARENT' | 'ITEM';
  readonly to: 'c' | 'p';
  readonly toRole: 'PARENT' | 'ITEM';
}

function packStep(cte: string, maxDepth: number, plan: PackStepPlan, sides: PackSides): Prisma.Sql {
  const name = Prisma.raw(sqlName(cte, 'cte'));
  const [from, to] = [Prisma.raw(sides.from), Prisma.raw(sides.to)];
  const [fromRole, toRole] = [Prisma.raw(`'${sides.fromRole}'`), Prisma.raw(`'${sides.toRole}'`)];
  if (plan === 'per-row')
    return Prisma.sql`SELECT ${to}.identifier, ${name}.depth + 1
        FROM ${name}
        CROSS JOIN LATERAL (SELECT ${from}.event_seq FROM event_item ${from}
           WHERE ${from}.identifier = ${name}.identifier AND ${from}.role = ${fromRole} OFFSET 0) ${from}
        CROSS JOIN LATERAL (SELECT pe.seq FROM ledger_event pe
           WHERE pe.seq = ${from}.event_seq AND pe.type = 'PACK' OFFSET 0) pe
        CROSS JOIN LATERAL (SELECT ${to}.identifier FROM event_item ${to}
           WHERE ${to}.event_seq = pe.seq AND ${to}.role = ${toRole} OFFSET 0) ${to}
       WHERE ${name}.depth < ${maxDepth}`;
  return Prisma.sql`SELECT ${to}.identifier, ${name}.depth + 1
        FROM ${name}
        JOIN event_item ${from} ON ${from}.identifier = ${name}.identifier AND ${from}.role = ${fromRole}
        JOIN ledger_event pe ON pe.seq = ${from}.event_seq AND pe.type = 'PACK'
        JOIN event_item ${to} ON ${to}.event_seq = pe.seq AND ${to}.role = ${toRole}
       WHERE ${name}.depth < ${maxDepth}`;
}

@Injectable()
export class EventIndexRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** Every recall row, in (gtin, lot) order. */
  async recallRows(): Promise<RecallRow[]> {
    const rows = await this.storage.prisma.$queryRawUnsafe<
      { gtin: string; lot: string; event_seq: bigint }[]
    >('SELECT gtin, lot, event_seq FROM recall ORDER BY gtin, lot');
    return rows.map((r) => ({ gtin: r.gtin, lot: r.lot, eventSeq: BigInt(r.event_seq) }));
  }

  /**
   * Every tally (item_tally) that differs from the index rows it counts: event_item rows
   * naming the identifier as ITEM or PARENT, recall rows of the GTIN. One statement.
   */
  async tallyDifferences(): Promise<TallyDifference[]> {
    const rows = await this.storage.prisma.$queryRawUnsafe<
      {
        key: string;
        t_count: bigint | null;
        t_last: bigint | null;
        r_count: bigint | null;
        r_last: bigint | null;
      }[]
    >(
      `WITH counted AS (
         SELECT identifier AS key, count(*) AS n, max(event_seq) AS last
           FROM event_item WHERE role <> 'LOT' GROUP BY identifier
         UNION ALL
         SELECT 'recall:' || gtin, count(*), max(event_seq) FROM recall GROUP BY gtin
       )
       SELECT coalesce(t.key, c.key) AS key, t.event_count AS t_count, t.last_seq AS t_last,
              c.n AS r_count, c.last AS r_last
         FROM item_tally t FULL JOIN counted c ON c.key = t.key
        WHERE t.key IS NULL OR c.key IS NULL OR t.event_count <> c.n OR t.last_seq <> c.last
        ORDER BY 1 LIMIT 1000`,
    );
    const side = (count: bigint | null, last: bigint | null) =>
      count === null ? null : { count: Number(count), lastSeq: String(last) };
    return rows.map((r) => ({
      key: r.key,
      tally: side(r.t_count, r.t_last),
      rows: side(r.r_count, r.r_last),
    }));
  }

  /**
   * Inserts the index rows and, in the same statement, adds them to the tallies of their
   * identifiers (ITEM and PARENT rows: what a verification finds a unit's events by).
   */
  async insertItems(tx: Tx, items: readonly NewEventItem[]): Promise<void> {
    if (items.length === 0) return;
    await prismaOf(tx).$executeRaw`
      WITH inserted AS (
        INSERT INTO event_item (identifier, event_seq, role, flag)
        SELECT i.identifier, i.event_seq::bigint, i.role::item_role, i.flag
        FROM unnest(
          ${items.map((i) => i.identifier)}::text[],
          ${items.map((i) => i.eventSeq.toString())}::text[],
          ${items.map((i) => i.role)}::text[],
          ${items.map((i) => i.flag)}::text[]
        ) AS i(identifier, event_seq, role, flag)
        RETURNING identifier, event_seq, role
      )
      INSERT INTO item_tally (key, event_count, last_seq)
      SELECT identifier, count(*), max(event_seq) FROM inserted WHERE role <> 'LOT'
      GROUP BY identifier ORDER BY identifier
      ON CONFLICT (key) DO UPDATE
        SET event_count = item_tally.event_count + excluded.event_count,
            last_seq = greatest(item_tally.last_seq, excluded.last_seq)`;
  }

  /** Records recalled lots and tallies them per GTIN; a lot recalled twice keeps its first recall. */
  async insertRecalls(tx: Tx, recalls: readonly RecallRow[]): Promise<void> {
    if (recalls.length === 0) return;
    await prismaOf(tx).$executeRaw`
      WITH inserted AS (
        INSERT INTO recall (gtin, lot, event_seq)
        SELECT r.gtin, r.lot, r.event_seq::bigint
        FROM unnest(
          ${recalls.map((r) => r.gtin)}::text[],
          ${recalls.map((r) => r.lot)}::text[],
          ${recalls.map((r) => r.eventSeq.toString())}::text[]
        ) AS r(gtin, lot, event_seq)
        ON CONFLICT (gtin, lot) DO NOTHING
        RETURNING gtin, event_seq
      )
      INSERT INTO item_tally (key, event_count, last_seq)
      SELECT 'recall:' || gtin, count(*), max(event_seq) FROM inserted
      GROUP BY gtin ORDER BY gtin
      ON CONFLICT (key) DO UPDATE
        SET event_count = item_tally.event_count + excluded.event_count,
            last_seq = greatest(item_tally.last_seq, excluded.last_seq)`;
  }
}
