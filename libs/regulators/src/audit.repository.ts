// The audit's own tables: runs (with their resumable cursor and lease) and their
// discrepancies. The ledger's tables the audit reads have their owners in libs/store.
// Every chunk's discrepancies and cursor are written in one transaction, which also
// announces the run's progress with pg_notify(AUDIT_CHANNEL, run id).
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';

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

  /**
   * A queued run over the log as it stands now (size and blocks of the latest block). The
   * one statement here that reads a ledger table (block, libs/store's): the run is created
   * with the log's size in the same statement, so no block sealed in between is counted
   * without its events being audited.
   */
  async create(requestedBy: string): Promise<AuditRunRecord> {
    const rows = await this.prisma.$queryRawUnsafe<RunRow[]>(
      // eslint-disable-next-line custos/ledger-tables-in-store -- one statement with the run (above)
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
}
