// The owner of unit_state, the custody projection (docs/adr/0015). On the write path
// (libs/events' custody service), rows an ingest can change are locked (SELECT … FOR
// UPDATE, in identifier order) for the rest of its transaction, so two concurrent
// submissions touching the same unit are judged one after the other. On the read path,
// regulators' lot trace reads it by lot (index gtin, lot, identifier): a unit packed in a
// case that is packed in a pallet takes its custodian from the outermost container, the
// chain of `parent`s walked in SQL from the distinct containers only (a recursive CTE, so
// a lot of 100,000 units in 100 cases costs 100 short walks, never one query per unit).
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import type { ItemKind } from '@custos/custody/custody-event';
import type { PackageStatus, UnitStateRecord } from '@custos/custody/custody-projection';
import { prismaOf, sqlName, type Tx } from './transaction.repository';

export interface LotUnit {
  readonly identifier: string;
  readonly status: PackageStatus;
  /** Effective custodian: the outermost container's, else the unit's own. */
  readonly custodian: string | null;
}

export interface LotCounts {
  readonly byStatus: readonly { status: PackageStatus; count: number }[];
  readonly byCustodian: readonly { custodian: string | null; count: number }[];
}

/** Nesting deeper than this is not followed by the lot reads (ingest refuses cycles; this bounds a bad row). */
const MAX_DEPTH = 16;

interface Row {
  identifier: string;
  kind: ItemKind;
  gtin: string | null;
  lot: string | null;
  expiry: string | null;
  status: PackageStatus;
  custodian: string | null;
  parent: string | null;
  shipment_to: string | null;
  shipment_from: string | null;
  commission_seq: bigint;
  updated_seq: bigint;
}

const toRecord = (r: Row): UnitStateRecord => ({
  identifier: r.identifier,
  kind: r.kind,
  gtin: r.gtin,
  lot: r.lot,
  expiry: r.expiry,
  status: r.status,
  custodian: r.custodian,
  parent: r.parent,
  shipmentTo: r.shipment_to,
  shipmentFrom: r.shipment_from,
  commissionSeq: BigInt(r.commission_seq),
  updatedSeq: BigInt(r.updated_seq),
});

const COLUMNS = Prisma.sql`identifier, kind::text AS kind, gtin, lot, expiry, status::text AS status,
  custodian, parent, shipment_to, shipment_from, commission_seq, updated_seq`;

/**
 * lockForIngest's statements, written so that their plans cannot depend on statistics:
 * unit_state grows by hundreds of thousands of rows between ANALYZEs (autovacuum may be
 * off), and on a never-analysed 968,200-row table the planner merge-joined the recursion
 * against the whole parent index (35–108 s for 10 rows; BENCHMARKS.md). Each recursive
 * step is a LATERAL subquery on one row's key (OFFSET 0 keeps it from being flattened
 * back into a join), so it can only be an index lookup per row; the rows found are then
 * read by primary key from an array (`= ANY(ARRAY(…))`), never by a join the planner
 * could turn into a scan. FOR UPDATE is not allowed inside a recursive CTE: the outer
 * SELECT, which reads unit_state itself, takes the locks, in identifier order.
 * Exported for the tests that EXPLAIN them.
 */
export const lockStatements = {
  /** The states of `ids`, locked. */
  direct: (ids: readonly string[]): Prisma.Sql => Prisma.sql`
    SELECT ${COLUMNS}
    FROM unit_state WHERE identifier = ANY(${[...ids]}::text[])
    ORDER BY identifier FOR UPDATE`,

  /** Everything packed, recursively, in `containers`, except `ids` (locked already), locked. */
  inside: (containers: readonly string[], ids: readonly string[]): Prisma.Sql => Prisma.sql`
    WITH RECURSIVE inside(identifier) AS (
      SELECT identifier FROM unit_state WHERE parent = ANY(${[...containers]}::text[])
      UNION
      SELECT c.identifier FROM inside i
      CROSS JOIN LATERAL (SELECT u.identifier FROM unit_state u
                          WHERE u.parent = i.identifier OFFSET 0) c
    )
    SELECT ${COLUMNS}
    FROM unit_state
    WHERE identifier = ANY(ARRAY(SELECT identifier FROM inside))
      AND NOT (identifier = ANY(${[...ids]}::text[]))
    ORDER BY identifier FOR UPDATE`,

  /** The SSCCs `parents` are and are packed in, recursively (64 levels at most), unlocked. */
  outer: (parents: readonly string[]): Prisma.Sql => Prisma.sql`
    WITH RECURSIVE outer_(identifier, parent, depth) AS (
      SELECT identifier, parent, 0 FROM unit_state WHERE identifier = ANY(${[...parents]}::text[])
      UNION
      SELECT p.identifier, p.parent, o.depth + 1 FROM outer_ o
      CROSS JOIN LATERAL (SELECT u.identifier, u.parent FROM unit_state u
                          WHERE u.identifier = o.parent OFFSET 0) p
      WHERE o.depth < 64
    )
    SELECT ${COLUMNS}
    FROM unit_state WHERE identifier = ANY(ARRAY(SELECT identifier FROM outer_))`,
};

