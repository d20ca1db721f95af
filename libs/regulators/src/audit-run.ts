// One run of the full-ledger audit, with its own state: the keys it has read, the cursor
// it has committed, its lease. Nothing of a run lives on the shared service, so runs in
// one process (the worker takes jobs concurrently) cannot disturb each other.
//
// The run walks the log as it stood when it was started, in chunks (audit-checks.ts does
// the checks). The cursor (next leaf and block, the recomputed frontier, the last link and
// signed root) is committed with each chunk's discrepancies in one transaction, so a
// worker killed mid-run resumes at the last chunk committed and reports nothing twice.
import type { Logger } from '@nestjs/common';
import type { SignatureVerificationService } from '@custos/events/signature-verification.service';
import { hexToBytes } from '@custos/ledger/bytes';
import type { KeyDirectory } from '@custos/ledger/key-directory';
import type { Frontier } from '@custos/ledger/merkle-append';
import { verifyConsistency } from '@custos/ledger/merkle-verify';
import type { VerifierKey } from '@custos/ledger/note';
import type { LedgerQueryService } from '@custos/sealing/ledger-query.service';
import {
  type ChunkPlan,
  type ChunkRows,
  type PreparedChunk,
  type Segment,
  checkBlockEnd,
  checkLeaves,
  checkTreeSegment,
  inReportOrder,
  isPlaceholder,
  nodeRanges,
  planChunk,
  signatureFindings,
} from './audit-checks';
import { keyDiscrepancies, recallDiscrepancies, tallyDiscrepancies } from './audit-index';
import type { BlockRow } from '@custos/store/block.repository';
import type { SealedLeaf } from '@custos/store/ledger-event.repository';
import type { AuditTables } from './audit-tables';
import type {
  AuditCursor,
  AuditRepository,
  AuditRunRecord,
  DiscrepancyRecord,
} from './audit.repository';

export interface AuditRunDeps {
  /** The audit's own runs and discrepancies. */
  readonly repository: AuditRepository;
  /** The ledger's tables it reads. */
  readonly tables: AuditTables;
  readonly ledger: LedgerQueryService;
  readonly signatures: SignatureVerificationService;
  /** The key directory as stored now, opened and checked (docs/adr/0014). */
  readonly keyDirectory: () => Promise<KeyDirectory>;
  readonly logger: Logger;
  /** Leaves per chunk (committed together). */
  readonly chunkLeaves: number;
  /** A run's lease lapses after this unless renewed (every chunk). */
  readonly leaseMs: number;
  /** True once the worker is stopping: the run ends after its current chunk. */
  readonly stopping: () => boolean;
}

/** A chunk checked but for its signatures, which the worker threads are deciding. */
interface InFlight {
  readonly plan: ChunkPlan;
  readonly prepared: PreparedChunk | undefined;
  readonly verdicts: Promise<boolean[]>;
  /** The cursor once this chunk is committed. */
  readonly after: AuditCursor;
}

export class AuditRun {
  /** Public keys read by this run, "actor/keyId" → key (null: not on record). */
  private readonly keys = new Map<string, Uint8Array | null>();
  private readonly byHeight = new Map<number, BlockRow>();
  private readonly clock = { since: performance.now() };

  constructor(
    private readonly deps: AuditRunDeps,
    private readonly run: AuditRunRecord,
    private readonly owner: string,
    private readonly vkey: VerifierKey,
  ) {}

