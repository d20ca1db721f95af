// Reads for verifyPackage: in one statement, the events of a unit and of every container
// it was packed in, its GTIN's recalls, each actor's key and each event's block; and the
// once-a-day alert of a failed verification.
// Everything read here is re-verified by the service before it is believed.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import type { BlockFields } from '@custos/ledger/block';

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
  /** The actor's registered key `keyId`, when the history read joined it. */
  readonly publicKey?: Uint8Array | null;
  /** The event's block and the prevHash of the block after it, when the history read joined them. */
  readonly block?: StoredBlock | null;
  readonly nextPrevHash?: string | null;
}

/** A block row as stored: the fields its hash covers, and the hash it claims. */
export type StoredBlock = BlockFields & { readonly hash: string };

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
  public_key?: Uint8Array | null;
  b_height?: number | null;
  b_prev_hash?: string | null;
  b_first_leaf_index?: bigint | null;
  b_event_count?: number | null;
  b_tree_size?: bigint | null;
  b_root_hash?: string | null;
  b_sealed_at?: string | null;
  b_hash?: string | null;
  next_prev_hash?: string | null;
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
      ...(row.public_key !== undefined ? { publicKey: row.public_key } : {}),
      ...(row.b_height !== undefined
        ? { block: toBlock(row), nextPrevHash: row.next_prev_hash ?? null }
        : {}),
    };
  }

  /**
   * Every event naming `identifier` or an SSCC it was ever packed in (following PACK
   * events, at most `maxDepth` containers deep), as item or parent, in acceptance order:
   * one statement.
   */
  async history(identifier: string, gtin: string | null, maxDepth: number): Promise<StoredEvent[]> {
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
      ), seqs AS (
        SELECT i.event_seq AS seq FROM event_item i JOIN ids ON ids.identifier = i.identifier WHERE i.role <> 'LOT'
        UNION
        SELECT r.event_seq FROM recall r WHERE r.gtin = ${gtin}
      )
      SELECT e.seq, e.event_id, e.type::text AS type, e.actor, e.key_id, e.signature, e.event_json,
             e.content_hash, e.leaf_index, e.block_height,
             (SELECT coalesce(json_agg(json_build_object('identifier', x.identifier, 'role', x.role::text)), '[]'::json)
                FROM event_item x WHERE x.event_seq = e.seq) AS items,
             k.public_key,
             b.height AS b_height, b.prev_hash AS b_prev_hash, b.first_leaf_index AS b_first_leaf_index,
             b.event_count AS b_event_count, b.tree_size AS b_tree_size, b.root_hash AS b_root_hash,
             b.sealed_at AS b_sealed_at, b.hash AS b_hash, nb.prev_hash AS next_prev_hash
        FROM ledger_event e
        LEFT JOIN participant_key k ON k.participant_id = e.actor AND k.key_id = e.key_id
        LEFT JOIN block b ON b.height = e.block_height
        LEFT JOIN block nb ON nb.height = e.block_height + 1
       WHERE e.seq IN (SELECT seq FROM seqs)
       ORDER BY e.seq`;
    return rows.map((row) => this.toEvent(row));
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

function toBlock(row: EventRow): StoredBlock | null {
  if (row.b_height === null || row.b_height === undefined) return null;
  return {
    height: row.b_height,
    prevHash: row.b_prev_hash!,
    firstLeafIndex: Number(row.b_first_leaf_index),
    eventCount: row.b_event_count!,
    treeSize: Number(row.b_tree_size),
    rootHash: row.b_root_hash!,
    sealedAt: row.b_sealed_at!,
    hash: row.b_hash!,
  };
}