/**
 * The CTEs `chain` and `outermost` of a lotTrace statement: for each distinct container
 * (`parent`) of the rows of the CTE `units`, the custodian of the outermost container it
 * is packed in, walked up the `parent` chain (at most MAX_DEPTH levels) from the distinct
 * containers only, never once per unit.
 */
function outermostOf(units: string): Prisma.Sql {
  const from = Prisma.raw(sqlName(units, 'units'));
  return Prisma.sql`chain(start, custodian, parent, depth) AS (
        SELECT u.identifier, u.custodian, u.parent, 0 FROM unit_state u
        WHERE u.identifier IN (SELECT DISTINCT parent FROM ${from} WHERE parent IS NOT NULL)
        UNION ALL
        SELECT c.start, u.custodian, u.parent, c.depth + 1
        FROM chain c JOIN unit_state u ON u.identifier = c.parent
        WHERE c.depth < ${MAX_DEPTH}
      ),
      outermost AS (
        SELECT DISTINCT ON (start) start, custodian FROM chain ORDER BY start, depth DESC
      )`;
}

/**
 * A unit's effective custodian: that of the outermost container of its parent (the
 * `outermost` row `outer`, LEFT JOINed on `outer.start = unit.parent`), else its own.
 */
function custodianOf(unit: string, outer: string): Prisma.Sql {
  const [u, o] = [Prisma.raw(sqlName(unit)), Prisma.raw(sqlName(outer))];
  return Prisma.sql`CASE WHEN ${o}.start IS NULL THEN ${u}.custodian ELSE ${o}.custodian END`;
}

/**
 * lotTrace's statements over one lot (index gtin, lot, identifier), the custodian of a unit
 * packed in a case packed in a pallet taken from the outermost container. Exported for the
 * test that EXPLAINs them.
 */
export const lotStatements = {
  /** Counts by status and by effective custodian over the whole lot. */
  counts: (gtin: string, lot: string): Prisma.Sql => Prisma.sql`
      WITH RECURSIVE lot_units AS (
        SELECT status, custodian, parent FROM unit_state
        WHERE gtin = ${gtin} AND lot = ${lot} AND kind = 'UNIT'
      ),
      ${outermostOf('lot_units')},
      effective AS (
        SELECT l.status, ${custodianOf('l', 'o')} AS custodian
        FROM lot_units l LEFT JOIN outermost o ON o.start = l.parent
      )
      SELECT GROUPING(custodian)::int AS by_status, status::text AS status, custodian,
             count(*)::int AS n
      FROM effective
      GROUP BY GROUPING SETS ((status), (custodian))`,

  /** Up to `limit` units of the lot after `after` (identifier order), with their effective custodian. */
  page: (gtin: string, lot: string, after: string | null, limit: number): Prisma.Sql =>
    Prisma.sql`
      WITH RECURSIVE page AS (
        SELECT identifier, status, custodian, parent FROM unit_state
        WHERE gtin = ${gtin} AND lot = ${lot} AND kind = 'UNIT'
          AND (${after}::text IS NULL OR identifier > ${after}::text)
        ORDER BY identifier
        LIMIT ${limit}
      ),
      ${outermostOf('page')}
      SELECT p.identifier, p.status::text AS status, ${custodianOf('p', 'o')} AS custodian
      FROM page p LEFT JOIN outermost o ON o.start = p.parent
      ORDER BY p.identifier`,
};

/**
 * A JOIN of unit_state `unitAlias` on the units of the lot that the row `lotAlias` of the
 * caller's statement names (its `gtin` and `lot` columns): for a read of other tables that
 * must stay one statement (the EPCIS query's read rule: recalls of lots a party held), so
 * that unit_state's SQL is still written here. The aliases are the caller's SQL names.
 */
export function joinUnitsOfLot(lotAlias: string, unitAlias: string): Prisma.Sql {
  const lot = Prisma.raw(sqlName(lotAlias));
  const unit = Prisma.raw(sqlName(unitAlias));
  return Prisma.sql`JOIN unit_state ${unit} ON ${unit}.gtin = ${lot}.gtin AND ${unit}.lot = ${lot}.lot`;
}

