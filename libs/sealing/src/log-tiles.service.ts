import { Injectable } from '@nestjs/common';
import { type Principal, isRegulator } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { concatBytes } from '@custos/ledger/bytes';
import { rebuildStoredEvent } from '@custos/ledger/stored-event';
import { NATIVE_CODEC } from '@custos/ledger/stored-event-native';
import {
  type TileRef,
  encodeEntryBundle,
  entryBundleRange,
  tileFitsSize,
  tileNodeIds,
} from '@custos/ledger/tiles';
import { BlockRepository } from '@custos/store/block.repository';
import { LedgerEventRepository } from '@custos/store/ledger-event.repository';
import { TreeNodeRepository } from '@custos/store/tree-node.repository';
import { LedgerQueryService } from './ledger-query.service';

/**
 * The log as C2SP tlog-tiles (SPEC section 9): the checkpoint, hash tiles read from the
 * stored tree nodes (a tile of level L is nodes of level 8·L), and entry bundles of leaf
 * inputs recomputed from the stored events and checked against their content hash. A
 * tile exists once the sealed tree covers all of it; from then on its bytes never change.
 * Entry bundles reveal who traded with whom: regulators and the admin only.
 */
@Injectable()
export class LogTilesService {
  constructor(
    private readonly ledger: LedgerQueryService,
    private readonly blocks: BlockRepository,
    private readonly nodes: TreeNodeRepository,
    private readonly events: LedgerEventRepository,
  ) {}

  /** The checkpoint note, cosignatures appended. */
  async checkpoint(): Promise<string> {
    return (await this.ledger.checkpoint()).note;
  }

  /** The tile's bytes, or undefined when the sealed tree does not cover it (yet). */
  async hashTile(tile: TileRef): Promise<Uint8Array | undefined> {
    if (!(await this.covered(tile))) return undefined;
    const ids = tileNodeIds(tile);
    const rows = await this.nodes.nodes(ids);
    const byId = new Map(rows.map((r) => [`${r.level}/${r.index}`, r.hash]));
    const hashes = ids.map(({ level, index }) => {
      const hash = byId.get(`${level}/${index}`);
      if (!hash) throw new Error(`tree node ${level}/${index} is missing`);
      return hash;
    });
    return concatBytes(...hashes);
  }

  async entryBundle(tile: TileRef, caller: Principal | undefined): Promise<Uint8Array | undefined> {
    if (!caller)
      throw new DomainError(
        'UNAUTHENTICATED',
        'entry bundles need a bearer token (regulator or admin)',
      );
    if (caller.kind !== 'admin' && !isRegulator(caller))
      throw new DomainError(
        'FORBIDDEN',
        'entry bundles reveal trading relationships: regulators and the admin only',
      );
    if (!(await this.covered(tile))) return undefined;
    const { start, end } = entryBundleRange(tile);
    const rows = await this.events.entriesInRange(start, end);
    if (rows.length !== end - start) throw new Error(`entries ${start}..${end - 1} are incomplete`);
    return encodeEntryBundle(
      rows.map((row) => {
        const rebuilt = rebuildStoredEvent(row, NATIVE_CODEC);
        if (!rebuilt.contentMatches) {
          throw new DomainError(
            'INTEGRITY_FAILURE',
            `entry ${row.leafIndex} (event ${row.eventId}) no longer matches the content that was sealed`,
          );
        }
        return rebuilt.leafInput;
      }),
    );
  }

  private async covered(tile: TileRef): Promise<boolean> {
    const head = await this.blocks.latest();
    return tileFitsSize(tile, head?.treeSize ?? 0);
  }
}
