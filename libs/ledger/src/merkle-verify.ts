// Proof verification exactly as RFC 9162 section 2.1.3.2 (inclusion) and 2.1.4.2
// (consistency), with the `sn == 0` checks inside and after the loop. Every hash entering
// the arithmetic must be 32 bytes. Policy shared with transparency-dev/merkle (whose
// vectors we pass): size1 == 0 is always an error (no proof from the empty tree is
// defined), and equal sizes need an empty proof and byte-identical roots.
import { abytes, auint } from './assert';
import { equalBytes } from './bytes';
import { ProofVerificationError } from './errors';
import { HASH_SIZE, isPowerOfTwo, nodeHash } from './merkle';

const half = (x: number): number => Math.floor(x / 2);
const odd = (x: number): boolean => x % 2 === 1;

function assertHash(hash: Uint8Array, field: string): void {
  abytes(hash, field);
  if (hash.length !== HASH_SIZE) {
    throw new ProofVerificationError(
      'BAD_HASH_LENGTH',
      `${field}: expected ${HASH_SIZE} bytes, got ${hash.length}`,
    );
  }
}

/** H(0x01 ‖ left ‖ right): merkle.ts `nodeHash`, or merkle-native.ts's on the server. */
export type NodeHasher = (left: Uint8Array, right: Uint8Array) => Uint8Array;

/** The root an inclusion proof leads to (RFC 9162 section 2.1.3.2 steps 1-5, less the compare). */
export function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  hashNode: NodeHasher = nodeHash,
): Uint8Array {
  auint(leafIndex, 'leafIndex');
  auint(treeSize, 'treeSize');
  if (leafIndex >= treeSize) {
    throw new ProofVerificationError(
      'INDEX_OUT_OF_RANGE',
      `leaf index ${leafIndex} >= tree size ${treeSize}`,
    );
  }
  assertHash(leafHash, 'leafHash');
  proof.forEach((p, i) => assertHash(p, `proof[${i}]`));
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new ProofVerificationError('PROOF_LENGTH', 'inclusion proof too long');
    if (odd(fn) || fn === sn) {
      r = hashNode(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashNode(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofVerificationError('PROOF_LENGTH', 'inclusion proof too short');
  return r;
}

/** Throws ProofVerificationError unless `proof` shows leaf `leafIndex` in the tree `root`. */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
  hashNode: NodeHasher = nodeHash,
): void {
  const computed = rootFromInclusionProof(leafIndex, treeSize, leafHash, proof, hashNode);
  assertHash(root, 'root');
  if (!equalBytes(computed, root))
    throw new ProofVerificationError('ROOT_MISMATCH', 'inclusion proof does not lead to root');
}

/** Throws ProofVerificationError unless `proof` shows tree `root2` extends tree `root1`. */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  auint(size1, 'size1');
  auint(size2, 'size2');
  abytes(root1, 'root1');
  abytes(root2, 'root2');
  if (size2 < size1)
    throw new ProofVerificationError('SIZE_ORDER', `size2 ${size2} < size1 ${size1}`);
  if (size1 === 0)
    throw new ProofVerificationError('EMPTY_TREE', 'consistency proof from the empty tree');
  if (size1 === size2) {
    if (proof.length !== 0)
      throw new ProofVerificationError('PROOF_LENGTH', 'equal sizes need an empty proof');
    if (!equalBytes(root1, root2))
      throw new ProofVerificationError('ROOT_MISMATCH', 'equal sizes, different roots');
    return;
  }
  // Step 1.
  if (proof.length === 0)
    throw new ProofVerificationError('PROOF_LENGTH', 'empty consistency proof');
  assertHash(root1, 'root1');
  assertHash(root2, 'root2');
  proof.forEach((p, i) => assertHash(p, `proof[${i}]`));
  // Step 2.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // Steps 3-4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  let fr = path[0]!;
  let sr = path[0]!;
  // Step 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) throw new ProofVerificationError('PROOF_LENGTH', 'consistency proof too long');
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7.
  if (sn !== 0) throw new ProofVerificationError('PROOF_LENGTH', 'consistency proof too short');
  if (!equalBytes(fr, root1))
    throw new ProofVerificationError('ROOT_MISMATCH', 'proof does not lead to root1');
  if (!equalBytes(sr, root2))
    throw new ProofVerificationError('ROOT_MISMATCH', 'proof does not lead to root2');
}
