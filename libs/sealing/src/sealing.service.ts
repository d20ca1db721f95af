import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import { GENESIS_PREV_HASH, blockHash } from '@custos/ledger/block';
import { SignatureVerificationService } from '@custos/events/signature-verification.service';
import { bytesToHex } from '@custos/ledger/bytes';
import { signCheckpoint } from '@custos/ledger/checkpoint';
import { FAST_SIGNING } from '@custos/ledger/ed25519-native';
import type { KeyDirectory } from '@custos/ledger/key-directory';
import { nodeHashFast } from '@custos/ledger/merkle-native';
import {
  type Frontier,
  appendLeaves,
  frontierIds,
  frontierRoot,
} from '@custos/ledger/merkle-append';
import { KeyDirectoryService } from '@custos/participants/key-directory.service';
import { AlertRepository } from '@custos/store/alert.repository';
import type { BlockRow } from '@custos/store/block.repository';
import type { NodeRow } from '@custos/store/tree-node.repository';
import { checkPending } from './pending-check';
import { SignatureVerdicts } from './signature-verdicts';
import { SealingKeyService } from './sealing-key.service';
import { LedgerEventRepository, type PendingEvent } from '@custos/store/ledger-event.repository';
import { type SealTransaction, SealingRepository } from './sealing.repository';

/** Test seams of the seal transaction (the crash test blocks inside it, then is killed). */
export interface SealingHooks {
  /** Runs after every write of the block, before the commit. */
  beforeCommit?(block: BlockRow): Promise<void>;
}
export const SEALING_HOOKS = Symbol('SealingHooks');

/** At most this many blocks per seal transaction (a backlog is worked off in these steps). */
export const MAX_BLOCKS_PER_SEAL = 10;
/** Seals in a row that may find the key directory changed before one gives up till the sweep. */
const STALE_DIRECTORY_ATTEMPTS = 5;

/** Told about every block sealed and every event refused (metrics). */
export interface SealingObserver {
  blockSealed(block: BlockRow, durationMs: number, acceptedAt: readonly Date[]): void;
  integrityFailure(eventId: string): void;
}
export const SEALING_OBSERVER = Symbol('SealingObserver');

export interface SealResult {
  /** The last block this transaction sealed, if any. */
  readonly block: BlockRow | undefined;
  /** Every block this transaction sealed, in height order. */
  readonly blocks: readonly BlockRow[];
  /**
   * A pending event whose stored content does not match its hash, whose key row the key
   * directory does not hold, or whose signature does not verify: sealing stops
   * before it.
   */
  readonly refused: { readonly eventId: string; readonly reason: string } | undefined;
}

export interface DrainOutcome {
  readonly blocks: readonly BlockRow[];
  /** When the oldest pending event comes due (ms from now); undefined when none is pending. */
  readonly nextDueMs: number | undefined;
  /** Sealing stopped at an event whose content does not match its hash. */
  readonly halted: boolean;
}

/**
 * Turns pending events into blocks of the global log (SPEC section 5), exactly once.
 *
 * One seal is one database transaction that first takes the sequencer's advisory lock,
 * then reads the head block and the oldest pending events (seq order), appends their
 * leaves to the stored tree, and writes the block, its signed checkpoint, the new tree
 * nodes and every event's leaf index and block height. A crash anywhere rolls all of it
 * back; two sealers are serialized by the lock, and unique keys (block height, first
 * leaf index, tree size, leaf index, tree node) make a fork impossible even without it.
 * Nothing read back is trusted: every leaf input is recomputed from the stored event and
 * checked against its content hash, its actor's key row against the key directory
 * (docs/adr/0014), its signature with the ledger's strict rule (worker threads, while this
 * thread builds and writes the blocks; nothing commits before every verdict is in), and
 * the stored frontier against the head's root. While a backlog is worked off, the next
 * batch's signatures are verified during this one's write (signature-verdicts.ts).
 *
 * An event whose content no longer matches its hash, or whose key or signature does not
 * verify, was written or edited behind the application's back. It is never sealed: sealing stops just before it (the events ahead of it are
 * sealed, none after it, so acceptance order is kept), a CRITICAL `INTEGRITY_FAILURE`
 * alert is raised once, and an error is logged on every attempt until an operator
 * restores the row (from a backup or the submitter's copy; its hash says what it was).
 */
