// The custody projection (unit_state) on the write path. Rows an ingest can change are
// locked (SELECT … FOR UPDATE, in identifier order) for the rest of its transaction, so
// two concurrent submissions touching the same unit are judged one after the other.
import { Injectable } from '@nestjs/common';
import type { PackageStatus, UnitStateRecord } from '@custos/custody/custody-projection';
import type { ItemKind } from './event-validation';
import { prismaOf, type Tx } from '@custos/store/transaction.repository';

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

@Injectable()
export class UnitStateRepository {
  /**
   * Locks and returns the states of `identifiers` and of everything packed, recursively,
   * in the logistic units among them; plus, unlocked, the SSCCs they are packed in (read
   * only: to refuse packing cycles). Costs O(rows returned).
   */
  async lockForIngest(tx: Tx, identifiers: readonly string[]): Promise<UnitStateRecord[]> {
    if (identifiers.length === 0) return [];
    const prisma = prismaOf(tx);
    const ids = [...identifiers];
    const direct = await prisma.$queryRaw<Row[]>`
      SELECT identifier, kind::text AS kind, gtin, lot, expiry, status::text AS status, custodian,
             parent, shipment_to, shipment_from, commission_seq, updated_seq
      FROM unit_state WHERE identifier = ANY(${ids}::text[])
      ORDER BY identifier FOR UPDATE`;
    const containers = direct.filter((r) => r.kind === 'LOGISTIC_UNIT').map((r) => r.identifier);
    // A second statement sees what committed while we waited for the first one's locks,
    // so a unit packed into one of these SSCCs just before is found and locked too.
    const inside =
      containers.length === 0
        ? []
        : await prisma.$queryRaw<Row[]>`
      WITH RECURSIVE inside(identifier) AS (
        SELECT identifier FROM unit_state WHERE parent = ANY(${containers}::text[])
        UNION
        SELECT u.identifier FROM unit_state u JOIN inside i ON u.parent = i.identifier
      )
      SELECT identifier, kind::text AS kind, gtin, lot, expiry, status::text AS status, custodian,
             parent, shipment_to, shipment_from, commission_seq, updated_seq
      FROM unit_state
      WHERE identifier IN (SELECT identifier FROM inside) AND NOT (identifier = ANY(${ids}::text[]))
      ORDER BY identifier FOR UPDATE`;
    const withParent = direct.filter((r) => r.parent !== null).map((r) => r.parent!);
    const loaded = new Set([...direct, ...inside].map((r) => r.identifier));
    const outer =
      withParent.length === 0
        ? []
        : await prisma.$queryRaw<Row[]>`
      WITH RECURSIVE outer_(identifier, parent, depth) AS (
        SELECT identifier, parent, 0 FROM unit_state WHERE identifier = ANY(${withParent}::text[])
        UNION
        SELECT u.identifier, u.parent, o.depth + 1 FROM unit_state u
        JOIN outer_ o ON u.identifier = o.parent WHERE o.depth < 64
      )
      SELECT identifier, kind::text AS kind, gtin, lot, expiry, status::text AS status, custodian,
             parent, shipment_to, shipment_from, commission_seq, updated_seq
      FROM unit_state WHERE identifier IN (SELECT identifier FROM outer_)`;
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
}
