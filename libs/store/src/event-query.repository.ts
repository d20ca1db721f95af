// The EPCIS event query (SPEC section 10, libs/epcis-repository): one statement per page
// over ledger_event with event_item, recall and unit_state beside it (the filters and SPEC
// section 7's read rule; unit_state's join is its owner's, `joinUnitsOfLot`), kept whole: splitting it across the tables' owners would cost a
// round trip per filter. A read model of the ledger's tables, beside their owners; it
// writes nothing.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import type { EventQuery } from '@custos/epcis/event-query';
import { packedInStep } from './event-index.repository';
import type { LedgerEventRow } from './ledger-event.repository';
import { joinUnitsOfLot } from './unit-state.repository';

/** A stored event as the query serves it. */
export type QueriedEvent = Pick<
  LedgerEventRow,
  'seq' | 'eventJson' | 'keyId' | 'signature' | 'acceptedAt' | 'leafIndex' | 'blockHeight'
>;

/** Who reads: everything (regulator, admin), or what a trading partner may see. */
export type Reader = { readonly kind: 'all' } | { readonly kind: 'partner'; readonly id: string };

interface QueriedRow {
  seq: bigint;
  event_json: string;
  key_id: string;
  signature: string;
  accepted_at: Date;
  leaf_index: bigint | null;
  block_height: number | null;
}

/** How deep SSCC contents are followed (as verifyPackage does). */
const MAX_NESTING = 16;

@Injectable()
export class EventQueryRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /**
   * The EPCIS event query (libs/epcis-repository): up to `limit` events matching `query` after the sequence number `after`.
   */
  async queryPage(
    query: EventQuery,
    reader: Reader,
    after: bigint | undefined,
    limit: number,
  ): Promise<QueriedEvent[]> {
    const desc = query.orderDirection === 'DESC';
    const from =
      after === undefined
        ? []
        : [desc ? Prisma.sql`e.seq < ${after}` : Prisma.sql`e.seq > ${after}`];
    return this.querySelect(
      query,
      reader,
      from,
      Prisma.sql`e.seq ${desc ? Prisma.sql`DESC` : Prisma.sql`ASC`}`,
      limit,
    );
  }

  /**
   * Up to `limit` sealed events matching `query` with leaf indexes in [fromLeaf, toLeaf), in
   * log order: what a stream sends next. The sealer commits blocks one after another, each with
   * all its leaves, so a reader that follows leaf indexes never skips an event (acceptance
   * `seq`s can commit out of order: docs/adr/0002).
   */
  async querySealed(
    query: EventQuery,
    reader: Reader,
    fromLeaf: number,
    toLeaf: number,
    limit: number,
  ): Promise<QueriedEvent[]> {
    return this.querySelect(
      query,
      reader,
      [Prisma.sql`e.leaf_index >= ${fromLeaf}`, Prisma.sql`e.leaf_index < ${toLeaf}`],
      Prisma.sql`e.leaf_index ASC`,
      limit,
    );
  }

  private async querySelect(
    query: EventQuery,
    reader: Reader,
    bounds: readonly Prisma.Sql[],
    order: Prisma.Sql,
    limit: number,
  ): Promise<QueriedEvent[]> {
    if (query.matchesNothing || query.kinds?.length === 0) return [];
    const rows = await this.storage.prisma.$queryRaw<QueriedRow[]>(
      eventQueryStatement(query, reader, bounds, order, limit),
    );
    return rows.map((row) => ({
      seq: row.seq,
      eventJson: row.event_json,
      keyId: row.key_id,
      signature: row.signature,
      acceptedAt: row.accepted_at,
      leafIndex: row.leaf_index === null ? null : Number(row.leaf_index),
      blockHeight: row.block_height,
    }));
  }
}

/**
 * One page of the EPCIS event query as one statement: `query`'s filters, `reader`'s read rule
 * (for a partner, the `held` CTE and visibleTo), `bounds`, `order` and `limit`. Exported for
 * the test that EXPLAINs it.
 */
export function eventQueryStatement(
  query: EventQuery,
  reader: Reader,
  bounds: readonly Prisma.Sql[],
  order: Prisma.Sql,
  limit: number,
): Prisma.Sql {
  const where = [...conditions(query), ...bounds];
  let held = Prisma.empty;
  if (reader.kind === 'partner') {
    held = heldBy(reader.id);
    where.push(visibleTo(reader.id));
  }
  return Prisma.sql`
      ${held}
      SELECT e.seq, e.event_json, e.key_id, e.signature, e.accepted_at, e.leaf_index, e.block_height
        FROM ledger_event e
       WHERE ${where.length > 0 ? Prisma.join(where, ' AND ') : Prisma.sql`TRUE`}
       ORDER BY ${order}
       LIMIT ${limit}`;
}

