// The ledger's tables the audit reads, each through its owner in libs/store.
import { Injectable } from '@nestjs/common';
import { BlockRepository } from '@custos/store/block.repository';
import { EventIndexRepository } from '@custos/store/event-index.repository';
import { LedgerEventRepository } from '@custos/store/ledger-event.repository';
import { ParticipantKeyRepository } from '@custos/store/participant-key.repository';
import { TreeNodeRepository } from '@custos/store/tree-node.repository';

@Injectable()
export class AuditTables {
  constructor(
    readonly events: LedgerEventRepository,
    readonly index: EventIndexRepository,
    readonly blocks: BlockRepository,
    readonly nodes: TreeNodeRepository,
    readonly keys: ParticipantKeyRepository,
  ) {}
}
