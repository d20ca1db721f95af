// Reads for verifyPackage: the events naming a set of identifiers, recalls of a GTIN,
// the actors' public keys, blocks; and the once-a-day alert of a failed verification.
// Everything read here is re-verified by the service before it is believed.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';

export interface StoredEvent {
  readonly seq: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly actor: string;
  readonly keyId: string;
  readonly signature: string;
  readonly eventJson: string;
  readonly contentHash: Uint8Array;
  readonly leafIndex: number | null;
  readonly blockHeight: number | null;
  /** Canonical identifiers the event names, with their role. */
  readonly items: readonly { readonly identifier: string; readonly role: string }[];
}

export interface StoredBlock {
  readonly height: number;
  readonly prevHash: string;
  readonly firstLeafIndex: number;
  readonly eventCount: number;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly sealedAt: string;
  readonly hash: string;
}

export interface VerificationAlert {
  readonly code: string;
  readonly message: string;
  readonly identifier: string;
  readonly participantId: string | null;
  readonly dedupKey: string;
}

interface EventRow {
  seq: bigint;
  event_id: string;
  type: string;
  actor: string;
  key_id: string;
  signature: string;
  event_json: string;
  content_hash: Uint8Array;
  leaf_index: bigint | null;
  block_height: number | null;
  items: { identifier: string; role: string }[];
}

