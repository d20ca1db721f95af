// Storage of the full-ledger audit: runs (with their resumable cursor and lease),
// discrepancies, and the bulk reads the audit makes of the ledger (events by leaf range,
// tree nodes by level and index range, blocks, keys). Every chunk's discrepancies and
// cursor are written in one transaction, which also announces the run's progress with
// pg_notify(AUDIT_CHANNEL, run id).
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import type { BlockFields } from '@custos/ledger/block';
import { type RawBlock, toBlockRow } from '@custos/sealing/sealing.repository';

export const AUDIT_CHANNEL = 'custos_audit';

export type AuditStatus = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface AuditCursor {
  readonly nextLeaf: number;
  readonly nextBlock: number;
  /** Compact range of the recomputed tree at nextLeaf (merkle-append's frontier hashes). */
  readonly frontier: readonly Uint8Array[];
  /** Stored hash of block nextBlock - 1 (the link the next block must carry). */
  readonly prevHash: string | null;
  /** Signed root of block nextBlock - 1's checkpoint, hex. */
  readonly prevRoot: string | null;
}

export interface AuditRunRecord extends AuditCursor {
  readonly id: bigint;
  readonly status: AuditStatus;
  readonly requestedBy: string;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly treeSize: number;
  readonly blockCount: number;
  readonly elapsedMs: number;
  readonly resumes: number;
  readonly discrepancyCount: number;
  readonly error: string | null;
}

export interface DiscrepancyRecord {
  readonly kind: string;
  readonly blockHeight: number | null;
  readonly leafIndex: number | null;
  readonly message: string;
}

/** A stored block: the fields its hash covers (libs/ledger), its hash and signed checkpoint. */
export type AuditBlock = BlockFields & { readonly hash: string; readonly checkpoint: string };

export interface AuditLeaf {
  readonly leafIndex: number;
  readonly blockHeight: number | null;
  readonly eventId: string;
  readonly type: string;
  readonly actor: string;
  readonly keyId: string;
  readonly signature: string;
  readonly eventJson: string;
  readonly contentHash: Uint8Array;
  readonly seq: bigint;
  /** Its event_item rows, "ROLE identifier". */
  readonly indexRows: readonly string[];
  /** The recall rows pointing at it, "gtin lot" (RECALL events only). */
  readonly recallRows: readonly string[];
}

/** A stored participant key and the attestation it carries (null: none). */
export interface AuditKey {
  readonly participantId: string;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | null;
  readonly revokedAt: Date | null;
  readonly attestation: Uint8Array | null;
}

/** A tally that disagrees with the index rows it counts. */
export interface TallyDifference {
  readonly key: string;
  readonly tally: { count: number; lastSeq: string } | null;
  readonly rows: { count: number; lastSeq: string } | null;
}

interface RunRow {
  id: bigint;
  status: AuditStatus;
  requested_by: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  tree_size: bigint;
  block_count: number;
  next_leaf: bigint;
  next_block: number;
  frontier: Uint8Array;
  prev_hash: string | null;
  prev_root: string | null;
  elapsed_ms: bigint;
  resumes: number;
  discrepancy_count: number;
  error: string | null;
}

const RUN_COLUMNS = `id, status::text AS status, requested_by, created_at, started_at, finished_at,
  tree_size, block_count, next_leaf, next_block, frontier, prev_hash, prev_root, elapsed_ms,
  resumes, discrepancy_count, error`;

function toRun(r: RunRow): AuditRunRecord {
  const frontier: Uint8Array[] = [];
  for (let i = 0; i + 32 <= r.frontier.length; i += 32) frontier.push(r.frontier.slice(i, i + 32));
  return {
    id: BigInt(r.id),
    status: r.status,
    requestedBy: r.requested_by,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    treeSize: Number(r.tree_size),
    blockCount: r.block_count,
    nextLeaf: Number(r.next_leaf),
    nextBlock: r.next_block,
    frontier,
    prevHash: r.prev_hash,
    prevRoot: r.prev_root,
    elapsedMs: Number(r.elapsed_ms),
    resumes: r.resumes,
    discrepancyCount: r.discrepancy_count,
    error: r.error,
  };
}