@Injectable()
export class SealingService {
  private readonly logger = new Logger('Sealer');
  private draining: Promise<DrainOutcome> | undefined;
  private drainAgain = false;
  private readonly verdicts: SignatureVerdicts;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly repository: SealingRepository,
    private readonly events: LedgerEventRepository,
    private readonly key: SealingKeyService,
    private readonly alerts: AlertRepository,
    private readonly signatures: SignatureVerificationService,
    private readonly keyDirectory: KeyDirectoryService,
    @Optional() @Inject(SEALING_HOOKS) private readonly hooks?: SealingHooks,
    @Optional() @Inject(SEALING_OBSERVER) private readonly observer?: SealingObserver,
  ) {
    this.verdicts = new SignatureVerdicts(signatures);
  }

  /**
   * Seals every block that is due (SEAL_MAX_EVENTS pending, or the oldest pending has
   * waited SEAL_MAX_WAIT_MS). Calls made while one runs join it, and it runs once more,
   * so a burst of triggers costs one pass, and none is lost.
   */
  sealDue(): Promise<DrainOutcome> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    const run = async (): Promise<DrainOutcome> => {
      const blocks: BlockRow[] = [];
      try {
        for (;;) {
          this.drainAgain = false;
          const outcome = await this.drainOnce(blocks);
          if (!this.drainAgain || outcome.halted) return outcome;
        }
      } finally {
        this.draining = undefined;
      }
    };
    this.draining = run();
    return this.draining;
  }

  /** Resolves when no seal of this instance is running. */
  async idle(): Promise<void> {
    await this.draining?.catch(() => undefined);
    await this.verdicts.idle();
  }

  private async drainOnce(blocks: BlockRow[]): Promise<DrainOutcome> {
    const { sealMaxEvents: max, sealMaxWaitMs: maxWait } = this.config;
    for (;;) {
      const status = await this.events.pendingStatus(max);
      if (status.count === 0) return { blocks, nextDueMs: undefined, halted: false };
      if (status.count < max && status.oldestWaitMs < maxWait) {
        return { blocks, nextDueMs: Math.ceil(maxWait - status.oldestWaitMs), halted: false };
      }
      // A backlog is sealed several blocks per transaction; a steady flow one at a time.
      const result = await this.sealBlocks(
        Math.min(MAX_BLOCKS_PER_SEAL, Math.ceil(status.count / max)),
      );
      blocks.push(...result.blocks);
      if (result.refused || !result.block) {
        return { blocks, nextDueMs: result.refused ? undefined : 0, halted: !!result.refused };
      }
    }
  }

  /** Seals one block of up to SEAL_MAX_EVENTS pending events now, due or not. */
  async sealBlock(): Promise<SealResult> {
    return this.sealBlocks(1);
  }

  /**
   * Seals up to `maxBlocks` blocks of SEAL_MAX_EVENTS pending events (the last one maybe
   * smaller) in one transaction: a backlog is worked off with one lock, one read and one
   * write per transaction, each block still with its own checkpoint. Due or not.
   */
  async sealBlocks(maxBlocks: number): Promise<SealResult> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      const keys = await this.keyDirectory.current();
      const sealed = await this.sealBlocksWith(keys, maxBlocks, started);
      if (sealed) return sealed;
      // A key record was appended while this seal waited for the sequencer lock (a key
      // revoked, say): the events read after it are checked against the directory it made.
      if (attempt === STALE_DIRECTORY_ATTEMPTS)
        throw new Error(
          `the key directory changed during each of ${attempt} seals in a row: sealing waits for the next sweep`,
        );
    }
  }

  /** One seal transaction against `keys`; undefined when a key record was appended since. */
  private async sealBlocksWith(
    keys: KeyDirectory,
    maxBlocks: number,
    started: number,
  ): Promise<SealResult | undefined> {
    const max = this.config.sealMaxEvents;
    const signer = await this.key.signer();
    let acceptedAt: Date[] = [];
    const result = await this.repository.inSealTransaction(async (tx) => {
      const { head, now } = await tx.head();
      const clockAt = performance.now();
      const pending = await tx.pending(max * maxBlocks);
      if (!(await tx.keyDirectoryIsLatest(keys))) return undefined;
      const keyOnRecord = (e: PendingEvent) => onRecord(e, keys);
      const checked = checkPending(pending, keyOnRecord);
      let { leaves, refused } = checked;
      if (leaves.length === 0) return { blocks: [], refused };
      // The signatures are decided on worker threads while this thread builds and writes
      // the blocks; nothing commits before every verdict is in. In the rare case one
      // fails, the write is taken back and the blocks before that event written instead.
      const verdicts = this.verdicts.decide(checked.requests);
      verdicts.catch(() => undefined); // awaited below
      // A full read means a backlog: the next batch's signatures are verified meanwhile.
      if (pending.length === max * maxBlocks && !refused) {
        const last = pending[pending.length - 1]!.seq;
        this.verdicts.prefetch(
          this.events
            .pending(max * maxBlocks, last)
            .then((next) => checkPending(next, keyOnRecord).requests),
        );
      }
      const frontier: Frontier = await loadFrontier(tx, head?.treeSize ?? 0, head);
      const sealedAt = () =>
        // The database clock, carried forward by the local one to this moment.
        new Date(now.getTime() + (performance.now() - clockAt)).toISOString();
      const write = async (sealing: readonly Uint8Array[]) => {
        const built = buildBlocks(frontier, head, sealing, max, sealedAt, (size, rootHash) =>
          signCheckpoint({ origin: this.config.logOrigin, size, rootHash }, [signer], FAST_SIGNING),
        );
        const seqs = pending.slice(0, sealing.length).map((e) => e.seq);
        await tx.writeBlocks(built.blocks, seqs, built.nodes);
        return built.blocks;
      };
      await tx.savepoint();
      let blocks = await write(leaves);
      const bad = (await verdicts).indexOf(false);
      if (bad >= 0) {
        const event = pending[bad]!;
        refused = {
          eventId: event.eventId,
          reason: `has a signature that does not verify with key ${event.keyId} of ${event.actor}`,
        };
        await tx.rollbackToSavepoint();
        leaves = leaves.slice(0, bad);
        if (leaves.length === 0) return { blocks: [], refused };
        blocks = await write(leaves);
      }
      acceptedAt = pending.slice(0, leaves.length).map((e) => e.acceptedAt);
      for (const block of blocks) await this.hooks?.beforeCommit?.(block);
      return { blocks, refused };
    });
    if (!result) return undefined;
    const durationMs = performance.now() - started;
    let offset = 0;
    for (const block of result.blocks) {
      const accepted = acceptedAt.slice(offset, (offset += block.eventCount));
      this.observer?.blockSealed(block, durationMs / result.blocks.length, accepted);
    }
    if (result.refused) await this.reportRefused(result.refused);
    return {
      block: result.blocks[result.blocks.length - 1],
      blocks: result.blocks,
      refused: result.refused,
    };
  }

  private async reportRefused(refused: { eventId: string; reason: string }): Promise<void> {
    this.logger.error(
      `sealing halted: event ${refused.eventId} ${refused.reason}; it was written or changed behind the application's back and is not sealed, nor is anything after it, until the row is restored or removed`,
    );
    this.observer?.integrityFailure(refused.eventId);
    await this.alerts.raise([
      {
        code: 'INTEGRITY_FAILURE',
        severity: 'CRITICAL',
        message: `Sealing halted at event ${refused.eventId}: ${refused.reason}.`,
        identifier: null,
        eventId: refused.eventId,
        participantId: null,
        dedupKey: `seal-integrity:${refused.eventId}`,
      },
    ]);
  }
}