@Injectable()
export class UnitStateRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /**
   * Locks and returns the states of `identifiers` and of everything packed, recursively,
   * in the logistic units among them; plus, unlocked, the SSCCs they are packed in (read
   * only: to refuse packing cycles). Costs O(rows returned).
   */
  async lockForIngest(tx: Tx, identifiers: readonly string[]): Promise<UnitStateRecord[]> {
    if (identifiers.length === 0) return [];
    const prisma = prismaOf(tx);
    const ids = [...identifiers];
    const direct = await prisma.$queryRaw<Row[]>(lockStatements.direct(ids));
    const containers = direct.filter((r) => r.kind === 'LOGISTIC_UNIT').map((r) => r.identifier);
    // A second statement sees what committed while we waited for the first one's locks,
    // so a unit packed into one of these SSCCs just before is found and locked too.
    const inside =
      containers.length === 0
        ? []
        : await prisma.$queryRaw<Row[]>(lockStatements.inside(containers, ids));
    const withParent = direct.filter((r) => r.parent !== null).map((r) => r.parent!);
    const loaded = new Set([...direct, ...inside].map((r) => r.identifier));
    const outer =
      withParent.length === 0
        ? []
        : await prisma.$queryRaw<Row[]>(lockStatements.outer(withParent));
    return [...direct, ...inside, ...outer.filter((r) => !loaded.has(r.identifier))].map(toRecord);
  }

  /** Inserts new states; fails on one that exists (a concurrent ingest created it). */
  async insert(tx: Tx, states: readonly UnitStateRecord[]): Promise<void> {
    if (states.length === 0) return;
    await prismaOf(tx).$executeRaw`
      INSERT INTO unit_state (identifier, kind, gtin, lot, expiry, status, custodian, parent,
                              shipment_to, shipment_from, commission_seq, updated_seq)
      SELECT s.identifier, s.kind::unit_kind, s.gtin, s.lot, s.expiry, s.status::package_status,
             s.custodian, s.parent, s.shipment_to, s.shipment_from, s.commission_seq::bigint,
             s.updated_seq::bigint
      FROM unnest(
        ${states.map((s) => s.identifier)}::text[],
        ${states.map((s) => s.kind)}::text[],
        ${states.map((s) => s.gtin)}::text[],
        ${states.map((s) => s.lot)}::text[],
        ${states.map((s) => s.expiry)}::text[],
        ${states.map((s) => s.status)}::text[],
        ${states.map((s) => s.custodian)}::text[],
        ${states.map((s) => s.parent)}::text[],
        ${states.map((s) => s.shipmentTo)}::text[],
        ${states.map((s) => s.shipmentFrom)}::text[],
        ${states.map((s) => s.commissionSeq.toString())}::text[],
        ${states.map((s) => s.updatedSeq.toString())}::text[]
      ) AS s(identifier, kind, gtin, lot, expiry, status, custodian, parent, shipment_to,
             shipment_from, commission_seq, updated_seq)`;
  }

  /** Writes back changed states this transaction has locked. */
  async update(tx: Tx, states: readonly UnitStateRecord[]): Promise<void> {
    if (states.length === 0) return;
    await prismaOf(tx).$executeRaw`
      UPDATE unit_state u SET
        status = s.status::package_status, custodian = s.custodian, parent = s.parent,
        shipment_to = s.shipment_to, shipment_from = s.shipment_from,
        updated_seq = s.updated_seq::bigint
      FROM unnest(
        ${states.map((s) => s.identifier)}::text[],
        ${states.map((s) => s.status)}::text[],
        ${states.map((s) => s.custodian)}::text[],
        ${states.map((s) => s.parent)}::text[],
        ${states.map((s) => s.shipmentTo)}::text[],
        ${states.map((s) => s.shipmentFrom)}::text[],
        ${states.map((s) => s.updatedSeq.toString())}::text[]
      ) AS s(identifier, status, custodian, parent, shipment_to, shipment_from, updated_seq)
      WHERE u.identifier = s.identifier`;
  }

  /** Counts by status and by effective custodian over the whole lot, one statement. */
  async lotCounts(gtin: string, lot: string): Promise<LotCounts> {
    const rows = await this.storage.prisma.$queryRaw<
      { by_status: number; status: PackageStatus | null; custodian: string | null; n: number }[]
    >(lotStatements.counts(gtin, lot));
    return {
      byStatus: rows
        .filter((r) => r.by_status === 1)
        .map((r) => ({ status: r.status!, count: Number(r.n) }))
        .sort((a, b) => b.count - a.count || a.status.localeCompare(b.status)),
      byCustodian: rows
        .filter((r) => r.by_status === 0)
        .map((r) => ({ custodian: r.custodian, count: Number(r.n) }))
        .sort(
          (a, b) => b.count - a.count || String(a.custodian).localeCompare(String(b.custodian)),
        ),
    };
  }

  /** Up to `limit` units of the lot after `after` (identifier order), one statement. */
  async lotPage(
    gtin: string,
    lot: string,
    after: string | null,
    limit: number,
  ): Promise<LotUnit[]> {
    return this.storage.prisma.$queryRaw<
      { identifier: string; status: PackageStatus; custodian: string | null }[]
    >(lotStatements.page(gtin, lot, after, limit));
  }

  /** Whether unit_state knows the identifier (a package that was commissioned or packed). */
  async exists(identifier: string): Promise<boolean> {
    const rows = await this.storage.prisma.$queryRaw<{ one: number }[]>`
      SELECT 1 AS one FROM unit_state WHERE identifier = ${identifier}`;
    return rows.length > 0;
  }
}
