// Builds a verification's proof bundle (proof-bundle.ts) from what the log serves: the
// latest checkpoint, opened with the sealing key, and every inclusion path in one read.
// The checkpoint is read beside the history, so a block sealed in between can hold events
// past it: those are proven against the checkpoint read again, which covers them.
import { Injectable, Logger } from '@nestjs/common';
import type { IntegrityFailure } from '@custos/custody/assess';
import { bytesToHex } from '@custos/ledger/bytes';
import { openCheckpoint } from '@custos/ledger/checkpoint';
import { parseVerifierKey } from '@custos/ledger/note';
import { type LedgerCheckpoint, LedgerQueryService } from '@custos/sealing/ledger-query.service';
import { SealingKeyService } from '@custos/sealing/sealing-key.service';
import {
  type OpenedCheckpoint,
  type ProofBundle,
  type SealedEvent,
  proveInclusion,
} from './proof-bundle';

/** The latest checkpoint and the sealing key's vkey, read together. */
export type LogHead = readonly [LedgerCheckpoint, string];

@Injectable()
export class ProofBundleService {
  private readonly logger = new Logger('Verification');
  /** The last checkpoint note whose signature verified, and what it says. */
  private verifiedNote: (OpenedCheckpoint & { vkey: string }) | undefined;

  constructor(
    private readonly ledger: LedgerQueryService,
    private readonly sealingKey: SealingKeyService,
  ) {}

  /** The latest checkpoint and the sealing key, to be read beside the history. */
  async head(): Promise<LogHead> {
    return Promise.all([this.ledger.checkpoint(), this.sealingKey.vkey()]);
  }

  /**
   * The proof bundle of `sealed` (none when nothing is sealed or the checkpoint does not
   * verify), with every failure found pushed to `failures`.
   */
  async build(
    sealed: readonly SealedEvent[],
    head: Promise<LogHead>,
    failures: IntegrityFailure[],
  ): Promise<ProofBundle | undefined> {
    if (sealed.length === 0) return undefined;
    const [latest, vkey] = await head;
    let checkpoint = latest;
    const highest = Math.max(...sealed.map((s) => s.stored.leafIndex));
    if (highest >= checkpoint.treeSize) checkpoint = await this.ledger.checkpoint();
    let opened: OpenedCheckpoint;
    try {
      opened = this.open(checkpoint.note, vkey);
    } catch (err) {
      const message = `the latest checkpoint does not verify with the sealing key (${err instanceof Error ? err.message : String(err)})`;
      for (const s of sealed)
        failures.push({ message, publicMessage: message, eventId: s.stored.eventId });
      return undefined;
    }
    const paths = await this.paths(
      sealed.map((s) => s.stored.leafIndex),
      opened.size,
    );
    const proven = proveInclusion(sealed, opened, paths);
    for (const why of proven.unproven) this.logger.warn(why);
    failures.push(...proven.failures);
    const { origin, treeSize, rootHash, note } = checkpoint;
    return {
      checkpoint: { origin, treeSize, rootHash: bytesToHex(rootHash), note },
      entries: proven.entries,
    };
  }

  /** Opens the note with the sealing key; the same note bytes are only verified once. */
  private open(note: string, vkey: string): OpenedCheckpoint {
    const memo = this.verifiedNote;
    if (memo && memo.note === note && memo.vkey === vkey) return memo;
    const { checkpoint } = openCheckpoint(note, [parseVerifierKey(vkey)]);
    this.verifiedNote = { note, vkey, root: checkpoint.rootHash, size: checkpoint.size };
    return this.verifiedNote;
  }

  /** All inclusion paths in one read; entry by entry only when that fails (a missing node). */
  private async paths(
    leafIndexes: readonly number[],
    size: number,
  ): Promise<Map<number, Uint8Array[]>> {
    try {
      return await this.ledger.inclusionProofs(leafIndexes, size);
    } catch {
      const one = async (leafIndex: number) => {
        try {
          const path = await this.ledger.inclusionProof(leafIndex, size);
          return [[leafIndex, path] as const];
        } catch {
          return [];
        }
      };
      return new Map((await Promise.all(leafIndexes.map(one))).flat());
    }
  }
}
