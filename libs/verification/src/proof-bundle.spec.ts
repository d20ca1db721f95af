// The proof bundle's pure checks: a sound history gives one verifying entry per sealed
// event, and each way a stored block or proof can be wrong is a failure on that event.
import { blockHash, type BlockFields } from '@custos/ledger/block';
import { base64ToBytes, bytesToHex, hexToBytes } from '@custos/ledger/bytes';
import { leafHash, rootOfLeafHashes } from '@custos/ledger/merkle';
import { assembleProof, planInclusion } from '@custos/ledger/merkle-plan';
import { verifyInclusion } from '@custos/ledger/merkle-verify';
import { parseTlogProof } from '@custos/ledger/tlog-proof';
import type { RebuiltEvent } from '@custos/ledger/stored-event';
import {
  blockProblem,
  type OpenedCheckpoint,
  proveInclusion,
  type SealedEvent,
} from './proof-bundle';
import type { BlockHeader } from '@custos/store/block.repository';

const leafInputs = Array.from({ length: 5 }, (_, i) => new TextEncoder().encode(`leaf ${i}`));
const leafHashes = leafInputs.map((input) => leafHash(input));
const subtree = (level: number, index: number) =>
  rootOfLeafHashes(leafHashes.slice(index << level, (index + 1) << level));
const pathOf = (leaf: number, size: number) => assembleProof(planInclusion(leaf, size), subtree);

function block(fields: Omit<BlockFields, 'rootHash'>): BlockHeader {
  const withRoot = {
    ...fields,
    rootHash: bytesToHex(rootOfLeafHashes(leafHashes.slice(0, fields.treeSize))),
  };
  return { ...withRoot, hash: blockHash(withRoot) };
}
const block0 = block({
  height: 0,
  prevHash: '0'.repeat(64),
  firstLeafIndex: 0,
  eventCount: 3,
  treeSize: 3,
  sealedAt: '2026-12-03T10:00:00.000Z',
});
const block1 = block({
  height: 1,
  prevHash: block0.hash,
  firstLeafIndex: 3,
  eventCount: 2,
  treeSize: 5,
  sealedAt: '2026-12-03T10:00:01.000Z',
});
const checkpoint: OpenedCheckpoint = {
  note: 'custos.test/log\n5\nroot\n\n— custos.test/log sig\n',
  size: 5,
  root: rootOfLeafHashes(leafHashes),
};

function sealed(leaf: number, changes: Partial<SealedEvent['stored']> = {}): SealedEvent {
  const own = leaf < 3 ? block0 : block1;
  const rebuilt: RebuiltEvent = {
    signed: `{"n":${leaf}}`,
    signingBytes: new Uint8Array(),
    leafInput: leafInputs[leaf]!,
    leafHash: leafHashes[leaf]!,
    contentMatches: true,
  };
  return {
    stored: {
      seq: BigInt(leaf + 1),
      eventId: `event-${leaf}`,
      type: 'SHIP',
      actor: '0950600000019',
      keyId: 'k1',
      signature: 'sig',
      eventJson: rebuilt.signed,
      contentHash: new Uint8Array(32),
      leafIndex: leaf,
      blockHeight: own.height,
      items: [],
      key: null,
      block: own,
      nextPrevHash: own === block0 ? block1.prevHash : null,
      ...changes,
    },
    rebuilt,
  };
}

const allPaths = new Map([0, 1, 2, 3, 4].map((leaf) => [leaf, pathOf(leaf, 5)]));

