// unit_state read by lot (index gtin, lot, identifier). A unit packed in a case that is
// packed in a pallet takes its custodian from the outermost container: the chain of
// `parent`s is walked in SQL from the distinct containers only (a recursive CTE, so a
// lot of 100,000 units in 100 cases costs 100 short walks, never one query per unit).
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';

export type UnitStatus = 'ACTIVE' | 'IN_TRANSIT' | 'DISPENSED' | 'DECOMMISSIONED';

export interface LotUnit {
  readonly identifier: string;
  readonly status: UnitStatus;
  /** Effective custodian: the outermost container's, else the unit's own. */
  readonly custodian: string | null;
}

export interface LotCounts {
  readonly byStatus: readonly { status: UnitStatus; count: number }[];
  readonly byCustodian: readonly { custodian: string | null; count: number }[];
}

/** Nesting deeper than this is not followed (ingest refuses cycles; this bounds a bad row). */
const MAX_DEPTH = 16;

@Injectable()
export class LotTraceRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** Counts by status and by effective custodian over the whole lot, one statement. */
  async counts(gtin: string, lot: string): Promise<LotCounts> {
    const rows = await this.storage.prisma.$queryRaw<
      { by_status: number; status: UnitStatus | null; custodian: string | null; n: number }[]
    >`
      WITH RECURSIVE lot_units AS (
        SELECT status, custodian, parent FROM unit_state
        WHERE gtin = ${gtin} AND lot = ${lot} AND kind = 'UNIT'
      ),
      chain(start, custodian, parent, depth) AS (
        SELECT u.identifier, u.custodian, u.parent, 0 FROM unit_state u
        WHERE u.identifier IN (SELECT DISTINCT parent FROM lot_units WHERE parent IS NOT NULL)
        UNION ALL
        SELECT c.start, u.custodian, u.parent, c.depth + 1
        FROM chain c JOIN unit_state u ON u.identifier = c.parent
        WHERE c.depth < ${MAX_DEPTH}
      ),
      outermost AS (
        SELECT DISTINCT ON (start) start, custodian FROM chain ORDER BY start, depth DESC
      ),
      effective AS (
        SELECT l.status, CASE WHEN o.start IS NULL THEN l.custodian ELSE o.custodian END AS custodian
        FROM lot_units l LEFT JOIN outermost o ON o.start = l.parent
      )
      SELECT GROUPING(custodian)::int AS by_status, status::text AS status, custodian,
             count(*)::int AS n
      FROM effective
      GROUP BY GROUPING SETS ((status), (custodian))`;
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
  async page(gtin: string, lot: string, after: string | null, limit: number): Promise<LotUnit[]> {
    const rows = await this.storage.prisma.$queryRaw<
      { identifier: string; status: UnitStatus; custodian: string | null }[]
    >`
      WITH RECURSIVE page AS (
        SELECT identifier, status, custodian, parent FROM unit_state
        WHERE gtin = ${gtin} AND lot = ${lot} AND kind = 'UNIT'
          AND (${after}::text IS NULL OR identifier > ${after}::text)
        ORDER BY identifier
        LIMIT ${limit}
      ),
      chain(start, custodian, parent, depth) AS (
        SELECT u.identifier, u.custodian, u.parent, 0 FROM unit_state u
        WHERE u.identifier IN (SELECT DISTINCT parent FROM page WHERE parent IS NOT NULL)
        UNION ALL
        SELECT c.start, u.custodian, u.parent, c.depth + 1
        FROM chain c JOIN unit_state u ON u.identifier = c.parent
        WHERE c.depth < ${MAX_DEPTH}
      ),
      outermost AS (
        SELECT DISTINCT ON (start) start, custodian FROM chain ORDER BY start, depth DESC
      )
      SELECT p.identifier, p.status::text AS status,
             CASE WHEN o.start IS NULL THEN p.custodian ELSE o.custodian END AS custodian
      FROM page p LEFT JOIN outermost o ON o.start = p.parent
      ORDER BY p.identifier`;
    return rows;
  }

  /** Whether unit_state knows the identifier (a package that was commissioned or packed). */
  async exists(identifier: string): Promise<boolean> {
    const rows = await this.storage.prisma.$queryRaw<{ one: number }[]>`
      SELECT 1 AS one FROM unit_state WHERE identifier = ${identifier}`;
    return rows.length > 0;
  }
}
