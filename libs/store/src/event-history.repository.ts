// verifyPackage's history read (SPEC section 6): one statement over ledger_event with
// event_item, recall, item_tally, participant_key and block beside it, one round trip and
// one snapshot per scan (docs/adr/0009, issue 17). A read model of the ledger's tables,
// kept here beside their owners rather than split across them; it writes nothing. Every
// row it returns is re-verified (libs/verification/event-check.ts) before it is believed.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import type { BlockHeader } from './block.repository';
import { packedInStep, packedIntoStep, type Tally } from './event-index.repository';
import type { EventKeyRow, LedgerEventRow } from './ledger-event.repository';

/**
 * An event as verifyPackage's history reads it: its columns, the index rows naming it, its
 * actor's key row, its block and the next block's link back, all as stored.
 */
export interface StoredEvent extends Omit<LedgerEventRow, 'acceptedAt'> {
  /** Canonical identifiers the event names, with their role (its event_item rows). */
  readonly items: readonly { readonly identifier: string; readonly role: string }[];
  /** Its actor's key row (keyId), null when there is none. */
  readonly key: EventKeyRow | null;
  /** Its block (null while pending, or when the row is missing), and the next block's prevHash. */
  readonly block: BlockHeader | null;
  readonly nextPrevHash: string | null;
}

/** A history read: the events, and the index tallies of every identifier it followed. */
export interface History {
  readonly events: StoredEvent[];
  /** By tally key (an identifier, or `recall:<gtin>`). */
  readonly tallies: Map<string, Tally>;
}

interface HistoryRow {
  tallies: [string, string, string][];
  seq: bigint | null;
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
  public_key: Uint8Array | null;
  valid_from: Date | null;
  revoked_at: Date | null;
  b_height: number | null;
  b_prev_hash: string | null;
  b_first_leaf_index: bigint | null;
  b_event_count: number | null;
  b_tree_size: bigint | null;
  b_root_hash: string | null;
  b_sealed_at: string | null;
  b_hash: string | null;
  next_prev_hash: string | null;
}

/**
 * verifyPackage's history read as one statement (exported for the test that EXPLAINs it
 * on a large, never-analysed ledger). Every table is read by a key lookup, whatever the
 * statistics: the tallies by `key = ANY (ARRAY(...))`, an item_tally_pkey lookup per
 * identifier — an `IN (subquery) OR key = …` there is a scan of the whole table on every
 * verification (a row per identifier ever seen: 138–265 ms on 920,000, BENCHMARKS.md step 7).
 */
export const historyStatement = (
  identifier: string,
  gtin: string | null,
  maxDepth: number,
): Prisma.Sql => Prisma.sql`
    WITH RECURSIVE contents(identifier, depth) AS (
      -- A logistic unit's own history needs what was packed in it (whether its packer
      -- held that), so its contents are followed down, PACK by PACK.
      SELECT ${identifier}::text, 0
      UNION
      ${packedInStep('contents', maxDepth)}
    ), ids(identifier, depth) AS (
      -- Then every SSCC any of these was packed in, PACK by PACK.
      SELECT identifier, 0 FROM contents
      UNION
      ${packedIntoStep('ids', maxDepth)}
    ), seqs AS (
      SELECT i.event_seq AS seq FROM event_item i JOIN ids ON ids.identifier = i.identifier WHERE i.role <> 'LOT'
      UNION
      SELECT r.event_seq FROM recall r WHERE r.gtin = ${gtin}
    ), found AS (
    SELECT e.seq, e.event_id, e.type::text AS type, e.actor, e.key_id, e.signature, e.event_json,
           e.content_hash, e.leaf_index, e.block_height,
           (SELECT coalesce(json_agg(json_build_object('identifier', x.identifier, 'role', x.role::text)), '[]'::json)
              FROM event_item x WHERE x.event_seq = e.seq) AS items,
           k.public_key, k.valid_from, k.revoked_at,
           b.height AS b_height, b.prev_hash AS b_prev_hash, b.first_leaf_index AS b_first_leaf_index,
           b.event_count AS b_event_count, b.tree_size AS b_tree_size, b.root_hash AS b_root_hash,
           b.sealed_at AS b_sealed_at, b.hash AS b_hash, nb.prev_hash AS next_prev_hash
      FROM ledger_event e
      LEFT JOIN participant_key k ON k.participant_id = e.actor AND k.key_id = e.key_id
      LEFT JOIN block b ON b.height = e.block_height
      LEFT JOIN block nb ON nb.height = e.block_height + 1
     WHERE e.seq IN (SELECT seq FROM seqs)
    )
    SELECT (SELECT coalesce(json_agg(json_build_array(t.key, t.event_count::text, t.last_seq::text)), '[]'::json)
              FROM item_tally t
             WHERE t.key = ANY (ARRAY(SELECT identifier FROM ids) || ('recall:' || ${gtin}::text))) AS tallies,
           found.*
      FROM (SELECT 1) AS one LEFT JOIN found ON true
     ORDER BY found.seq`;

@Injectable()
export class EventHistoryRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /**
   * verifyPackage's history. Every event naming `identifier`, what was ever packed in it
   * (an SSCC's contents), or an SSCC any of these was ever packed in (following PACK
   * events, at most `maxDepth` deep), as item or parent, and the recalls of `gtin`, in
   * acceptance order, with the tallies of the identifiers followed and of the GTIN's
   * recalls: one statement, one snapshot.
   */
  async history(identifier: string, gtin: string | null, maxDepth: number): Promise<History> {
    const rows = await this.storage.prisma.$queryRaw<HistoryRow[]>(
      historyStatement(identifier, gtin, maxDepth),
    );
    const tallies = new Map<string, Tally>(
      (rows[0]?.tallies ?? []).map(([key, count, last]) => [
        key,
        { eventCount: BigInt(count), lastSeq: BigInt(last) },
      ]),
    );
    const events = rows.flatMap((row) =>
      row.seq === null ? [] : [this.toEvent(row as HistoryRow & { seq: bigint })],
    );
    return { events, tallies };
  }

  private toEvent(row: HistoryRow & { seq: bigint }): StoredEvent {
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
      key: row.public_key
        ? { publicKey: row.public_key, validFrom: row.valid_from, revokedAt: row.revoked_at }
        : null,
      block: toBlock(row),
      nextPrevHash: row.next_prev_hash,
    };
  }
}

function toBlock(row: HistoryRow): BlockHeader | null {
  if (row.b_height === null) return null;
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