/** The blocks of `leaves` after `head`, `max` leaves each, with their tree nodes. */
function buildBlocks(
  start: Frontier,
  head: BlockRow | undefined,
  leaves: readonly Uint8Array[],
  max: number,
  sealedAt: () => string,
  checkpoint: (size: number, rootHash: Uint8Array) => string,
): { blocks: BlockRow[]; nodes: NodeRow[] } {
  let frontier = start;
  let prev = head;
  const blocks: BlockRow[] = [];
  const nodes: NodeRow[] = [];
  for (let from = 0; from < leaves.length; from += max) {
    const appended = appendLeaves(frontier, leaves.slice(from, from + max), nodeHashFast);
    const fields = {
      height: prev ? prev.height + 1 : 0,
      prevHash: prev?.hash ?? GENESIS_PREV_HASH,
      firstLeafIndex: frontier.size,
      eventCount: appended.frontier.size - frontier.size,
      treeSize: appended.frontier.size,
      rootHash: bytesToHex(appended.root),
      sealedAt: sealedAt(),
    };
    const block: BlockRow = {
      ...fields,
      hash: blockHash(fields),
      checkpoint: checkpoint(fields.treeSize, appended.root),
    };
    blocks.push(block);
    nodes.push(...appended.nodes);
    frontier = appended.frontier;
    prev = block;
  }
  return { blocks, nodes };
}

/** The stored compact range at `size`, checked against the head block's signed root. */
async function loadFrontier(
  tx: SealTransaction,
  size: number,
  head: BlockRow | undefined,
): Promise<Frontier> {
  const ids = frontierIds(size);
  const rows = await tx.nodes(ids);
  const byId = new Map<string, NodeRow>(rows.map((r) => [`${r.level}/${r.index}`, r]));
  const hashes = ids.map((id) => {
    const row = byId.get(`${id.level}/${id.index}`);
    if (!row) throw new Error(`tree node ${id.level}/${id.index} of size ${size} is missing`);
    return row.hash;
  });
  const frontier = { size, hashes };
  if (head && bytesToHex(frontierRoot(frontier)) !== head.rootHash) {
    throw new Error(`stored tree nodes do not give block ${head.height}'s root: refusing to seal`);
  }
  return frontier;
}

/** The event's key row is the one the key directory holds (docs/adr/0014). */
function onRecord(event: PendingEvent, keys: KeyDirectory): boolean {
  const key = event.key!;
  return keys.holds({
    participantId: event.actor,
    keyId: event.keyId,
    publicKey: key.publicKey,
    validFrom: key.validFrom,
    revokedAt: key.revokedAt,
  });
}
