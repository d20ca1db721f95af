import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { FreshRead } from '@custos/core/memory/fresh-read';
import { parseCheckpoint, signCheckpoint } from '@custos/ledger/checkpoint';
import { emptyRoot } from '@custos/ledger/merkle';
import {
  type ProofPlan,
  assembleProof,
  planConsistency,
  planInclusion,
  planNodeIds,
} from '@custos/ledger/merkle-plan';
import type { EventObject } from '@custos/ledger/events';
import { parseStoredEvent, rebuildStoredEvent } from '@custos/ledger/stored-event';
import { NATIVE_CODEC } from '@custos/ledger/stored-event-native';
import { type BlockRow, BlockRepository } from '@custos/store/block.repository';
import { CosignatureRepository } from '@custos/store/cosignature.repository';
import { LedgerEventRepository } from '@custos/store/ledger-event.repository';
import { TreeNodeRepository } from '@custos/store/tree-node.repository';
import { witnessIdOf } from '@custos/witness/witness-endpoints';
import { SealingKeyService } from './sealing-key.service';

export interface LedgerCheckpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** The C2SP signed note. */
  readonly note: string;
}

export type LedgerBlock = Omit<BlockRow, 'checkpoint'>;

export interface LedgerEntry {
  readonly leafIndex: number;
  /** The leaf input, recomputed from the stored event. */
  readonly leafInput: Uint8Array;
  readonly eventId: string;
  readonly blockHeight: number;
}

/**
 * The public, read-only surface of the log (SPEC sections 5 and 7), in bytes: the API layer
 * encodes them as the schema says (hex hashes, base64 leaf inputs).
 */
