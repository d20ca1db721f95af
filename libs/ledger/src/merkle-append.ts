// Incremental append to an RFC 9162 tree through its compact range (the "frontier"):
// the roots of the complete subtrees covering [0, n), largest first, one per set bit of
// n. Appending k leaf hashes costs k + (number of merges) <= 2k + log2 n hashes, plus
// log2 n for the new root, and yields every subtree that became complete, which is what
// the server stores (merkle-plan.ts reads proofs back from them).
import { abytes, auint } from './assert';
import { LedgerArgumentError } from './errors';
import {
  HASH_SIZE,
  type NodeId,
  type StoredNode,
  foldSubtrees,
  nodeHash,
  subtreesOfRange,
} from './merkle';

export interface Frontier {
  readonly size: number;
  /** Hashes of `frontierIds(size)`, same order. */
  readonly hashes: readonly Uint8Array[];
}

export interface AppendResult {
  readonly frontier: Frontier;
  /** MTH of the tree after the append. */
  readonly root: Uint8Array;
  /** Newly complete subtrees, leaves (level 0) included, each level in index order. */
  readonly nodes: StoredNode[];
}

export const EMPTY_FRONTIER: Frontier = { size: 0, hashes: [] };

/** The node ids a frontier of `size` leaves holds: load these to resume appending. */
export function frontierIds(size: number): NodeId[] {
  return subtreesOfRange(0, auint(size, 'size'));
}

export function assertFrontier(frontier: Frontier): void {
  auint(frontier.size, 'frontier.size');
  const expected = frontierIds(frontier.size).length;
  if (frontier.hashes.length !== expected) {
    throw new LedgerArgumentError(
      'frontier.hashes',
      `expected ${expected} hashes for size ${frontier.size}`,
    );
  }
  frontier.hashes.forEach((h) => abytes(h, 'frontier.hashes[]', HASH_SIZE));
}

export function frontierRoot(frontier: Frontier): Uint8Array {
  assertFrontier(frontier);
  return foldSubtrees(frontier.hashes);
}

/** H(0x01 ‖ left ‖ right): merkle.ts `nodeHash`, or merkle-native.ts's on the server. */
export type NodeHasher = (left: Uint8Array, right: Uint8Array) => Uint8Array;

export function appendLeaves(
  frontier: Frontier,
  leafHashes: readonly Uint8Array[],
  hashNode: NodeHasher = nodeHash,
): AppendResult {
  assertFrontier(frontier);
  if (!Number.isSafeInteger(frontier.size + leafHashes.length)) {
    throw new LedgerArgumentError('leafHashes', 'tree size would exceed 2^53 - 1');
  }
  const ids = frontierIds(frontier.size);
  const stack: StoredNode[] = ids.map((id, i) => ({ ...id, hash: frontier.hashes[i]! }));
  const nodes: StoredNode[] = [];
  let index = frontier.size;
  for (const leaf of leafHashes) {
    let node: StoredNode = {
      level: 0,
      index: index++,
      hash: abytes(leaf, 'leafHashes[]', HASH_SIZE),
    };
    nodes.push(node);
    // A right child completes its parent; the left sibling is on top of the stack.
    while (node.index % 2 === 1) {
      const left = stack.pop()!;
      node = {
        level: node.level + 1,
        index: (node.index - 1) / 2,
        hash: hashNode(left.hash, node.hash),
      };
      nodes.push(node);
    }
    stack.push(node);
  }
  const hashes = stack.map((n) => n.hash);
  return { frontier: { size: index, hashes }, root: foldSubtrees(hashes, hashNode), nodes };
}