const json = (field: string) => Prisma.sql`(e.event_json::jsonb ->> ${field})`;

function named(role: Prisma.Sql, identifiers: readonly string[]): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM event_item x
     WHERE x.event_seq = e.seq AND ${role} AND x.identifier = ANY(${[...identifiers]}::text[]))`;
}

function conditions(q: EventQuery): Prisma.Sql[] {
  const out: Prisma.Sql[] = [];
  if (q.kinds) {
    out.push(
      Prisma.sql`(${Prisma.join(
        q.kinds.map((k) =>
          k.reason === undefined
            ? Prisma.sql`e.type::text = ${k.type}`
            : Prisma.sql`(e.type::text = ${k.type} AND ${json('reason')} = ${k.reason})`,
        ),
        ' OR ',
      )})`,
    );
  }
  if (q.eventTime.ge) out.push(Prisma.sql`e.event_time >= ${q.eventTime.ge}`);
  if (q.eventTime.lt) out.push(Prisma.sql`e.event_time < ${q.eventTime.lt}`);
  if (q.recordTime.ge) out.push(Prisma.sql`e.accepted_at >= ${q.recordTime.ge}`);
  if (q.recordTime.lt) out.push(Prisma.sql`e.accepted_at < ${q.recordTime.lt}`);
  if (q.epc) out.push(named(Prisma.sql`x.role = 'ITEM'`, q.epc));
  if (q.parentID) out.push(named(Prisma.sql`x.role = 'PARENT'`, q.parentID));
  if (q.anyEPC) out.push(named(Prisma.sql`x.role IN ('ITEM', 'PARENT')`, q.anyEPC));
  if (q.epcClass) out.push(named(Prisma.sql`x.role = 'LOT'`, q.epcClass));
  if (q.lotNumber)
    out.push(
      Prisma.sql`(e.type = 'COMMISSION' AND ${json('lot')} = ANY(${[...q.lotNumber]}::text[]))`,
    );
  if (q.sourceParty) {
    const p = [...q.sourceParty];
    out.push(Prisma.sql`((e.type = 'SHIP' AND e.actor = ANY(${p}::text[]))
      OR (e.type = 'RECEIVE' AND ${json('from')} = ANY(${p}::text[])))`);
  }
  if (q.destinationParty) {
    const p = [...q.destinationParty];
    out.push(Prisma.sql`((e.type = 'SHIP' AND ${json('to')} = ANY(${p}::text[]))
      OR (e.type = 'RECEIVE' AND e.actor = ANY(${p}::text[])))`);
  }
  if (q.eventIds) {
    const ids = q.eventIds.map((id) => id.toLowerCase());
    out.push(Prisma.sql`lower(e.event_id) = ANY(${ids}::text[])`);
  }
  return out;
}

/**
 * What `party` held (SPEC 7: "a unit once in its custody"): every identifier an event of
 * its own moved without a custody flag (it commissioned, packed, shipped, received,
 * dispensed it), every identifier shipped to it, and, SSCC by SSCC, what was packed inside.
 * A flagged item (a custody break, a conflicting commission) gives no custody, so signing
 * an event about someone else's unit does not open that unit's history.
 */
function heldBy(party: string): Prisma.Sql {
  return Prisma.sql`WITH RECURSIVE held(identifier, depth) AS (
      SELECT i.identifier, 0
        FROM ledger_event h JOIN event_item i ON i.event_seq = h.seq
       WHERE i.role IN ('ITEM', 'PARENT') AND i.flag IS NULL
         AND (h.actor = ${party} OR (h.type = 'SHIP' AND (h.event_json::jsonb ->> 'to') = ${party}))
      UNION
      ${packedInStep('held', MAX_NESTING, 'per-row')}
    )`;
}

/** The events `party` may read: its own, those naming it, those of what it held, recalls of lots it held. */
function visibleTo(party: string): Prisma.Sql {
  return Prisma.sql`(e.actor = ${party}
    OR (e.type = 'SHIP' AND ${json('to')} = ${party})
    OR (e.type = 'RECEIVE' AND ${json('from')} = ${party})
    OR EXISTS (SELECT 1 FROM event_item x JOIN held ON held.identifier = x.identifier
                WHERE x.event_seq = e.seq AND x.role IN ('ITEM', 'PARENT'))
    OR EXISTS (SELECT 1 FROM recall r
                 ${joinUnitsOfLot('r', 'u')}
                 JOIN held ON held.identifier = u.identifier
                WHERE r.event_seq = e.seq))`;
}
