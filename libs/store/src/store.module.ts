import { Module } from '@nestjs/common';
import { AlertRepository } from './alert.repository';
import { CosignatureRepository } from './cosignature.repository';
import { TransactionRepository } from './transaction.repository';

/** The repositories of the ledger's tables, shared by the use-case libraries. */
@Module({
  providers: [AlertRepository, CosignatureRepository, TransactionRepository],
  exports: [AlertRepository, CosignatureRepository, TransactionRepository],
})
export class StoreModule {}