describe('proveInclusion', () => {
  it('gives a verifying entry, in the published encodings, for every sealed event of a sound history', () => {
    const history = [0, 1, 2, 3, 4].map((leaf) => sealed(leaf));
    const { entries, failures, unproven } = proveInclusion(history, checkpoint, allPaths);
    expect(failures).toEqual([]);
    expect(unproven).toEqual([]);
    expect(entries.map((e) => e.leafIndex)).toEqual([0, 1, 2, 3, 4]);
    for (const entry of entries) {
      expect(base64ToBytes(entry.leafInput)).toEqual(leafInputs[entry.leafIndex]);
      expect(entry.leafHash).toBe(bytesToHex(leafHashes[entry.leafIndex]!));
      const path = entry.path.map((h) => hexToBytes(h));
      // What an offline verifier does with the entry alone and the checkpoint's root.
      expect(() =>
        verifyInclusion(entry.leafIndex, 5, hexToBytes(entry.leafHash), path, checkpoint.root),
      ).not.toThrow();
      const tlog = parseTlogProof(entry.tlogProof);
      expect(tlog.index).toBe(entry.leafIndex);
      expect(tlog.proof.map((h) => bytesToHex(h))).toEqual(entry.path);
      expect(tlog.checkpoint).toBe(checkpoint.note);
    }
  });

  it('refuses a path that does not lead to the checkpoint root, and a missing one', () => {
    const wrong = new Map(allPaths);
    wrong.set(1, pathOf(2, 5)); // leaf 2's path offered for leaf 1
    wrong.delete(3);
    const { entries, failures, unproven } = proveInclusion(
      [sealed(1), sealed(3), sealed(4)],
      checkpoint,
      wrong,
    );
    expect(entries.map((e) => e.leafIndex)).toEqual([4]);
    expect(failures.map((f) => f.eventId)).toEqual(['event-1', 'event-3']);
    expect(failures[0]!.message).toBe(
      'event event-1: its inclusion in the signed checkpoint at leaf 1 does not verify',
    );
    expect(unproven[1]).toMatch(/no proof could be built for leaf 3/);
  });

  it('refuses a rebuilt leaf the tree does not hold (an event row changed after sealing)', () => {
    const changed = sealed(2);
    const forged = { ...changed.rebuilt!, leafHash: leafHash(new TextEncoder().encode('other')) };
    const { entries, failures } = proveInclusion(
      [{ ...changed, rebuilt: forged }],
      checkpoint,
      allPaths,
    );
    expect(entries).toEqual([]);
    expect(failures.map((f) => f.eventId)).toEqual(['event-2']);
  });

  it('checks the block of an event it could not rebuild, and proves nothing for it', () => {
    const unbuilt = { ...sealed(0), rebuilt: undefined };
    expect(proveInclusion([unbuilt], checkpoint, allPaths)).toEqual({
      entries: [],
      failures: [],
      unproven: [],
    });
    const broken = { ...sealed(0, { block: null }), rebuilt: undefined };
    expect(proveInclusion([broken], checkpoint, allPaths).failures).toEqual([
      expect.objectContaining({
        eventId: 'event-0',
        message: 'event event-0: its block 0 is missing',
      }),
    ]);
  });
});

describe('blockProblem', () => {
  it('holds nothing against a sound block', () => {
    expect(blockProblem(sealed(0).stored)).toBeUndefined();
    expect(blockProblem(sealed(4).stored)).toBeUndefined();
  });

  it.each([
    ['a missing block', { block: null }, 'its block 0 is missing'],
    [
      'a block whose fields changed',
      { block: { ...block0, sealedAt: '2020-01-01T00:00:00.000Z' } },
      'block 0 does not hash to its recorded hash',
    ],
    ['a leaf outside its block', { block: block1 }, 'leaf 1 lies outside block 1'],
    [
      'a next block that does not link to it',
      { nextPrevHash: 'ab'.repeat(32) },
      'block 1 does not link to block 0',
    ],
  ] as const)('names %s', (_name, changes, problem) => {
    expect(blockProblem(sealed(1, changes).stored)).toBe(problem);
  });

  it('is also a failure of the event in proveInclusion, beside its proof', () => {
    const { entries, failures } = proveInclusion(
      [sealed(1, { nextPrevHash: 'ab'.repeat(32) })],
      checkpoint,
      allPaths,
    );
    expect(entries.map((e) => e.leafIndex)).toEqual([1]); // the leaf itself is in the tree
    expect(failures).toEqual([
      expect.objectContaining({ message: 'event event-1: block 1 does not link to block 0' }),
    ]);
  });
});
