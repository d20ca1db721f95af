// Merkle Tree Hash of RFC 9162 section 2.1.1 (same as RFC 6962 section 2.1): SHA-256,
// leaf hash H(0x00 ‖ d), node hash H(0x01 ‖ left ‖ right), the empty tree H(""), and a
// tree of n leaves split at the largest power of two k < n. Also the vocabulary of node
// storage: a complete subtree (level, index) covers leaves [index·2^level,
// (index+1)·2^level) and is stored once, when it becomes complete.
import { abytes, auint } from './assert';
import { concatBytes } from './bytes';
import { LedgerArgumentError } from './errors';
import { sha256 } from './sha256';

export const HASH_SIZE = 32;

/** A complete (perfect) subtree: leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export interface StoredNode extends NodeId {
  readonly hash: Uint8Array;
}

const LEAF_PREFIX = new Uint8Array([0]);
const NODE_PREFIX = new Uint8Array([1]);

export function leafHash(leafInput: Uint8Array): Uint8Array {
  return sha256(concatBytes(LEAF_PREFIX, abytes(leafInput, 'leafInput')));
}

/** H(0x01 ‖ left ‖ right). Children of any length (the RFC 6962 vectors use short ones). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(NODE_PREFIX, abytes(left, 'left'), abytes(right, 'right')));
}

/** MTH({}) = SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/** Largest power of two strictly below n (n >= 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  if (n < 2) throw new LedgerArgumentError('n', 'split needs at least 2 leaves');
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/**
 * The complete subtrees covering leaves [start, end), left to right, largest first.
 * For a range that is a node of the RFC 9162 tree (start a multiple of the smallest
 * power of two >= its width), MTH of the range is the right fold of their hashes
 * (`foldSubtrees`); [0, n) gives the n-leaf tree's compact range.
 */
export function subtreesOfRange(start: number, end: number): NodeId[] {
  auint(start, 'start');
  auint(end, 'end');
  if (end < start) throw new LedgerArgumentError('end', 'end before start');
  const out: NodeId[] = [];
  let at = start;
  while (at < end) {
    let level = 0;
    let width = 1;
    while (at % (width * 2) === 0 && at + width * 2 <= end) {
      width *= 2;
      level++;
    }
    out.push({ level, index: at / width });
    at += width;
  }
  return out;
}

/** H(h0, H(h1, ... H(h_{k-2}, h_{k-1}))): MTH of a range from its complete subtrees. */
export function foldSubtrees(
  hashes: readonly Uint8Array[],
  hashNode: (left: Uint8Array, right: Uint8Array) => Uint8Array = nodeHash,
): Uint8Array {
  if (hashes.length === 0) return emptyRoot();
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = hashNode(hashes[i]!, acc);
  return acc;
}

/** MTH by the RFC's recursive definition, from all leaf hashes: the reference for tests. */
export function rootOfLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  const mth = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return leafHashes[lo]!;
    const k = splitPoint(hi - lo);
    return nodeHash(mth(lo, lo + k), mth(lo + k, hi));
  };
  return leafHashes.length === 0 ? emptyRoot() : mth(0, leafHashes.length);
}
