// The pure checks of the full-ledger audit (SPEC sections 1 and 5), one chunk of leaves at
// a time: which blocks and leaves a chunk covers, each leaf recomputed from its stored
// event (RFC 8785 leaf input, content hash, columns, block, the request for its
// signature), the RFC 9162 tree rebuilt and compared node by node, and each block's
// fields, hash, link, root and signed checkpoint. No I/O: audit-run.ts reads the rows and
// commits what these functions find.
import type { VerifyRequest } from '@custos/events/signature-verification.service';
import { GENESIS_PREV_HASH, blockHash } from '@custos/ledger/block';
import { bytesToHex, equalBytes } from '@custos/ledger/bytes';
import { openCheckpoint } from '@custos/ledger/checkpoint';
import { checkStoredEvent } from '@custos/ledger/stored-event';
import { NATIVE_CODEC } from '@custos/ledger/stored-event-native';
import { appendLeaves, frontierRoot, type Frontier } from '@custos/ledger/merkle-append';
import { nodeHashFast } from '@custos/ledger/merkle-native';
import type { VerifierKey } from '@custos/ledger/note';
import { indexDiscrepancy } from './audit-index';
import type { BlockRow } from '@custos/store/block.repository';
import type { SealedLeaf } from '@custos/store/ledger-event.repository';
import type { AuditRunRecord, DiscrepancyRecord } from './audit.repository';

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
  | 'CONSISTENCY'
  | 'INDEX'
  | 'KEY_NOT_ON_RECORD'
  | 'KEY_ROW_MISSING'
  | 'KEY_RECORD_REFUSED'
  | 'KEY_DIRECTORY_MISMATCH';

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

export interface Segment {
  readonly block: BlockRow;
  readonly from: number;
  readonly to: number;
  /** The chunk ends the block here (its root, checkpoint and links are checked). */
  readonly endsBlock: boolean;
}

export interface ChunkPlan {
  readonly segments: readonly Segment[];
  /** Discrepancies of this chunk; planning adds missing blocks, every stage the rest. */
  readonly found: DiscrepancyRecord[];
  /** Where the next chunk starts. */
  readonly end: { readonly nextLeaf: number; readonly nextBlock: number };
  readonly blockOf: (leafIndex: number) => number | null;
}

export interface ChunkRows {
  readonly leaves: readonly SealedLeaf[];
  /** Stored tree nodes, keyed "level/index". */
  readonly stored: ReadonlyMap<string, Uint8Array>;
}

export interface PreparedChunk {
  /** Recomputed leaf hashes of the chunk, leaf order. */
  readonly hashes: readonly Uint8Array[];
  readonly stored: ReadonlyMap<string, Uint8Array>;
  readonly requests: readonly VerifyRequest[];
  /** The leaf of each signature request. */
  readonly requestLeaf: readonly SealedLeaf[];
}

