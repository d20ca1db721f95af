// Split views (SPEC section 9): a log that shows one tree to some and another to others.
// Checkpoints gathered from several places — witnesses' cosigned notes, other logs' URLs,
// saved notes, a verify bundle — are each opened with the log's key; two of the same size
// with different roots, or one whose root is not the root of the first `size` leaves of a
// tree we hold (a mirror's tiles), prove it: both are signed by the log.
import { bytesToHex, equalBytes, hexToBytes } from '@custos/ledger/bytes';
import { openCheckpoint } from '@custos/ledger/checkpoint';
import { openCosignatures } from '@custos/ledger/cosignature';
import { rootOfLeafHashes } from '@custos/ledger/merkle';
import type { VerifierKey } from '@custos/ledger/note';

export interface SeenCheckpoint {
  /** Where it came from: a file, a URL, "the bundle". */
  readonly source: string;
  readonly size: number;
  readonly rootHash: string;
  /** The names of the given witnesses whose cosignature on it verifies. */
  readonly vouchedBy: readonly string[];
}

export interface CheckpointComparison {
  readonly checkpoints: readonly SeenCheckpoint[];
  /** One sentence per pair (or checkpoint and held tree) that cannot both be the log. */
  readonly splitViews: readonly string[];
  /** Checkpoints that could not be read or are not signed by the log. */
  readonly problems: readonly string[];
}

const described = (c: SeenCheckpoint) =>
  `${c.source} (size ${c.size}, root ${c.rootHash}${c.vouchedBy.length > 0 ? `, cosigned by ${c.vouchedBy.join(', ')}` : ''})`;

export function compareCheckpoints(
  notes: readonly { readonly source: string; readonly note: string }[],
  logKeys: readonly VerifierKey[],
  witnessKeys: readonly VerifierKey[] = [],
  /** Leaf hashes of a tree we hold (e.g. a mirror's): every smaller checkpoint must fit it. */
  held?: { readonly source: string; readonly leafHashes: readonly Uint8Array[] },
): CheckpointComparison {
  const origin = logKeys[0]?.name;
  const checkpoints: SeenCheckpoint[] = [];
  const problems: string[] = [];
  for (const { source, note } of notes) {
    try {
      const { checkpoint } = openCheckpoint(note, logKeys, origin);
      let vouchedBy: string[] = [];
      try {
        vouchedBy = openCosignatures(note, witnessKeys).map((c) => c.name);
      } catch (err) {
        problems.push(`${source}: a cosignature does not verify: ${(err as Error).message}`);
      }
      checkpoints.push({
        source,
        size: checkpoint.size,
        rootHash: bytesToHex(checkpoint.rootHash),
        vouchedBy,
      });
    } catch (err) {
      problems.push(`${source}: not a checkpoint signed by the log: ${(err as Error).message}`);
    }
  }
  const splitViews: string[] = [];
  checkpoints.forEach((a, i) => {
    for (const b of checkpoints.slice(i + 1))
      if (a.size === b.size && a.rootHash !== b.rootHash)
        splitViews.push(`split view: ${described(a)} and ${described(b)}`);
  });
  if (held) {
    for (const c of checkpoints) {
      if (c.size > held.leafHashes.length) continue;
      const root = rootOfLeafHashes(held.leafHashes.slice(0, c.size));
      if (!equalBytes(root, hexToBytes(c.rootHash)))
        splitViews.push(
          `split view: ${described(c)} is not consistent with ${held.source} (size ${held.leafHashes.length}, whose first ${c.size} leaves have root ${bytesToHex(root)})`,
        );
    }
  }
  return { checkpoints, splitViews, problems };
}
