// Inclusion and consistency proofs of RFC 9162 sections 2.1.3.1 and 2.1.4.1 (PATH and
// PROOF/SUBPROOF), computed from stored complete subtrees in two steps so a server can
// fetch in one query: `plan*` lists the node ids (O(log n) of them, all complete
// subtrees, never the leaves of a range), `assembleProof` builds the path from their
// hashes. A path element whose subtree is not complete (it touches the right edge of the
// tree) is the right fold of its complete-subtree decomposition.
import { auint } from './assert';
import { LedgerArgumentError } from './errors';
import { type NodeId, foldSubtrees, splitPoint, subtreesOfRange } from './merkle';

/** Proof elements in RFC order, each as the complete subtrees whose fold it is. */
export interface ProofPlan {
  readonly elements: readonly (readonly NodeId[])[];
}

/** Hash of a stored complete subtree, undefined when absent. */
export type NodeLookup = (level: number, index: number) => Uint8Array | undefined;

export function planInclusion(leafIndex: number, treeSize: number): ProofPlan {
  auint(leafIndex, 'leafIndex');
  auint(treeSize, 'treeSize');
  if (leafIndex >= treeSize)
    throw new LedgerArgumentError('leafIndex', `not below tree size ${treeSize}`);
  const elements: NodeId[][] = [];
  // PATH(m, D[lo:hi]): recursion unrolled from the root down, elements collected bottom-up.
  let lo = 0;
  let hi = treeSize;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (leafIndex < lo + k) {
      elements.push(subtreesOfRange(lo + k, hi));
      hi = lo + k;
    } else {
      elements.push(subtreesOfRange(lo, lo + k));
      lo += k;
    }
  }
  return { elements: elements.reverse() };
}

/** PROOF(m, D[n]) for 0 < m <= n (empty when m = n). */
export function planConsistency(size1: number, size2: number): ProofPlan {
  auint(size1, 'size1');
  auint(size2, 'size2');
  if (size1 === 0)
    throw new LedgerArgumentError('size1', 'no consistency proof from the empty tree');
  if (size1 > size2) throw new LedgerArgumentError('size1', `greater than size2 ${size2}`);
  const elements: NodeId[][] = [];
  // SUBPROOF(m, D[lo:hi], b), unrolled the same way.
  let m = size1;
  let lo = 0;
  let hi = size2;
  let complete = true;
  for (;;) {
    const n = hi - lo;
    if (m === n) {
      if (!complete) elements.push(subtreesOfRange(lo, hi));
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      elements.push(subtreesOfRange(lo + k, hi));
      hi = lo + k;
    } else {
      elements.push(subtreesOfRange(lo, lo + k));
      m -= k;
      lo += k;
      complete = false;
    }
  }
  return { elements: elements.reverse() };
}

/** The ids whose fold is the root at `treeSize` (its compact range); empty for size 0. */
export function planRoot(treeSize: number): NodeId[] {
  return subtreesOfRange(0, auint(treeSize, 'treeSize'));
}

/** Every distinct node id a plan needs: the one query to run. */
export function planNodeIds(plan: ProofPlan): NodeId[] {
  const seen = new Set<string>();
  const out: NodeId[] = [];
  for (const element of plan.elements) {
    for (const id of element) {
      const key = `${id.level}/${id.index}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(id);
      }
    }
  }
  return out;
}

function fetch(lookup: NodeLookup, id: NodeId): Uint8Array {
  const hash = lookup(id.level, id.index);
  if (hash === undefined) {
    throw new LedgerArgumentError('lookup', `node level ${id.level} index ${id.index} not stored`);
  }
  return hash;
}

export function assembleProof(plan: ProofPlan, lookup: NodeLookup): Uint8Array[] {
  return plan.elements.map((ids) => foldSubtrees(ids.map((id) => fetch(lookup, id))));
}

/** MTH at any size from stored subtrees: O(log n) reads and hashes. */
export function rootFromNodes(treeSize: number, lookup: NodeLookup): Uint8Array {
  return foldSubtrees(planRoot(treeSize).map((id) => fetch(lookup, id)));
}
