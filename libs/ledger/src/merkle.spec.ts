import fc from 'fast-check';
import { bytesToHex } from './bytes';
import { ProofVerificationError } from './errors';
import { leafHash, rootOfLeafHashes, splitPoint, subtreesOfRange } from './merkle';
import { EMPTY_FRONTIER, appendLeaves, frontierRoot } from './merkle-append';
import { MemoryLog } from './merkle-memory-store';
import { planConsistency, planInclusion, planNodeIds } from './merkle-plan';
import { verifyConsistency, verifyInclusion } from './merkle-verify';

// Naive RFC 9162 section 2.1.3.1 / 2.1.4.1 definitions over all the leaves.
function naivePath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = splitPoint(leaves.length);
  return m < k
    ? [...naivePath(m, leaves.slice(0, k)), rootOfLeafHashes(leaves.slice(k))]
    : [...naivePath(m - k, leaves.slice(k)), rootOfLeafHashes(leaves.slice(0, k))];
}
function naiveSubproof(m: number, leaves: Uint8Array[], b: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [rootOfLeafHashes(leaves)];
  const k = splitPoint(n);
  return m <= k
    ? [...naiveSubproof(m, leaves.slice(0, k), b), rootOfLeafHashes(leaves.slice(k))]
    : [...naiveSubproof(m - k, leaves.slice(k), false), rootOfLeafHashes(leaves.slice(0, k))];
}

const leavesOf = (n: number, salt: number) =>
  Array.from({ length: n }, (_, i) => leafHash(new TextEncoder().encode(`${salt}/${i}`)));
const hexes = (a: readonly Uint8Array[]) => a.map(bytesToHex);

/** A log of n leaves built by appending batches of the given sizes (cycled). */
function buildLog(leaves: Uint8Array[], batches: number[]): MemoryLog {
  const log = new MemoryLog();
  let at = 0;
  for (let i = 0; at < leaves.length; i++) {
    const k = Math.max(1, batches[i % batches.length]!);
    log.append(leaves.slice(at, at + k));
    at += k;
  }
  return log;
}

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** The mutated proof, or null when the mutation would leave it unchanged. */
function mutate(proof: Uint8Array[], m: Mutation): Uint8Array[] | null {
  const out = proof.map((p) => p.slice());
  switch (m.kind) {
    case 'flip': {
      if (out.length === 0) return null;
      out[m.at % out.length]![m.bit >> 3]! ^= 1 << (m.bit & 7);
      return out;
    }
    case 'drop':
      if (out.length === 0) return null;
      out.splice(m.at % out.length, 1);
      return out;
    case 'insert':
      out.splice(m.at % (out.length + 1), 0, m.bytes);
      return out;
    case 'swap': {
      if (out.length < 2) return null;
      const i = m.at % out.length;
      const j = m.with % out.length;
      if (bytesToHex(out[i]!) === bytesToHex(out[j]!)) return null;
      [out[i], out[j]] = [out[j]!, out[i]!];
      return out;
    }
  }
}

const treeArb = fc
  .record({
    n: fc.integer({ min: 1, max: 300 }),
    salt: fc.nat(),
    batches: fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 5 }),
  })
  .map((t) => ({ ...t, leaves: leavesOf(t.n, t.salt) }));

