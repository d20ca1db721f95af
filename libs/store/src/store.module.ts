import { Module } from '@nestjs/common';
import { AlertRepository } from './alert.repository';
import { BlockRepository } from './block.repository';
import { CosignatureRepository } from './cosignature.repository';
import { EventHistoryRepository } from './event-history.repository';
import { EventIndexRepository } from './event-index.repository';
import { EventQueryRepository } from './event-query.repository';
import { LedgerEventRepository } from './ledger-event.repository';
import { ParticipantKeyRepository } from './participant-key.repository';
import { TableStatisticsRepository } from './table-statistics.repository';
import { TransactionRepository } from './transaction.repository';
import { TreeNodeRepository } from './tree-node.repository';
import { UnitStateRepository } from './unit-state.repository';

const REPOSITORIES = [
  AlertRepository,
  BlockRepository,
  CosignatureRepository,
  EventHistoryRepository,
  EventIndexRepository,
  EventQueryRepository,
  LedgerEventRepository,
  ParticipantKeyRepository,
  TableStatisticsRepository,
  TransactionRepository,
  TreeNodeRepository,
  UnitStateRepository,
];

/**
 * The repositories of the ledger's tables, one owner per table, shared by the use-case
 * libraries (events, sealing, verification, regulators, EPCIS): docs/adr/0015.
 */
@Module({ providers: REPOSITORIES, exports: REPOSITORIES })
export class StoreModule {}
