// Checks a whole sealed ledger from the outside, with the library's verifiers only:
// blocks chained and hashed as SPEC section 5 says, leaf indexes 0..n-1 in acceptance
// (seq) order with no gap or duplicate, every checkpoint signed by the ledger key,
// every entry's inclusion proof and every pair of checkpoints' consistency proof
// verified, and the signed root equal to the root computed naively from all leaf inputs.
import type { Client } from 'pg';
import { blockHash, GENESIS_PREV_HASH } from '../../libs/ledger/src/block';
import { bytesToHex } from '../../libs/ledger/src/bytes';
import { openCheckpoint } from '../../libs/ledger/src/checkpoint';
import { leafHash, rootOfLeafHashes } from '../../libs/ledger/src/merkle';
import { verifyConsistency, verifyInclusion } from '../../libs/ledger/src/merkle-verify';
import { parseVerifierKey } from '../../libs/ledger/src/note';
import type { TestSealer } from './sealer';

export interface LedgerSummary {
  readonly blocks: number;
  readonly entries: number;
  readonly pending: number;
}

const fail = (message: string): never => {
  throw new Error(`ledger check: ${message}`);
};

export async function checkLedger(
  sealer: TestSealer,
  pg: Client,
  options: { allPairs?: boolean } = {},
): Promise<LedgerSummary> {
  const vkey = parseVerifierKey(await sealer.query.ledgerKey());
  const origin = sealer.config.logOrigin;
  const blocks = await sealer.blocks.all();
  const events = (
    await pg.query<{ seq: string; leaf_index: string | null; block_height: number | null }>(
      'SELECT seq, leaf_index, block_height FROM ledger_event ORDER BY seq',
    )
  ).rows;
  const sealed = events.filter((e) => e.leaf_index !== null);
  const pending = events.length - sealed.length;

  // Acceptance order, no gaps, no duplicates: in seq order the leaf indexes are 0, 1, 2...
  // and every pending event comes after every sealed one.
  sealed.forEach((e, i) => {
    if (Number(e.leaf_index) !== i)
      fail(`event seq ${e.seq} has leaf ${e.leaf_index}, expected ${i}`);
  });
  if (events.slice(0, sealed.length).some((e) => e.leaf_index === null)) {
    fail('a pending event precedes a sealed one');
  }

  // Blocks: heights 0.., chained, hashed, contiguous ranges, signed checkpoints.
  const roots: { size: number; root: Uint8Array }[] = [];
  let prev = GENESIS_PREV_HASH;
  let size = 0;
  blocks.forEach((b, height) => {
    if (b.height !== height) fail(`block ${b.height} at position ${height}`);
    if (b.prevHash !== prev) fail(`block ${height} prevHash`);
    if (b.firstLeafIndex !== size || b.eventCount < 1 || b.treeSize !== size + b.eventCount) {
      fail(`block ${height} range ${b.firstLeafIndex}+${b.eventCount} -> ${b.treeSize}`);
    }
    if (blockHash(b) !== b.hash) fail(`block ${height} hash`);
    const { checkpoint } = openCheckpoint(b.checkpoint, [vkey], origin);
    if (checkpoint.size !== b.treeSize || bytesToHex(checkpoint.rootHash) !== b.rootHash) {
      fail(`block ${height} checkpoint does not match the block`);
    }
    for (let leaf = b.firstLeafIndex; leaf < b.treeSize; leaf++) {
      if (sealed[leaf]?.block_height !== height) fail(`leaf ${leaf} is not in block ${height}`);
    }
    roots.push({ size: b.treeSize, root: checkpoint.rootHash });
    prev = b.hash;
    size = b.treeSize;
  });
  if (size !== sealed.length) fail(`tree size ${size}, ${sealed.length} sealed events`);
  if (size === 0) return { blocks: 0, entries: 0, pending };

  // The latest signed root equals the naive root of every leaf input.
  const head = roots[roots.length - 1]!;
  const latest = await sealer.query.checkpoint();
  if (latest.treeSize !== head.size || bytesToHex(latest.rootHash) !== bytesToHex(head.root)) {
    fail('checkpoint query is not the head block');
  }
  const leafHashes: Uint8Array[] = [];
  const admin = { kind: 'admin' } as const;
  for (let leaf = 0; leaf < size; leaf++) {
    const entry = (await sealer.query.entry(leaf, admin)) ?? fail(`entry ${leaf} missing`);
    leafHashes.push(leafHash(entry.leafInput));
  }
  if (bytesToHex(rootOfLeafHashes(leafHashes)) !== bytesToHex(head.root)) {
    fail('naive root of all leaf inputs differs from the signed root');
  }

  // Every entry in the latest checkpoint, and in its own block's checkpoint.
  for (let leaf = 0; leaf < size; leaf++) {
    const own = roots.find((r) => r.size > leaf)!;
    for (const target of own === head ? [head] : [own, head]) {
      const proof = await sealer.query.inclusionProof(leaf, target.size);
      verifyInclusion(leaf, target.size, leafHashes[leaf]!, proof, target.root);
    }
  }

  // Consistency between every pair of checkpoints (or each with the next and the head).
  const pairs: [number, number][] = [];
  for (let i = 0; i < roots.length; i++) {
    for (let j = i; j < roots.length; j++) {
      if (options.allPairs !== false || j === i + 1 || j === roots.length - 1) pairs.push([i, j]);
    }
  }
  for (const [i, j] of pairs) {
    const a = roots[i]!;
    const b = roots[j]!;
    const proof = await sealer.query.consistencyProof(a.size, b.size);
    verifyConsistency(a.size, b.size, proof, a.root, b.root);
  }
  return { blocks: blocks.length, entries: size, pending };
}