describe('Merkle properties (fast-check)', () => {
  it('appending in any batches gives the recursive MTH at every size, from stored nodes', () => {
    fc.assert(
      fc.property(treeArb, fc.nat(), ({ leaves, batches }, pick) => {
        const log = buildLog(leaves, batches);
        const size = 1 + (pick % leaves.length);
        expect(bytesToHex(log.root())).toBe(bytesToHex(rootOfLeafHashes(leaves)));
        expect(bytesToHex(log.root(size))).toBe(
          bytesToHex(rootOfLeafHashes(leaves.slice(0, size))),
        );
        expect(bytesToHex(frontierRoot(log.frontier))).toBe(bytesToHex(log.root()));
      }),
      { numRuns: 150 },
    );
  });

  it('an append of k leaves stores exactly the newly complete subtrees (O(k + log n) of them)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 300 }), (n, k) => {
        const before = appendLeaves(EMPTY_FRONTIER, leavesOf(n, 1));
        const after = appendLeaves(before.frontier, leavesOf(k, 2));
        let expected = 0;
        for (let w = 1; w <= n + k; w *= 2) expected += Math.floor((n + k) / w) - Math.floor(n / w);
        expect(after.nodes).toHaveLength(expected);
        expect(after.nodes.length).toBeLessThanOrEqual(2 * k + Math.log2(n + k));
        expect(after.frontier.hashes).toHaveLength(subtreesOfRange(0, n + k).length);
      }),
      { numRuns: 100 },
    );
  });

  it('inclusion proofs match the naive PATH, verify, and fail when mutated', () => {
    fc.assert(
      fc.property(treeArb, fc.nat(), fc.nat(), mutation, ({ leaves, batches }, a, b, mut) => {
        const log = buildLog(leaves, batches);
        const size = 1 + (a % leaves.length);
        const index = b % size;
        const proof = log.inclusionProof(index, size);
        const root = log.root(size);
        expect(hexes(proof)).toEqual(hexes(naivePath(index, leaves.slice(0, size))));
        verifyInclusion(index, size, leaves[index]!, proof, root);
        const bad = mutate(proof, mut);
        if (bad !== null) {
          expect(() => verifyInclusion(index, size, leaves[index]!, bad, root)).toThrow(
            ProofVerificationError,
          );
        }
        const otherLeaf = leaves[(index + 1) % leaves.length]!;
        if (leaves.length > 1) {
          expect(() => verifyInclusion(index, size, otherLeaf, proof, root)).toThrow(
            ProofVerificationError,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('consistency proofs match the naive PROOF, verify, and fail when mutated', () => {
    fc.assert(
      fc.property(treeArb, fc.nat(), fc.nat(), mutation, ({ leaves, batches }, a, b, mut) => {
        const log = buildLog(leaves, batches);
        const size2 = 1 + (a % leaves.length);
        const size1 = 1 + (b % size2);
        const proof = log.consistencyProof(size1, size2);
        const [root1, root2] = [log.root(size1), log.root(size2)];
        expect(hexes(proof)).toEqual(hexes(naiveSubproof(size1, leaves.slice(0, size2), true)));
        verifyConsistency(size1, size2, proof, root1, root2);
        const bad = mutate(proof, mut);
        if (bad !== null) {
          expect(() => verifyConsistency(size1, size2, bad, root1, root2)).toThrow(
            ProofVerificationError,
          );
        }
        if (size1 < size2) {
          expect(() => verifyConsistency(size1, size2, proof, root2, root2)).toThrow(
            ProofVerificationError,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('plans read O(log n) complete subtrees, never a whole range, up to 2^53 - 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, f) => {
          const m = Math.min(n - 1, Math.floor(f * n));
          const bits = Math.ceil(Math.log2(n));
          const inclusion = planNodeIds(planInclusion(m, n));
          expect(inclusion.length).toBeLessThanOrEqual(2 * bits);
          if (m > 0)
            expect(planNodeIds(planConsistency(m, n)).length).toBeLessThanOrEqual(2 * bits + 1);
          for (const id of inclusion) expect(Number.isSafeInteger(id.index)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a proof on a stored 100,000-leaf log costs a handful of node reads', () => {
    const log = new MemoryLog();
    for (let i = 0; i < 100; i++) log.append(leavesOf(1000, i));
    log.store.reads = 0;
    const proof = log.inclusionProof(54_321, 99_999);
    expect(log.store.reads).toBeLessThanOrEqual(2 * 17);
    verifyInclusion(54_321, 99_999, log.store.get(0, 54_321)!, proof, log.root(99_999));
  });
});
