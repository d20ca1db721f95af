// The full-ledger audit (SPEC sections 1 and 5): nothing stored is believed. A run walks
// the log as it stood when it was started, in chunks of CHUNK_LEAVES leaves, and for every
// leaf recomputes the leaf input from the stored event (RFC 8785), checks it against the
// content hash accepted at ingest, re-checks the actor's Ed25519 signature (the strict
// rule, on worker threads) and the event's block; it rebuilds the RFC 9162 tree from the
// recomputed leaf hashes, compares every stored tree node with it, and at each block's
// end compares the root with the block's rootHash and with its checkpoint, whose
// signature is verified with the sealing key; it checks each block's hash, fields and
// prevHash link, and the stored consistency proof between consecutive checkpoints.
//
// The cursor (next leaf and block, the recomputed frontier, the last link and signed
// root) is committed with each chunk's discrepancies in one transaction, so a worker
// killed mid-run resumes at the last chunk committed and reports nothing twice. A run is
// held through a lease renewed every chunk: a second worker waits for it, and takes it
// over once a dead worker's lease lapses.
import { hash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { JOB_QUEUE, type CustosQueue } from '@custos/core/tokens';
import {
  SignatureVerificationService,
  type VerifyRequest,
} from '@custos/events/signature-verification.service';
import { GENESIS_PREV_HASH, blockHash } from '@custos/ledger/block';
import { bytesToHex, equalBytes, hexToBytes } from '@custos/ledger/bytes';
import { openCheckpoint } from '@custos/ledger/checkpoint';
import { withoutNullFields, type EventObject } from '@custos/ledger/events';
import { canonicalJson } from '@custos/ledger/jcs';
import { appendLeaves, frontierRoot, type Frontier } from '@custos/ledger/merkle-append';
import { verifyConsistency } from '@custos/ledger/merkle-verify';
import { parseVerifierKey, type VerifierKey } from '@custos/ledger/note';
import { LedgerQueryService } from '@custos/sealing/ledger-query.service';
import { SealingKeyService } from '@custos/sealing/sealing-key.service';
import {
  type AuditBlock,
  type AuditCursor,
  type AuditLeaf,
  AuditRepository,
  type AuditRunRecord,
  type DiscrepancyRecord,
} from './audit.repository';

export const CHUNK_LEAVES = 5000;
/** A worker renews its lease every chunk; a dead worker's lapses after this. */
export const LEASE_MS = 10_000;

export type DiscrepancyKind =
  | 'LEAF_MISSING'
  | 'EVENT_UNREADABLE'
  | 'EVENT_CONTENT'
  | 'EVENT_COLUMNS'
  | 'KEY_MISSING'
  | 'SIGNATURE'
  | 'LEAF_BLOCK'
  | 'TREE_NODE'
  | 'ROOT'
  | 'BLOCK_FIELDS'
  | 'BLOCK_HASH'
  | 'BLOCK_CHAIN'
  | 'BLOCK_MISSING'
  | 'CHECKPOINT_SIGNATURE'
  | 'CHECKPOINT'
  | 'CONSISTENCY';

export interface AuditProgress {
  readonly run: AuditRunRecord;
  /** 0–100. */
  readonly percentDone: number;
  /** Leaves checked per second of audit time, over the whole run. */
  readonly eventsPerSecond: number;
}

export function progressOf(run: AuditRunRecord): AuditProgress {
  const percentDone =
    run.treeSize === 0
      ? run.status === 'COMPLETED'
        ? 100
        : 0
      : Math.min(100, (100 * run.nextLeaf) / run.treeSize);
  const eventsPerSecond = run.elapsedMs > 0 ? (run.nextLeaf * 1000) / run.elapsedMs : 0;
  return { run, percentDone, eventsPerSecond };
}

interface ChunkPlan {
  readonly segments: readonly Segment[];
  /** Discrepancies of this chunk; planning adds missing blocks, every stage the rest. */
  readonly found: DiscrepancyRecord[];
  /** Where the next chunk starts. */
  readonly end: { readonly nextLeaf: number; readonly nextBlock: number };
  readonly blockOf: (leafIndex: number) => number | null;
}

interface ChunkRows {
  readonly leaves: readonly AuditLeaf[];
  readonly stored: ReadonlyMap<string, Uint8Array>;
}

interface PreparedChunk {
  /** Recomputed leaf hashes of the chunk, leaf order. */
  readonly hashes: readonly Uint8Array[];
  readonly stored: ReadonlyMap<string, Uint8Array>;
  readonly requests: readonly VerifyRequest[];
  /** The leaf of each signature request. */
  readonly requestLeaf: readonly AuditLeaf[];
}

/** A chunk checked but for its signatures, which the worker threads are deciding. */
interface InFlight {
  readonly plan: ChunkPlan;
  readonly prepared: PreparedChunk | undefined;
  readonly verdicts: Promise<boolean[]>;
  /** The cursor once this chunk is committed. */
  readonly after: AuditCursor;
}

const EVENT_PREFIX = 'custos-event:v1:';

interface Segment {
  readonly block: AuditBlock;
  readonly from: number;
  readonly to: number;
  /** The chunk ends the block here (its root, checkpoint and links are checked). */
  readonly endsBlock: boolean;
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');
  private stopping = false;
  private readonly keys = new Map<string, Uint8Array | null>();

  constructor(
    private readonly repository: AuditRepository,
    private readonly ledger: LedgerQueryService,
    private readonly sealingKey: SealingKeyService,
    private readonly signatures: SignatureVerificationService,
    @Inject(JOB_QUEUE) private readonly queue: CustosQueue,
  ) {}

  /** startAudit: a new run over the log as it stands, queued for a worker. */
  async start(principal: Principal | undefined): Promise<AuditProgress> {
    const by = principal?.kind === 'participant' ? principal.id : 'admin';
    const run = await this.repository.create(by);
    await this.queue.add('audit', { runId: run.id.toString() });
    return progressOf(run);
  }

  async progress(id: string): Promise<AuditProgress | undefined> {
    const run = /^\d+$/.test(id) ? await this.repository.find(BigInt(id)) : undefined;
    return run ? progressOf(run) : undefined;
  }

  discrepancies(id: string, after: string | null, limit: number) {
    if (!/^\d+$/.test(id)) throw new DomainError('BAD_USER_INPUT', 'id: an audit run id', 'id');
    if (after !== null && !/^\d+$/.test(after)) {
      throw new DomainError('BAD_USER_INPUT', 'after: a discrepancy id', 'after');
    }
    return this.repository.discrepancies(BigInt(id), after === null ? null : BigInt(after), limit);
  }

  /** Re-queues every unfinished run (a worker starting after a crash resumes them). */
  async resumeUnfinished(): Promise<number> {
    const runs = await this.repository.unfinished();
    for (const run of runs) await this.queue.add('audit', { runId: run.id.toString() });
    return runs.length;
  }

  /** Makes a running audit stop after its current chunk (graceful stop of the worker). */
  stop(): void {
    this.stopping = true;
  }

  /** The audit job: runs (or resumes) run `runId` to its end, or until stop(). */
  async run(runId: string): Promise<void> {
    const id = BigInt(runId);
    const owner = randomUUID();
    const run = await this.takeLease(id, owner);
    if (!run) return;
    try {
      await this.walk(run, owner);
    } catch (err) {
      this.logger.error(`audit ${runId} failed: ${String(err)}`);
      const current = await this.repository.find(id);
      if (current) {
        await this.repository.commitChunk(id, owner, current, [], 0, LEASE_MS, {
          status: 'FAILED',
          error: err instanceof Error ? err.message : String(err),
        });
      }
      throw err;
    } finally {
      await this.repository.release(id, owner);
    }
  }

  /** The run with a lease for `owner`; waits out another worker's lease; undefined if finished. */
  private async takeLease(id: bigint, owner: string): Promise<AuditRunRecord | undefined> {
    const deadline = Date.now() + LEASE_MS * 3;
    for (;;) {
      const run = await this.repository.lease(id, owner, LEASE_MS);
      if (run) return run;
      const current = await this.repository.find(id);
      if (!current || current.status === 'COMPLETED' || current.status === 'FAILED')
        return undefined;
      if (Date.now() > deadline || this.stopping) return undefined; // another worker holds it
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  private async walk(run: AuditRunRecord, owner: string): Promise<void> {
    const vkey = parseVerifierKey(await this.sealingKey.vkey());
    this.keys.clear(); // read afresh for every run: a key row may have been changed since
    if (run.nextLeaf > 0) this.logger.log(`audit ${run.id}: resuming at leaf ${run.nextLeaf}`);
    const blocks = await this.repository.blocks(run.nextBlock, run.blockCount);
    const byHeight = new Map(blocks.map((b) => [b.height, b]));
    // A pipeline of chunks: while the worker threads verify chunk N's signatures, this
    // thread checks N's tree and blocks, and reads and prepares chunk N+1 (its rows read
    // while N is prepared). Chunks are still committed one by one, in order, each only
    // once its signatures are decided, so the cursor means what it did.
    let cursor: AuditCursor = run;
    let plan = this.plan(run, run, byHeight);
    let reading = plan.segments.length > 0 ? this.read(plan) : undefined;
    let inFlight: InFlight | undefined;
    const clock = { since: performance.now() };
    for (;;) {
      let next: InFlight | undefined;
      if (plan.segments.length > 0 && reading) {
        const rows = await reading;
        const following = this.plan(plan.end, run, byHeight);
        reading = following.segments.length > 0 ? this.read(following) : undefined;
        const prepared = this.prepare(plan, rows);
        const verdicts = this.signatures.verifyAll(prepared.requests);
        verdicts.catch(() => undefined); // awaited below; a stop may leave it behind
        const after = await this.checkTree(inFlight?.after ?? cursor, plan, prepared, vkey);
        next = { plan, prepared, verdicts, after };
        plan = following;
      }
      if (inFlight) {
        cursor = await this.commit(run, owner, inFlight, clock);
        if (cursor.nextBlock >= run.blockCount) return;
        if (this.stopping) return;
      }
      if (!next) {
        // Nothing (more) to read: a log of no blocks, or blocks that cover fewer leaves.
        const empty: InFlight = {
          plan: { ...plan, segments: [] },
          prepared: undefined,
          verdicts: Promise.resolve([]),
          after: cursor,
        };
        await this.commit(run, owner, empty, clock, true);
        return;
      }
      inFlight = next;
    }
  }

  /** Commits one checked chunk once its signatures are decided; the cursor after it. */
  private async commit(
    run: AuditRunRecord,
    owner: string,
    chunk: InFlight,
    clock: { since: number },
    forceFinish = false,
  ): Promise<AuditCursor> {
    const found = chunk.plan.found;
    const verdicts = await chunk.verdicts;
    // Audit time is wall time: each chunk is charged from the previous commit on.
    const now = performance.now();
    const elapsedMs = now - clock.since;
    clock.since = now;
    const { requestLeaf } = chunk.prepared ?? { requestLeaf: [] };
    verdicts.forEach((ok, i) => {
      if (ok) return;
      const row = requestLeaf[i]!;
      found.push({
        kind: 'SIGNATURE',
        blockHeight: chunk.plan.blockOf(row.leafIndex),
        leafIndex: row.leafIndex,
        message: `event ${row.eventId}: the signature does not verify with key ${row.keyId} of ${row.actor}`,
      });
    });
    const cursor = chunk.after;
    const finished = forceFinish || cursor.nextBlock >= run.blockCount;
    if (finished && cursor.nextLeaf !== run.treeSize) {
      found.push({
        kind: 'BLOCK_FIELDS',
        blockHeight: run.blockCount - 1,
        leafIndex: null,
        message: `the blocks cover ${cursor.nextLeaf} leaves, the log claims ${run.treeSize}`,
      });
    }
    // In block and leaf order, whichever stage found them; a block's own after its leaves'.
    const last = Number.MAX_SAFE_INTEGER;
    found.sort(
      (a, b) =>
        (a.blockHeight ?? last) - (b.blockHeight ?? last) ||
        (a.leafIndex ?? last) - (b.leafIndex ?? last),
    );
    const ok = await this.repository.commitChunk(
      run.id,
      owner,
      cursor,
      found,
      elapsedMs,
      LEASE_MS,
      finished ? { status: 'COMPLETED' } : undefined,
    );
    if (!ok) throw new Error(`audit ${run.id}: the lease was lost to another worker`);
    if (finished) this.logger.log(`audit ${run.id} completed`);
    return cursor;
  }

  /** The next chunk: whole blocks (or part of a large one) up to CHUNK_LEAVES leaves. */
  private plan(
    position: { readonly nextLeaf: number; readonly nextBlock: number },
    run: AuditRunRecord,
    byHeight: ReadonlyMap<number, AuditBlock>,
  ): ChunkPlan {
    const segments: Segment[] = [];
    const found: DiscrepancyRecord[] = [];
    let leaf = position.nextLeaf;
    let height = position.nextBlock;
    let budget = CHUNK_LEAVES;
    while (budget > 0 && height < run.blockCount) {
      const block = byHeight.get(height);
      if (!block) {
        found.push({
          kind: 'BLOCK_MISSING',
          blockHeight: height,
          leafIndex: null,
          message: `block ${height} is missing`,
        });
        // Nothing says where it ended: the next block's first leaf, if any, resumes the walk.
        const next = byHeight.get(height + 1);
        const end = next
          ? Math.max(leaf, Math.min(next.firstLeafIndex, run.treeSize))
          : run.treeSize;
        segments.push({
          block: placeholder(height, leaf, end),
          from: leaf,
          to: end,
          endsBlock: true,
        });
        leaf = end;
        height++;
        break;
      }
      const end = Math.max(leaf, Math.min(block.treeSize, run.treeSize));
      const to = Math.min(end, leaf + budget);
      segments.push({ block, from: leaf, to, endsBlock: to === end });
      budget -= to - leaf;
      leaf = to;
      if (to === end) height++;
    }
    const blockOf = (index: number) =>
      segments.find((s) => index >= s.from && index < s.to)?.block.height ?? null;
    return { segments, found, end: { nextLeaf: leaf, nextBlock: height }, blockOf };
  }

  /** One query each for the chunk's events and stored nodes (and keys not seen yet). */
  private async read(plan: ChunkPlan): Promise<ChunkRows> {
    const from = plan.segments[0]!.from;
    const to = plan.segments.at(-1)!.to;
    const [leaves, stored] = await Promise.all([
      this.repository.leaves(from, to),
      this.repository.nodes(nodeRanges(from, to)),
    ]);
    await this.loadKeys(leaves);
    return { leaves, stored };
  }

  /**
   * Every leaf of the chunk recomputed from its stored event: the leaf hash, the content
   * and column checks, and the signature requests. The event is canonicalized once; the
   * signing bytes and the leaf input are both built from that one RFC 8785 text.
   */
  private prepare(plan: ChunkPlan, rows: ChunkRows): PreparedChunk {
    const { segments, found, blockOf } = plan;
    const from = segments[0]!.from;
    const to = segments.at(-1)!.to;
    const byIndex = new Map(rows.leaves.map((l) => [l.leafIndex, l]));
    const hashes: Uint8Array[] = [];
    const requests: VerifyRequest[] = [];
    const requestLeaf: AuditLeaf[] = [];
    for (let leaf = from; leaf < to; leaf++) {
      const row = byIndex.get(leaf);
      const report = (kind: DiscrepancyKind, message: string) =>
        found.push({ kind, blockHeight: blockOf(leaf), leafIndex: leaf, message });
      if (!row) {
        report('LEAF_MISSING', `no stored event has leaf ${leaf}`);
        hashes.push(rows.stored.get(`0/${leaf}`) ?? new Uint8Array(32));
        continue;
      }
      let event: EventObject;
      let signed: string;
      let prefixed: Buffer;
      let content: Buffer;
      try {
        event = JSON.parse(row.eventJson) as EventObject;
        const tail = `,"keyId":${canonicalJson(row.keyId)},"signature":${canonicalJson(row.signature)}}`;
        // Ingest stores the event as signed, in its RFC 8785 form. When the leaf input
        // built from the stored text hashes to the content hash accepted at ingest, the
        // text is that canonical form (SHA-256 is collision resistant), so canonicalizing
        // it again would change nothing; otherwise the leaf is recomputed from the event.
        signed = row.eventJson;
        prefixed = Buffer.from(`\0{"event":${signed}${tail}`);
        content = hash('sha256', prefixed.subarray(1), 'buffer');
        if (!equalBytes(content, row.contentHash)) {
          signed = canonicalJson(withoutNullFields(event));
          // 0x00 ‖ JCS of {event, keyId, signature}: the keys in that order, the event
          // as signed. The leaf hash is over all of it, the content hash over the input.
          prefixed = Buffer.from(`\0{"event":${signed}${tail}`);
          content = hash('sha256', prefixed.subarray(1), 'buffer');
        }
      } catch (err) {
        report('EVENT_UNREADABLE', `event ${row.eventId} cannot be read back: ${String(err)}`);
        hashes.push(rows.stored.get(`0/${leaf}`) ?? new Uint8Array(32));
        continue;
      }
      hashes.push(hash('sha256', prefixed, 'buffer'));
      if (!equalBytes(content, row.contentHash)) {
        report(
          'EVENT_CONTENT',
          `event ${row.eventId} differs from the content accepted and sealed`,
        );
      }
      if (
        event['eventId'] !== row.eventId ||
        event['actor'] !== row.actor ||
        event['type'] !== row.type
      ) {
        report(
          'EVENT_COLUMNS',
          `event ${row.eventId}: stored columns disagree with the signed event`,
        );
      }
      if (row.blockHeight !== blockOf(leaf)) {
        report(
          'LEAF_BLOCK',
          `event ${row.eventId} says block ${String(row.blockHeight)}, its leaf lies in block ${String(blockOf(leaf))}`,
        );
      }
      const key = this.keys.get(`${row.actor}/${row.keyId}`);
      if (!key) {
        report(
          'KEY_MISSING',
          `event ${row.eventId}: key ${row.keyId} of ${row.actor} is not on record`,
        );
        continue;
      }
      // base64url without padding, canonical (what base64UrlToBytes accepts), decoded natively.
      const signature = Buffer.from(row.signature, 'base64url');
      if (signature.toString('base64url') !== row.signature) {
        report('SIGNATURE', `event ${row.eventId}: the signature is not base64url`);
        continue;
      }
      requests.push({
        message: Buffer.from(`${EVENT_PREFIX}${signed}`),
        signature,
        publicKey: key,
      });
      requestLeaf.push(row);
    }
    return { hashes, stored: rows.stored, requests, requestLeaf };
  }

  /** The tree, rebuilt segment by segment; every new node compared with the stored one. */
  private async checkTree(
    cursor: AuditCursor,
    plan: ChunkPlan,
    prepared: PreparedChunk,
    vkey: VerifierKey,
  ): Promise<AuditCursor> {
    const { segments, found, blockOf } = plan;
    const from = segments[0]!.from;
    const { hashes, stored } = prepared;
    let frontier: Frontier = { size: cursor.nextLeaf, hashes: cursor.frontier };
    let { nextBlock, prevHash, prevRoot } = cursor;
    for (const segment of segments) {
      const appended = appendLeaves(frontier, hashes.slice(segment.from - from, segment.to - from));
      frontier = appended.frontier;
      for (const node of appended.nodes) {
        const have = stored.get(`${node.level}/${node.index}`);
        if (!have || !equalBytes(have, node.hash)) {
          const first = node.index * 2 ** node.level;
          // The block that sealed the node: the one of the last leaf it covers.
          const last = first + 2 ** node.level - 1;
          found.push({
            kind: 'TREE_NODE',
            blockHeight: blockOf(last),
            leafIndex: first,
            message: `tree node ${node.level}/${node.index} ${have ? 'differs from the recomputed hash' : 'is missing'}`,
          });
        }
      }
      if (!segment.endsBlock) continue;
      const checked = await this.checkBlock(segment, frontier, prevHash, prevRoot, vkey, found);
      prevHash = checked.hash;
      prevRoot = checked.signedRoot;
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

  private async checkBlock(
    segment: Segment,
    frontier: Frontier,
    prevHash: string | null,
    prevRoot: string | null,
    vkey: VerifierKey,
    found: DiscrepancyRecord[],
  ): Promise<{ hash: string; signedRoot: string | null }> {
    const block = segment.block;
    const report = (kind: DiscrepancyKind, message: string) =>
      found.push({ kind, blockHeight: block.height, leafIndex: null, message });
    if (block.checkpoint === '') return { hash: block.hash, signedRoot: null }; // missing block
    const root = bytesToHex(frontierRoot(frontier));
    const expectedPrev = prevHash ?? GENESIS_PREV_HASH;
    if (block.prevHash !== expectedPrev) {
      report(
        'BLOCK_CHAIN',
        `block ${block.height} links to ${block.prevHash}, the block before hashes to ${expectedPrev}`,
      );
    }
    if (
      block.treeSize !== frontier.size ||
      block.firstLeafIndex + block.eventCount !== block.treeSize
    ) {
      report(
        'BLOCK_FIELDS',
        `block ${block.height}: firstLeafIndex ${block.firstLeafIndex} + eventCount ${block.eventCount} != treeSize ${block.treeSize} (recomputed ${frontier.size})`,
      );
    }
    try {
      if (blockHash(block) !== block.hash)
        report('BLOCK_HASH', `block ${block.height} does not hash to its recorded hash`);
    } catch (err) {
      report('BLOCK_HASH', `block ${block.height} cannot be hashed: ${String(err)}`);
    }
    if (block.rootHash !== root) {
      report(
        'ROOT',
        `block ${block.height}: rootHash ${block.rootHash}, the recomputed tree of ${frontier.size} gives ${root}`,
      );
    }
    let signedRoot: string | null = null;
    try {
      const opened = openCheckpoint(block.checkpoint, [vkey]);
      signedRoot = bytesToHex(opened.checkpoint.rootHash);
      if (opened.checkpoint.size !== frontier.size || signedRoot !== root) {
        report(
          'CHECKPOINT',
          `block ${block.height}: the signed checkpoint (size ${opened.checkpoint.size}, root ${signedRoot}) differs from the recomputed tree (size ${frontier.size}, root ${root})`,
        );
      }
    } catch (err) {
      report(
        'CHECKPOINT_SIGNATURE',
        `block ${block.height}: the checkpoint does not verify with the sealing key (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    const prevSize = segment.block.firstLeafIndex;
    if (prevRoot && signedRoot && prevSize > 0 && prevSize < frontier.size) {
      try {
        const proof = await this.ledger.consistencyProof(prevSize, frontier.size);
        verifyConsistency(
          prevSize,
          frontier.size,
          proof.map((h, i) => hexToBytes(h, `proof[${i}]`, 32)),
          hexToBytes(prevRoot),
          hexToBytes(signedRoot),
        );
      } catch (err) {
        report(
          'CONSISTENCY',
          `checkpoints ${prevSize} → ${frontier.size} are not proven consistent (${err instanceof Error ? err.message : String(err)})`,
        );
      }
    }
    return { hash: block.hash, signedRoot };
  }

  private async loadKeys(leaves: readonly AuditLeaf[]): Promise<void> {
    const wanted = new Map<string, { actor: string; keyId: string }>();
    for (const l of leaves) {
      const id = `${l.actor}/${l.keyId}`;
      if (!this.keys.has(id)) wanted.set(id, { actor: l.actor, keyId: l.keyId });
    }
    if (wanted.size === 0) return;
    const found = await this.repository.publicKeys([...wanted.values()]);
    for (const id of wanted.keys()) this.keys.set(id, found.get(id) ?? null);
  }
}

/** For each level, the index range of nodes that can complete within leaves [from, to). */
function nodeRanges(from: number, to: number): { level: number; lo: number; hi: number }[] {
  const ranges: { level: number; lo: number; hi: number }[] = [];
  for (let level = 0; 2 ** level <= to; level++) {
    const size = 2 ** level;
    const lo = Math.floor(from / size);
    const hi = Math.floor(to / size) - 1;
    if (hi >= lo) ranges.push({ level, lo, hi });
  }
  return ranges;
}

function placeholder(height: number, from: number, to: number): AuditBlock {
  return {
    height,
    prevHash: '',
    firstLeafIndex: from,
    eventCount: to - from,
    treeSize: to,
    rootHash: '',
    sealedAt: '',
    hash: '',
    checkpoint: '',
  };
}