@Injectable()
export class VerificationRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  private toEvent(row: EventRow): StoredEvent {
    return {
      seq: row.seq,
      eventId: row.event_id,
      type: row.type,
      actor: row.actor,
      keyId: row.key_id,
      signature: row.signature,
      eventJson: row.event_json,
      contentHash: row.content_hash,
      leafIndex: row.leaf_index === null ? null : Number(row.leaf_index),
      blockHeight: row.block_height,
      items: row.items,
    };
  }

  /**
   * Every event naming `identifier` or an SSCC it was ever packed in (following PACK
   * events, at most `maxDepth` containers deep), as item or parent, in acceptance order:
   * one statement.
   */
  async history(identifier: string, maxDepth: number): Promise<StoredEvent[]> {
    const rows = await this.storage.prisma.$queryRaw<EventRow[]>`
      WITH RECURSIVE ids(identifier, depth) AS (
        SELECT ${identifier}::text, 0
        UNION
        SELECT p.identifier, ids.depth + 1
          FROM ids
          JOIN event_item i ON i.identifier = ids.identifier AND i.role = 'ITEM'
          JOIN ledger_event pe ON pe.seq = i.event_seq AND pe.type = 'PACK'
          JOIN event_item p ON p.event_seq = pe.seq AND p.role = 'PARENT'
         WHERE ids.depth < ${maxDepth}
      )
      SELECT e.seq, e.event_id, e.type::text AS type, e.actor, e.key_id, e.signature, e.event_json,
             e.content_hash, e.leaf_index, e.block_height,
             (SELECT coalesce(json_agg(json_build_object('identifier', x.identifier, 'role', x.role::text)), '[]'::json)
                FROM event_item x WHERE x.event_seq = e.seq) AS items
        FROM ledger_event e
       WHERE e.seq IN (SELECT i.event_seq FROM event_item i JOIN ids ON ids.identifier = i.identifier WHERE i.role <> 'LOT')
       ORDER BY e.seq`;
    return rows.map((row) => this.toEvent(row));
  }

  /** Every event naming one of `identifiers` (as item or parent), in acceptance order. */
  async eventsNaming(identifiers: readonly string[]): Promise<StoredEvent[]> {
    const rows = await this.storage.prisma.$queryRaw<EventRow[]>`
      SELECT e.seq, e.event_id, e.type::text AS type, e.actor, e.key_id, e.signature, e.event_json,
             e.content_hash, e.leaf_index, e.block_height,
             (SELECT coalesce(json_agg(json_build_object('identifier', i.identifier, 'role', i.role::text)), '[]'::json)
                FROM event_item i WHERE i.event_seq = e.seq) AS items
        FROM ledger_event e
       WHERE e.seq IN (SELECT DISTINCT event_seq FROM event_item WHERE identifier = ANY(${[...identifiers]}::text[]) AND role <> 'LOT')
       ORDER BY e.seq`;
    return rows.map((row) => this.toEvent(row));
  }

  /** RECALL events of the lots of `gtin`. */
  async recallsOf(gtin: string): Promise<StoredEvent[]> {
    const rows = await this.storage.prisma.$queryRaw<EventRow[]>`
      SELECT e.seq, e.event_id, e.type::text AS type, e.actor, e.key_id, e.signature, e.event_json,
             e.content_hash, e.leaf_index, e.block_height, '[]'::json AS items
        FROM recall r JOIN ledger_event e ON e.seq = r.event_seq
       WHERE r.gtin = ${gtin}
       ORDER BY e.seq`;
    return rows.map((row) => this.toEvent(row));
  }

  /** Public keys by `actor/keyId`. */
  async publicKeys(
    pairs: readonly { actor: string; keyId: string }[],
  ): Promise<Map<string, Uint8Array>> {
    if (pairs.length === 0) return new Map();
    const rows = await this.storage.prisma.$queryRaw<
      { participant_id: string; key_id: string; public_key: Uint8Array }[]
    >`
      SELECT participant_id, key_id, public_key FROM participant_key
       WHERE (participant_id, key_id) IN (SELECT * FROM unnest(${pairs.map((p) => p.actor)}::text[], ${pairs.map((p) => p.keyId)}::text[]))`;
    return new Map(rows.map((r) => [`${r.participant_id}/${r.key_id}`, r.public_key]));
  }

  /** The blocks at `heights`, and the block after each (to check its prevHash link). */
  async blocks(heights: readonly number[]): Promise<Map<number, StoredBlock>> {
    if (heights.length === 0) return new Map();
    const wanted = [...new Set(heights.flatMap((h) => [h, h + 1]))];
    const rows = await this.storage.prisma.$queryRaw<
      {
        height: number;
        prev_hash: string;
        first_leaf_index: bigint;
        event_count: number;
        tree_size: bigint;
        root_hash: string;
        sealed_at: string;
        hash: string;
      }[]
    >`SELECT height, prev_hash, first_leaf_index, event_count, tree_size, root_hash, sealed_at, hash
        FROM block WHERE height = ANY(${wanted}::int[])`;
    return new Map(
      rows.map((r) => [
        r.height,
        {
          height: r.height,
          prevHash: r.prev_hash,
          firstLeafIndex: Number(r.first_leaf_index),
          eventCount: r.event_count,
          treeSize: Number(r.tree_size),
          rootHash: r.root_hash,
          sealedAt: r.sealed_at,
          hash: r.hash,
        },
      ]),
    );
  }

  /** Stores each alert unless its dedup key exists; announces new ones on `channel`. */
  async raiseOnce(alerts: readonly VerificationAlert[], channel: string): Promise<number> {
    if (alerts.length === 0) return 0;
    const rows = await this.storage.prisma.$queryRaw<{ id: bigint }[]>`
      WITH inserted AS (
        INSERT INTO alert (code, severity, message, identifier, participant_id, dedup_key)
        SELECT a.code, 'CRITICAL'::severity, a.message, a.identifier, a.participant_id, a.dedup_key
          FROM unnest(${alerts.map((a) => a.code)}::text[], ${alerts.map((a) => a.message)}::text[],
                      ${alerts.map((a) => a.identifier)}::text[], ${alerts.map((a) => a.participantId)}::text[],
                      ${alerts.map((a) => a.dedupKey)}::text[])
               AS a(code, message, identifier, participant_id, dedup_key)
        ON CONFLICT (dedup_key) DO NOTHING
        RETURNING id
      )
      SELECT id FROM inserted, LATERAL (SELECT pg_notify(${channel}, inserted.id::text)) AS announced`;
    return rows.length;
  }
}