/** The next chunk: whole blocks (or part of a large one) up to `chunkLeaves` leaves. */
export function planChunk(
  position: { readonly nextLeaf: number; readonly nextBlock: number },
  run: { readonly treeSize: number; readonly blockCount: number },
  byHeight: ReadonlyMap<number, BlockRow>,
  chunkLeaves: number,
): ChunkPlan {
  const segments: Segment[] = [];
  const found: DiscrepancyRecord[] = [];
  let leaf = position.nextLeaf;
  let height = position.nextBlock;
  let budget = chunkLeaves;
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
      const end = next ? Math.max(leaf, Math.min(next.firstLeafIndex, run.treeSize)) : run.treeSize;
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

/**
 * Every leaf of the chunk recomputed from its stored event: the leaf hash, the content
 * and column checks, and the signature requests (the key of each from `keyOf`, null when
 * none is on record), all rebuilt by stored-event.ts.
 */
export function checkLeaves(
  plan: ChunkPlan,
  rows: ChunkRows,
  keyOf: (actor: string, keyId: string) => Uint8Array | null,
): PreparedChunk {
  const { segments, found, blockOf } = plan;
  const from = segments[0]!.from;
  const to = segments.at(-1)!.to;
  const byIndex = new Map(rows.leaves.map((l) => [l.leafIndex, l]));
  const hashes: Uint8Array[] = [];
  const requests: VerifyRequest[] = [];
  const requestLeaf: SealedLeaf[] = [];
  for (let leaf = from; leaf < to; leaf++) {
    const row = byIndex.get(leaf);
    const report = (kind: DiscrepancyKind, message: string) =>
      found.push({ kind, blockHeight: blockOf(leaf), leafIndex: leaf, message });
    if (!row) {
      report('LEAF_MISSING', `no stored event has leaf ${leaf}`);
      hashes.push(rows.stored.get(`0/${leaf}`) ?? new Uint8Array(32));
      continue;
    }
    const checked = checkStoredEvent(row, NATIVE_CODEC);
    const { rebuilt, event } = checked;
    if (!rebuilt || !event) {
      const why = checked.faults.map((f) => (f.problem === 'unreadable' ? f.detail : f.problem));
      report('EVENT_UNREADABLE', `event ${row.eventId} cannot be read back: ${why.join('; ')}`);
      hashes.push(rows.stored.get(`0/${leaf}`) ?? new Uint8Array(32));
      continue;
    }
    hashes.push(rebuilt.leafHash);
    const faults = new Set(checked.faults.map((f) => f.field));
    if (faults.has('contentHash')) {
      report('EVENT_CONTENT', `event ${row.eventId} differs from the content accepted and sealed`);
    }
    if (faults.has('eventId') || faults.has('actor') || faults.has('type')) {
      report(
        'EVENT_COLUMNS',
        `event ${row.eventId}: stored columns disagree with the signed event`,
      );
    }
    const index = indexDiscrepancy(event, row);
    if (index) report('INDEX', index);
    if (row.blockHeight !== blockOf(leaf)) {
      report(
        'LEAF_BLOCK',
        `event ${row.eventId} says block ${String(row.blockHeight)}, its leaf lies in block ${String(blockOf(leaf))}`,
      );
    }
    const key = keyOf(row.actor, row.keyId);
    if (!key) {
      report(
        'KEY_MISSING',
        `event ${row.eventId}: key ${row.keyId} of ${row.actor} is not on record`,
      );
      continue;
    }
    if (!checked.signature) {
      report('SIGNATURE', `event ${row.eventId}: the signature is not 64 bytes of base64url`);
      continue;
    }
    requests.push({ message: rebuilt.signingBytes, signature: checked.signature, publicKey: key });
    requestLeaf.push(row);
  }
  return { hashes, stored: rows.stored, requests, requestLeaf };
}

/** The tree rebuilt over one segment; every new node compared with the stored one. */
export function checkTreeSegment(
  frontier: Frontier,
  leafHashes: readonly Uint8Array[],
  stored: ReadonlyMap<string, Uint8Array>,
  blockOf: (leafIndex: number) => number | null,
  found: DiscrepancyRecord[],
): Frontier {
  const appended = appendLeaves(frontier, leafHashes, nodeHashFast);
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
  return appended.frontier;
}

/**
 * A block against the recomputed tree at its end: its link to the block before, its
 * fields, hash, root and signed checkpoint. The checkpoint's signed root, when it opens.
 */
export function checkBlockEnd(
  block: BlockRow,
  frontier: Frontier,
  prevHash: string | null,
  vkey: VerifierKey,
  found: DiscrepancyRecord[],
): { signedRoot: string | null } {
  const report = (kind: DiscrepancyKind, message: string) =>
    found.push({ kind, blockHeight: block.height, leafIndex: null, message });
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
  try {
    const opened = openCheckpoint(block.checkpoint, [vkey]);
    const signedRoot = bytesToHex(opened.checkpoint.rootHash);
    if (opened.checkpoint.size !== frontier.size || signedRoot !== root) {
      report(
        'CHECKPOINT',
        `block ${block.height}: the signed checkpoint (size ${opened.checkpoint.size}, root ${signedRoot}) differs from the recomputed tree (size ${frontier.size}, root ${root})`,
      );
    }
    return { signedRoot };
  } catch (err) {
    report(
      'CHECKPOINT_SIGNATURE',
      `block ${block.height}: the checkpoint does not verify with the sealing key (${err instanceof Error ? err.message : String(err)})`,
    );
    return { signedRoot: null };
  }
}

/** The discrepancies of signatures that did not verify, one per leaf. */
export function signatureFindings(
  verdicts: readonly boolean[],
  requestLeaf: readonly SealedLeaf[],
  blockOf: (leafIndex: number) => number | null,
): DiscrepancyRecord[] {
  const out: DiscrepancyRecord[] = [];
  verdicts.forEach((ok, i) => {
    if (ok) return;
    const row = requestLeaf[i]!;
    out.push({
      kind: 'SIGNATURE',
      blockHeight: blockOf(row.leafIndex),
      leafIndex: row.leafIndex,
      message: `event ${row.eventId}: the signature does not verify with key ${row.keyId} of ${row.actor}`,
    });
  });
  return out;
}

/** In block and leaf order, whichever stage found them; a block's own after its leaves'. */
export function inReportOrder(found: DiscrepancyRecord[]): DiscrepancyRecord[] {
  const last = Number.MAX_SAFE_INTEGER;
  return found.sort(
    (a, b) =>
      (a.blockHeight ?? last) - (b.blockHeight ?? last) ||
      (a.leafIndex ?? last) - (b.leafIndex ?? last),
  );
}

/** For each level, the index range of nodes that can complete within leaves [from, to). */
export function nodeRanges(from: number, to: number): { level: number; lo: number; hi: number }[] {
  const ranges: { level: number; lo: number; hi: number }[] = [];
  for (let level = 0; 2 ** level <= to; level++) {
    const size = 2 ** level;
    const lo = Math.floor(from / size);
    const hi = Math.floor(to / size) - 1;
    if (hi >= lo) ranges.push({ level, lo, hi });
  }
  return ranges;
}

/** Stands for a missing block: its leaves are walked, nothing of its own is checked. */
export function placeholder(height: number, from: number, to: number): BlockRow {
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

/** True for the stand-in of a missing block. */
export function isPlaceholder(block: BlockRow): boolean {
  return block.checkpoint === '';
}