@Injectable()
export class LedgerQueryService {
  /** `<name>+<keyid>` of the CUSTOS_WITNESSES keys: only their cosignatures are served. */
  private readonly witnessIds: ReadonlySet<string>;
  /** Concurrent scans share the read of the head (never one begun before they asked). */
  private readonly head = new FreshRead(() => this.readCheckpoint());

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly blocks: BlockRepository,
    private readonly nodes: TreeNodeRepository,
    private readonly events: LedgerEventRepository,
    private readonly key: SealingKeyService,
    private readonly cosignatures: CosignatureRepository,
  ) {
    this.witnessIds = new Set(config.witnesses.map((w) => witnessIdOf(w.vkey)));
  }

  /** The head block's checkpoint as the sealer signed it (no cosignatures); none before the first block. */
  async signedHead(): Promise<{ readonly treeSize: number; readonly note: string } | undefined> {
    const head = await this.blocks.latest();
    return head ? { treeSize: head.treeSize, note: head.checkpoint } : undefined;
  }

  /**
   * The latest signed tree head, with the cosignature lines of the configured witnesses
   * appended (C2SP tlog-cosignature); before the first block, a signed head of the empty tree.
   */
  checkpoint(): Promise<LedgerCheckpoint> {
    return this.head.get();
  }

  private async readCheckpoint(): Promise<LedgerCheckpoint> {
    const head = await this.blocks.latest();
    if (!head) {
      const root = emptyRoot();
      const origin = this.config.logOrigin;
      const note = signCheckpoint({ origin, size: 0, rootHash: root }, [await this.key.signer()]);
      return { origin, treeSize: 0, rootHash: root, note };
    }
    const text = head.checkpoint.slice(0, head.checkpoint.indexOf('\n\n') + 1);
    const parsed = parseCheckpoint(text);
    return {
      origin: parsed.origin,
      treeSize: parsed.size,
      rootHash: parsed.rootHash,
      note: head.checkpoint + (await this.cosignatureLines(head.treeSize)),
    };
  }

  private async cosignatureLines(treeSize: number): Promise<string> {
    if (this.witnessIds.size === 0) return '';
    const rows = await this.cosignatures.forTreeSize(treeSize);
    return rows
      .filter((row) => this.witnessIds.has(row.witness))
      .map((row) => `${row.line}\n`)
      .join('');
  }

  ledgerKey(): Promise<string> {
    return this.key.vkey();
  }

  async block(height: number): Promise<LedgerBlock | undefined> {
    nonNegative(height, 'height');
    const row = await this.blocks.at(height);
    if (!row) return undefined;
    const { checkpoint: _checkpoint, ...block } = row;
    return block;
  }

  /**
   * One sealed entry. A regulator and the admin read every entry; a trading partner only
   * one whose event names it (as actor, `to` or `from`).
   */
  async entry(
    leafIndex: number,
    principal: Principal | undefined,
  ): Promise<LedgerEntry | undefined> {
    nonNegative(leafIndex, 'leafIndex');
    const row = await this.events.entry(leafIndex);
    if (!row) return undefined;
    const event = parseStoredEvent(row);
    if (!mayRead(principal, event)) {
      throw new DomainError(
        'FORBIDDEN',
        `entry ${leafIndex} is readable by regulators and the parties its event names (actor, to, from) only`,
        'leafIndex',
      );
    }
    const { leafInput: input, contentMatches } = rebuildStoredEvent(row, NATIVE_CODEC);
    if (!contentMatches) {
      throw new DomainError(
        'INTEGRITY_FAILURE',
        `entry ${leafIndex} (event ${row.eventId}) no longer matches the content that was sealed`,
      );
    }
    return {
      leafIndex: row.leafIndex,
      leafInput: input,
      eventId: row.eventId,
      blockHeight: row.blockHeight,
    };
  }

  /** RFC 9162 section 2.1.3 inclusion proof of entry `leafIndex` in the tree of `treeSize`. */
  async inclusionProof(leafIndex: number, treeSize: number): Promise<Uint8Array[]> {
    nonNegative(leafIndex, 'leafIndex');
    nonNegative(treeSize, 'treeSize');
    await this.withinTree(treeSize, 'treeSize');
    if (leafIndex >= treeSize) {
      throw new DomainError(
        'BAD_USER_INPUT',
        `leafIndex ${leafIndex} is not in a tree of size ${treeSize}: it must be below treeSize`,
        'leafIndex',
      );
    }
    return this.proof(planInclusion(leafIndex, treeSize));
  }

  /** RFC 9162 section 2.1.4 consistency proof between the trees of two sizes. */
  async consistencyProof(fromSize: number, toSize: number): Promise<Uint8Array[]> {
    nonNegative(fromSize, 'fromSize');
    nonNegative(toSize, 'toSize');
    if (fromSize === 0) {
      throw new DomainError(
        'BAD_USER_INPUT',
        'fromSize must be at least 1: every tree is consistent with the empty tree, and RFC 9162 defines no proof for it',
        'fromSize',
      );
    }
    if (fromSize > toSize) {
      throw new DomainError(
        'BAD_USER_INPUT',
        `fromSize ${fromSize} is greater than toSize ${toSize}`,
        'fromSize',
      );
    }
    await this.withinTree(toSize, 'toSize');
    return this.proof(planConsistency(fromSize, toSize));
  }

  /**
   * Inclusion proofs of several entries in the tree of `treeSize` (at most the sealed
   * size, which the caller has from a checkpoint): every node they need in one read.
   */
  async inclusionProofs(
    leafIndexes: readonly number[],
    treeSize: number,
  ): Promise<Map<number, Uint8Array[]>> {
    const plans = leafIndexes.map((leafIndex) => {
      nonNegative(leafIndex, 'leafIndex');
      return [leafIndex, planInclusion(leafIndex, treeSize)] as const;
    });
    const rows = await this.nodes.nodes(plans.flatMap(([, plan]) => planNodeIds(plan)));
    const byId = new Map(rows.map((r) => [`${r.level}/${r.index}`, r.hash]));
    const lookup = (level: number, index: number) => byId.get(`${level}/${index}`);
    return new Map(plans.map(([leafIndex, plan]) => [leafIndex, assembleProof(plan, lookup)]));
  }

  private async withinTree(size: number, field: string): Promise<void> {
    const head = await this.blocks.latest();
    const current = head?.treeSize ?? 0;
    if (size > current) {
      throw new DomainError(
        'BAD_USER_INPUT',
        `${field} ${size} is beyond the tree: the log holds ${current} sealed entries`,
        field,
      );
    }
  }

  private async proof(plan: ProofPlan): Promise<Uint8Array[]> {
    const rows = await this.nodes.nodes(planNodeIds(plan));
    const byId = new Map(rows.map((r) => [`${r.level}/${r.index}`, r.hash]));
    return assembleProof(plan, (level, index) => byId.get(`${level}/${index}`));
  }
}

function nonNegative(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DomainError('BAD_USER_INPUT', `${field} must be a non-negative integer`, field);
  }
}

function mayRead(principal: Principal | undefined, event: EventObject): boolean {
  if (!principal) return false;
  if (principal.kind === 'admin' || principal.roles.includes('REGULATOR')) return true;
  return [event['actor'], event['to'], event['from']].includes(principal.id);
}