  /**
   * Walks the run to its end (or until the worker stops), as a pipeline of chunks: while
   * the worker threads verify chunk N's signatures, this thread checks N's tree and
   * blocks, and reads and prepares chunk N+1. Chunks are still committed one by one, in
   * order, each only once its signatures are decided, so the cursor means what it did.
   */
  async walk(): Promise<void> {
    const { run, deps } = this;
    if (run.nextLeaf > 0) deps.logger.log(`audit ${run.id}: resuming at leaf ${run.nextLeaf}`);
    for (const b of await deps.tables.blocks.range(run.nextBlock, run.blockCount))
      this.byHeight.set(b.height, b);
    let cursor: AuditCursor = run;
    let plan = this.plan(run);
    let reading = plan.segments.length > 0 ? this.read(plan) : undefined;
    let inFlight: InFlight | undefined;
    for (;;) {
      let next: InFlight | undefined;
      if (plan.segments.length > 0 && reading) {
        const rows = await reading;
        const following = this.plan(plan.end);
        reading = following.segments.length > 0 ? this.read(following) : undefined;
        const prepared = checkLeaves(plan, rows, (actor, keyId) => this.keyOf(actor, keyId));
        const verdicts = deps.signatures.verifyAll(prepared.requests);
        verdicts.catch(() => undefined); // awaited below; a stop may leave it behind
        const after = await this.checkTree(inFlight?.after ?? cursor, plan, prepared);
        next = { plan, prepared, verdicts, after };
        plan = following;
      }
      if (inFlight) {
        cursor = await this.commit(inFlight);
        if (cursor.nextBlock >= run.blockCount) return;
        if (deps.stopping()) return;
      }
      if (!next) {
        // Nothing (more) to read: a log of no blocks, or blocks that cover fewer leaves.
        const empty: InFlight = {
          plan: { ...plan, segments: [] },
          prepared: undefined,
          verdicts: Promise.resolve([]),
          after: cursor,
        };
        await this.commit(empty, true);
        return;
      }
      inFlight = next;
    }
  }

  private plan(position: { readonly nextLeaf: number; readonly nextBlock: number }): ChunkPlan {
    return planChunk(position, this.run, this.byHeight, this.deps.chunkLeaves);
  }

  private keyOf(actor: string, keyId: string): Uint8Array | null {
    return this.keys.get(`${actor}/${keyId}`) ?? null;
  }

  /** One query each for the chunk's events and stored nodes (and keys not seen yet). */
  private async read(plan: ChunkPlan): Promise<ChunkRows> {
    const from = plan.segments[0]!.from;
    const to = plan.segments.at(-1)!.to;
    const [leaves, stored] = await Promise.all([
      this.deps.tables.events.sealedLeaves(from, to),
      this.deps.tables.nodes.levelRanges(nodeRanges(from, to)),
    ]);
    await this.loadKeys(leaves);
    return { leaves, stored };
  }

  private async loadKeys(leaves: readonly SealedLeaf[]): Promise<void> {
    const wanted = new Map<string, { actor: string; keyId: string }>();
    for (const l of leaves) {
      const id = `${l.actor}/${l.keyId}`;
      if (!this.keys.has(id)) wanted.set(id, { actor: l.actor, keyId: l.keyId });
    }
    if (wanted.size === 0) return;
    const found = await this.deps.tables.keys.publicKeys([...wanted.values()]);
    for (const id of wanted.keys()) this.keys.set(id, found.get(id) ?? null);
  }

  /** The tree, rebuilt segment by segment, and each block checked where the chunk ends it. */
  private async checkTree(
    cursor: AuditCursor,
    plan: ChunkPlan,
    prepared: PreparedChunk,
  ): Promise<AuditCursor> {
    const { segments, found, blockOf } = plan;
    const from = segments[0]!.from;
    let frontier: Frontier = { size: cursor.nextLeaf, hashes: cursor.frontier };
    let { nextBlock, prevHash, prevRoot } = cursor;
    for (const segment of segments) {
      const leafHashes = prepared.hashes.slice(segment.from - from, segment.to - from);
      frontier = checkTreeSegment(frontier, leafHashes, prepared.stored, blockOf, found);
      if (!segment.endsBlock) continue;
      const signedRoot = await this.checkBlock(segment, frontier, prevHash, prevRoot, found);
      prevHash = segment.block.hash;
      prevRoot = signedRoot;
      nextBlock = segment.block.height + 1;
    }
    return {
      nextLeaf: plan.end.nextLeaf,
      nextBlock,
      frontier: frontier.hashes,
      prevHash,
      prevRoot,
    };
  }