const concat = (parts: readonly Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

@Injectable()
export class AuditRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  private get prisma() {
    return this.storage.prisma;
  }

  /** A queued run over the log as it stands now (size and blocks of the latest block). */
  async create(requestedBy: string): Promise<AuditRunRecord> {
    const rows = await this.prisma.$queryRawUnsafe<RunRow[]>(
      `INSERT INTO audit_run (status, requested_by, tree_size, block_count)
       SELECT 'QUEUED', $1, COALESCE(max(tree_size), 0), COALESCE(max(height) + 1, 0) FROM block
       RETURNING ${RUN_COLUMNS}`,
      requestedBy,
    );
    return toRun(rows[0]!);
  }

  async find(id: bigint): Promise<AuditRunRecord | undefined> {
    const rows = await this.prisma.$queryRawUnsafe<RunRow[]>(
      `SELECT ${RUN_COLUMNS} FROM audit_run WHERE id = $1::bigint`,
      id.toString(),
    );
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  async findMany(ids: readonly bigint[]): Promise<AuditRunRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.$queryRawUnsafe<RunRow[]>(
      `SELECT ${RUN_COLUMNS} FROM audit_run WHERE id = ANY($1::bigint[]) ORDER BY id`,
      ids.map(String),
    );
    return rows.map(toRun);
  }

  async unfinished(): Promise<AuditRunRecord[]> {
    const rows = await this.prisma.$queryRawUnsafe<RunRow[]>(
      `SELECT ${RUN_COLUMNS} FROM audit_run WHERE status IN ('QUEUED', 'RUNNING') ORDER BY id`,
    );
    return rows.map(toRun);
  }

  /**
   * Takes (or renews) the run's lease for `owner`: refused while another owner's lease
   * runs. A run taken with a cursor past zero counts as one more resume.
   */
  async lease(id: bigint, owner: string, ms: number): Promise<AuditRunRecord | undefined> {
    const rows = await this.prisma.$queryRawUnsafe<RunRow[]>(
      `UPDATE audit_run SET
         resumes = resumes + CASE WHEN lease_owner IS DISTINCT FROM $2 AND next_leaf > 0 THEN 1 ELSE 0 END,
         lease_owner = $2, lease_until = now() + ($3::int * interval '1 millisecond'),
         status = 'RUNNING', started_at = COALESCE(started_at, now())
       WHERE id = $1::bigint AND status IN ('QUEUED', 'RUNNING')
         AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < now())
       RETURNING ${RUN_COLUMNS}`,
      id.toString(),
      owner,
      ms,
    );
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  async release(id: bigint, owner: string): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `UPDATE audit_run SET lease_owner = NULL, lease_until = NULL WHERE id = $1::bigint AND lease_owner = $2`,
      id.toString(),
      owner,
    );
  }

  /**
   * Commits one chunk: its discrepancies, the new cursor, the time spent, and (when
   * `finished`) the final status; announces progress. False when `owner` lost the lease.
   */
  async commitChunk(
    id: bigint,
    owner: string,
    cursor: AuditCursor,
    discrepancies: readonly DiscrepancyRecord[],
    elapsedMs: number,
    leaseMs: number,
    finished: { status: 'COMPLETED' | 'FAILED'; error?: string } | undefined,
  ): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const updated = await tx.$executeRawUnsafe(
        `UPDATE audit_run SET next_leaf = $3::bigint, next_block = $4, frontier = $5, prev_hash = $6,
           prev_root = $7, elapsed_ms = elapsed_ms + $8::bigint,
           discrepancy_count = discrepancy_count + $9,
           lease_until = CASE WHEN $10::text IS NULL THEN now() + ($11::int * interval '1 millisecond') ELSE NULL END,
           lease_owner = CASE WHEN $10::text IS NULL THEN lease_owner ELSE NULL END,
           status = COALESCE($10::text, status::text)::audit_status,
           finished_at = CASE WHEN $10::text IS NULL THEN NULL ELSE now() END,
           error = $12
         WHERE id = $1::bigint AND lease_owner = $2`,
        id.toString(),
        owner,
        String(cursor.nextLeaf),
        cursor.nextBlock,
        concat(cursor.frontier),
        cursor.prevHash,
        cursor.prevRoot,
        String(Math.round(elapsedMs)),
        discrepancies.length,
        finished?.status ?? null,
        leaseMs,
        finished?.error ?? null,
      );
      if (updated !== 1) return false;
      if (discrepancies.length > 0) {
        await tx.$executeRawUnsafe(
          `INSERT INTO audit_discrepancy (run_id, kind, block_height, leaf_index, message)
           SELECT $1::bigint, d.kind, d.block_height, d.leaf_index::bigint, d.message
           FROM unnest($2::text[], $3::int[], $4::text[], $5::text[]) WITH ORDINALITY
             AS d(kind, block_height, leaf_index, message, ord)
           ORDER BY d.ord`,
          id.toString(),
          discrepancies.map((d) => d.kind),
          discrepancies.map((d) => d.blockHeight),
          discrepancies.map((d) => (d.leafIndex === null ? null : String(d.leafIndex))),
          discrepancies.map((d) => d.message),
        );
      }
      await tx.$executeRawUnsafe(`SELECT pg_notify($1, $2)`, AUDIT_CHANNEL, id.toString());
      return true;
    });
  }

  async discrepancies(runId: bigint, afterId: bigint | null, limit: number) {
    const rows = await this.prisma.$queryRawUnsafe<
      {
        id: bigint;
        kind: string;
        block_height: number | null;
        leaf_index: bigint | null;
        message: string;
      }[]
    >(
      `SELECT id, kind, block_height, leaf_index, message FROM audit_discrepancy
       WHERE run_id = $1::bigint AND ($2::bigint IS NULL OR id > $2::bigint)
       ORDER BY id LIMIT $3`,
      runId.toString(),
      afterId?.toString() ?? null,
      limit,
    );
    return rows.map((r) => ({
      id: BigInt(r.id),
      kind: r.kind,
      blockHeight: r.block_height,
      leafIndex: r.leaf_index === null ? null : Number(r.leaf_index),
      message: r.message,
    }));
  }

  async blocks(fromHeight: number, toHeight: number): Promise<AuditBlock[]> {
    const rows = await this.prisma.$queryRawUnsafe<RawBlock[]>(
      `SELECT height, prev_hash, first_leaf_index, event_count, tree_size, root_hash, sealed_at,
              hash, checkpoint
       FROM block WHERE height >= $1 AND height < $2 ORDER BY height`,
      fromHeight,
      toHeight,
    );
    return rows.map(toBlockRow);
  }

  /**
   * The sealed events of leaves [from, to), leaf order. The chunk comes back as one JSON
   * text (parsed natively here) rather than thousands of rows, whose decoding through the
   * driver and Prisma cost more than the audit's own checks.
   */
  async leaves(from: number, to: number): Promise<AuditLeaf[]> {
    const rows = await this.prisma.$queryRawUnsafe<{ leaves: string }[]>(
      `SELECT COALESCE(json_agg(json_build_array(leaf_index, block_height, event_id, type::text,
                actor, key_id, signature, event_json, encode(content_hash, 'hex'), seq::text,
                (SELECT coalesce(json_agg(i.role::text || ' ' || i.identifier), '[]'::json)
                   FROM event_item i WHERE i.event_seq = e.seq),
                CASE WHEN e.type = 'RECALL' THEN
                  (SELECT coalesce(json_agg(r.gtin || ' ' || r.lot), '[]'::json)
                     FROM recall r WHERE r.event_seq = e.seq)
                ELSE '[]'::json END)
              ORDER BY leaf_index), '[]')::text AS leaves
       FROM ledger_event e WHERE leaf_index >= $1::bigint AND leaf_index < $2::bigint`,
      String(from),
      String(to),
    );
    const parsed = JSON.parse(rows[0]?.leaves ?? '[]') as [
      number,
      number | null,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string[],
      string[],
    ][];
    return parsed.map((r) => ({
      leafIndex: r[0],
      blockHeight: r[1],
      eventId: r[2],
      type: r[3],
      actor: r[4],
      keyId: r[5],
      signature: r[6],
      eventJson: r[7],
      contentHash: Buffer.from(r[8], 'hex'),
      seq: BigInt(r[9]),
      indexRows: r[10],
      recallRows: r[11],
    }));
  }

  /**
   * Stored tree nodes of each level in [lo, hi] (inclusive), keyed "level/index". One row
   * per level (indexes, lengths and the hashes end to end), not one per node: a chunk
   * reads about two nodes per leaf, and decoding rows costs more than the query.
   */
  async nodes(
    ranges: readonly { level: number; lo: number; hi: number }[],
  ): Promise<Map<string, Uint8Array>> {
    if (ranges.length === 0) return new Map();
    const rows = await this.prisma.$queryRawUnsafe<
      { level: number; indexes: (bigint | number)[]; lengths: number[]; hashes: Uint8Array }[]
    >(
      `SELECT r.level, array_agg(n.index ORDER BY n.index) AS indexes,
              array_agg(octet_length(n.hash) ORDER BY n.index) AS lengths,
              string_agg(n.hash, ''::bytea ORDER BY n.index) AS hashes
       FROM unnest($1::int[], $2::bigint[], $3::bigint[]) AS r(level, lo, hi)
       JOIN tree_node n ON n.level = r.level AND n.index BETWEEN r.lo AND r.hi
       GROUP BY r.level`,
      ranges.map((r) => r.level),
      ranges.map((r) => String(r.lo)),
      ranges.map((r) => String(r.hi)),
    );
    const nodes = new Map<string, Uint8Array>();
    for (const row of rows) {
      let offset = 0;
      row.indexes.forEach((index, i) => {
        const length = row.lengths[i]!;
        nodes.set(`${row.level}/${Number(index)}`, row.hashes.subarray(offset, offset + length));
        offset += length;
      });
    }
    return nodes;
  }

  /** Public keys of (actor, keyId) pairs, keyed "actor/keyId". */
  async publicKeys(
    pairs: readonly { actor: string; keyId: string }[],
  ): Promise<Map<string, Uint8Array>> {
    if (pairs.length === 0) return new Map();
    const rows = await this.prisma.$queryRawUnsafe<
      { participant_id: string; key_id: string; public_key: Uint8Array }[]
    >(
      `SELECT participant_id, key_id, public_key FROM participant_key
       WHERE (participant_id, key_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      pairs.map((p) => p.actor),
      pairs.map((p) => p.keyId),
    );
    return new Map(rows.map((r) => [`${r.participant_id}/${r.key_id}`, r.public_key]));
  }

  /** The sealed RECALL events of leaves [0, treeSize) and every recall row. */
  async recalls(treeSize: number): Promise<{
    events: {
      leafIndex: number;
      seq: bigint;
      eventId: string;
      eventJson: string;
      keyId: string;
      signature: string;
    }[];
    rows: { gtin: string; lot: string; eventSeq: bigint }[];
  }> {
    const [events, rows] = await Promise.all([
      this.prisma.$queryRawUnsafe<
        {
          leaf_index: bigint;
          seq: bigint;
          event_id: string;
          event_json: string;
          key_id: string;
          signature: string;
        }[]
      >(
        `SELECT leaf_index, seq, event_id, event_json, key_id, signature FROM ledger_event
         WHERE type = 'RECALL' AND leaf_index < $1::bigint ORDER BY leaf_index`,
        String(treeSize),
      ),
      this.prisma.$queryRawUnsafe<{ gtin: string; lot: string; event_seq: bigint }[]>(
        'SELECT gtin, lot, event_seq FROM recall ORDER BY gtin, lot',
      ),
    ]);
    return {
      events: events.map((e) => ({
        leafIndex: Number(e.leaf_index),
        seq: BigInt(e.seq),
        eventId: e.event_id,
        eventJson: e.event_json,
        keyId: e.key_id,
        signature: e.signature,
      })),
      rows: rows.map((r) => ({ gtin: r.gtin, lot: r.lot, eventSeq: BigInt(r.event_seq) })),
    };
  }

  /**
   * Every tally (item_tally) that differs from the index rows it counts: event_item rows
   * naming the identifier as ITEM or PARENT, recall rows of the GTIN. One statement.
   */
  async tallyDifferences(): Promise<TallyDifference[]> {
    const rows = await this.prisma.$queryRawUnsafe<
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

  /** Every participant key row, with its attestation (the audit checks each). */
  async allKeys(): Promise<AuditKey[]> {
    const rows = await this.prisma.$queryRawUnsafe<
      {
        participant_id: string;
        key_id: string;
        public_key: Uint8Array;
        valid_from: Date | null;
        revoked_at: Date | null;
        attestation: Uint8Array | null;
      }[]
    >(
      `SELECT participant_id, key_id, public_key, valid_from, revoked_at, attestation
       FROM participant_key ORDER BY participant_id, key_id`,
    );
    return rows.map((r) => ({
      participantId: r.participant_id,
      keyId: r.key_id,
      publicKey: r.public_key,
      validFrom: r.valid_from,
      revokedAt: r.revoked_at,
      attestation: r.attestation,
    }));
  }
}
