// The sequencer's transaction: one seal at a time holds the advisory lock, reads the head
// and the pending events and writes its blocks, all through the owners of those tables
// in libs/store (docs/adr/0015). What is left here is the transaction itself: the lock
// and the savepoint a seal returns to when a signature it overlapped fails.
import { Inject, Injectable } from '@nestjs/common';
import { STORAGE } from '@custos/core/tokens';
import type { Storage } from '@custos/core/database/storage';
import type { KeyDirectory } from '@custos/ledger/key-directory';
import { KeyDirectoryService } from '@custos/participants/key-directory.service';
import { type BlockRow, BlockRepository } from '@custos/store/block.repository';
import { LedgerEventRepository, type PendingEvent } from '@custos/store/ledger-event.repository';
import { txOf, type Tx } from '@custos/store/transaction.repository';
import { type NodeRow, TreeNodeRepository } from '@custos/store/tree-node.repository';

/**
 * The one advisory-lock key of the sequencer (any constant; "custos-seal" in ASCII). Every
 * seal transaction takes it first, so exactly one sealer at a time reads the head and
 * appends, whatever number of workers run.
 */
export const SEAL_LOCK_KEY = 0x637573746f73n;

/** The statements of one seal transaction, run while it holds the sequencer lock. */
export interface SealTransaction {
  /** The latest block, if any, and the database clock (for sealedAt). */
  head(): Promise<{ head: BlockRow | undefined; now: Date }>;
  pending(limit: number): Promise<PendingEvent[]>;
  /** Whether no key record was appended since `directory` was read (asked after `pending`). */
  keyDirectoryIsLatest(directory: KeyDirectory): Promise<boolean>;
  nodes(ids: readonly { level: number; index: number }[]): Promise<NodeRow[]>;
  /** Marks where `rollbackToSavepoint` returns to (SAVEPOINT). */
  savepoint(): Promise<void>;
  /** Takes back every write since `savepoint`, keeping the lock and the transaction. */
  rollbackToSavepoint(): Promise<void>;
  /** BlockRepository.seal: the blocks, their nodes and the events' leaf indexes, one statement. */
  writeBlocks(
    blocks: readonly BlockRow[],
    seqs: readonly bigint[],
    nodes: readonly NodeRow[],
  ): Promise<void>;
}

@Injectable()
export class SealingRepository {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly blocks: BlockRepository,
    private readonly events: LedgerEventRepository,
    private readonly treeNodes: TreeNodeRepository,
    private readonly keyDirectory: KeyDirectoryService,
  ) {}

  /**
   * Runs `work` in one transaction holding the sequencer lock (pg_advisory_xact_lock,
   * released at commit or rollback, also when the session dies with its process).
   */
  async inSealTransaction<T>(work: (tx: SealTransaction) => Promise<T>): Promise<T> {
    return this.storage.prisma.$transaction(
      async (prisma) => {
        await prisma.$queryRaw`SELECT pg_advisory_xact_lock(${SEAL_LOCK_KEY})::text`;
        const tx: Tx = txOf(prisma);
        return work({
          head: () => this.blocks.headAndClock(tx),
          pending: (limit) => this.events.pending(limit, -1n, tx),
          keyDirectoryIsLatest: (directory) => this.keyDirectory.isLatest(directory, prisma),
          nodes: (ids) => this.treeNodes.nodes(ids, tx),
          savepoint: async () => {
            await prisma.$executeRaw`SAVEPOINT seal_write`;
          },
          rollbackToSavepoint: async () => {
            await prisma.$executeRaw`ROLLBACK TO SAVEPOINT seal_write`;
          },
          writeBlocks: (blocks, seqs, nodes) => this.blocks.seal(tx, blocks, seqs, nodes),
        });
      },
      { maxWait: 30_000, timeout: 120_000 },
    );
  }
}
