// The proof bundle of a verification (SPEC section 7, docs/adr/0003): each sealed event's
// block row checked (its hash recomputed, the leaf inside it, the next block linking to
// it) and its leaf hash, rebuilt from the stored row, proven included (RFC 9162 section
// 2.1.3) in the tree of a checkpoint whose signature has already been verified. What does
// not hold is an INTEGRITY_FAILURE on the event. Pure: the caller reads the checkpoint and
// the proofs' nodes.
import type { IntegrityFailure } from '@custos/custody/assess';
import { blockHash } from '@custos/ledger/block';
import { bytesToBase64, bytesToHex } from '@custos/ledger/bytes';
import { nodeHashFast } from '@custos/ledger/merkle-native';
import { verifyInclusion } from '@custos/ledger/merkle-verify';
import { formatTlogProof } from '@custos/ledger/tlog-proof';
import type { RebuiltEvent } from '@custos/ledger/stored-event';
import { eventFailure } from './event-check';
import type { StoredEvent } from '@custos/store/event-history.repository';

export interface ProofEntry {
  readonly eventId: string;
  readonly leafIndex: number;
  readonly leafHash: string;
  readonly leafInput: string;
  readonly path: string[];
  readonly tlogProof: string;
}

export interface ProofBundle {
  readonly checkpoint: { origin: string; treeSize: number; rootHash: string; note: string };
  readonly entries: readonly ProofEntry[];
}

/** A sealed event of the history: its stored row and its bytes as rebuilt. */
export interface SealedEvent {
  readonly stored: StoredEvent & { readonly leafIndex: number };
  readonly rebuilt: RebuiltEvent | undefined;
}

/** A checkpoint whose note verified with the sealing key, and the tree it signs. */
export interface OpenedCheckpoint {
  readonly note: string;
  readonly size: number;
  readonly root: Uint8Array;
}

/** What is wrong with a sealed event's block row, or undefined. */
export function blockProblem(stored: SealedEvent['stored']): string | undefined {
  const block = stored.block;
  if (!block) return `its block ${String(stored.blockHeight)} is missing`;
  const leafIndex = stored.leafIndex;
  if (blockHash(block) !== block.hash)
    return `block ${block.height} does not hash to its recorded hash`;
  if (leafIndex < block.firstLeafIndex || leafIndex >= block.firstLeafIndex + block.eventCount)
    return `leaf ${leafIndex} lies outside block ${block.height}`;
  if (stored.nextPrevHash && stored.nextPrevHash !== block.hash)
    return `block ${block.height + 1} does not link to block ${block.height}`;
  return undefined;
}

/**
 * The proof entries of `sealed` against `checkpoint`, from the inclusion paths read for
 * them (`paths`, by leaf index; a missing one is a failure), and every failure found.
 */
export function proveInclusion(
  sealed: readonly SealedEvent[],
  checkpoint: OpenedCheckpoint,
  paths: ReadonlyMap<number, readonly Uint8Array[]>,
): { entries: ProofEntry[]; failures: IntegrityFailure[]; unproven: string[] } {
  const entries: ProofEntry[] = [];
  const failures: IntegrityFailure[] = [];
  const unproven: string[] = [];
  for (const { stored, rebuilt } of sealed) {
    const leafIndex = stored.leafIndex;
    const problem = blockProblem(stored);
    if (problem) failures.push(eventFailure(stored.eventId, problem));
    if (!rebuilt) continue;
    try {
      const path = paths.get(leafIndex);
      if (!path) throw new Error(`no proof could be built for leaf ${leafIndex}`);
      verifyInclusion(
        leafIndex,
        checkpoint.size,
        rebuilt.leafHash,
        path,
        checkpoint.root,
        nodeHashFast,
      );
      entries.push({
        eventId: stored.eventId,
        leafIndex,
        leafHash: bytesToHex(rebuilt.leafHash),
        leafInput: bytesToBase64(rebuilt.leafInput),
        path: path.map((h) => bytesToHex(h)),
        tlogProof: formatTlogProof({
          index: leafIndex,
          proof: [...path],
          checkpoint: checkpoint.note,
        }),
      });
    } catch (err) {
      unproven.push(
        `inclusion of ${stored.eventId} at ${leafIndex} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      failures.push(
        eventFailure(
          stored.eventId,
          `its inclusion in the signed checkpoint at leaf ${leafIndex} does not verify`,
        ),
      );
    }
  }
  return { entries, failures, unproven };
}