  /** The block's own checks, and the stored consistency proof from the checkpoint before. */
  private async checkBlock(
    segment: Segment,
    frontier: Frontier,
    prevHash: string | null,
    prevRoot: string | null,
    found: DiscrepancyRecord[],
  ): Promise<string | null> {
    const block = segment.block;
    if (isPlaceholder(block)) return null;
    const { signedRoot } = checkBlockEnd(block, frontier, prevHash, this.vkey, found);
    const prevSize = block.firstLeafIndex;
    if (prevRoot && signedRoot && prevSize > 0 && prevSize < frontier.size) {
      try {
        const proof = await this.deps.ledger.consistencyProof(prevSize, frontier.size);
        verifyConsistency(
          prevSize,
          frontier.size,
          proof,
          hexToBytes(prevRoot),
          hexToBytes(signedRoot),
        );
      } catch (err) {
        found.push({
          kind: 'CONSISTENCY',
          blockHeight: block.height,
          leafIndex: null,
          message: `checkpoints ${prevSize} → ${frontier.size} are not proven consistent (${err instanceof Error ? err.message : String(err)})`,
        });
      }
    }
    return signedRoot;
  }

  /**
   * The checks over whole tables, once, with the last chunk: the recall table rebuilt from
   * the sealed RECALLs, every tally against the rows it counts, every key against the key
   * directory.
   */
  private async wholeIndex(
    blockOf: (leafIndex: number) => number | null,
  ): Promise<DiscrepancyRecord[]> {
    const { tables } = this.deps;
    const [recalls, recallRows, tallies, keys, directory] = await Promise.all([
      tables.events.sealedRecalls(this.run.treeSize),
      tables.index.recallRows(),
      tables.index.tallyDifferences(),
      tables.keys.all(),
      this.deps.keyDirectory(),
    ]);
    const heightOf = (leaf: number) =>
      blockOf(leaf) ??
      [...this.byHeight.values()].find((b) => leaf >= b.firstLeafIndex && leaf < b.treeSize)
        ?.height ??
      null;
    return [
      ...recallDiscrepancies(recalls, recallRows, heightOf),
      ...tallyDiscrepancies(tallies),
      ...keyDiscrepancies(keys, directory),
    ];
  }

  /** Commits one checked chunk once its signatures are decided; the cursor after it. */
  private async commit(chunk: InFlight, forceFinish = false): Promise<AuditCursor> {
    const { run, deps } = this;
    const found = chunk.plan.found;
    const verdicts = await chunk.verdicts;
    // Audit time is wall time: each chunk is charged from the previous commit on.
    const now = performance.now();
    const elapsedMs = now - this.clock.since;
    this.clock.since = now;
    found.push(
      ...signatureFindings(verdicts, chunk.prepared?.requestLeaf ?? [], chunk.plan.blockOf),
    );
    const cursor = chunk.after;
    const finished = forceFinish || cursor.nextBlock >= run.blockCount;
    if (finished) found.push(...(await this.wholeIndex(chunk.plan.blockOf)));
    if (finished && cursor.nextLeaf !== run.treeSize) {
      found.push({
        kind: 'BLOCK_FIELDS',
        blockHeight: run.blockCount - 1,
        leafIndex: null,
        message: `the blocks cover ${cursor.nextLeaf} leaves, the log claims ${run.treeSize}`,
      });
    }
    const ok = await deps.repository.commitChunk(
      run.id,
      this.owner,
      cursor,
      inReportOrder(found),
      elapsedMs,
      deps.leaseMs,
      finished ? { status: 'COMPLETED' } : undefined,
    );
    if (!ok) throw new Error(`audit ${run.id}: the lease was lost to another worker`);
    if (finished) deps.logger.log(`audit ${run.id} completed`);
    return cursor;
  }
}
