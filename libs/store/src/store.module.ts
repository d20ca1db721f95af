import { Module } from '@nestjs/common';
import { AlertRepository } from './alert.repository';
import { TransactionRepository } from './transaction.repository';

/** The repositories of the ledger's tables, shared by the use-case libraries. */
@Module({
  providers: [AlertRepository, TransactionRepository],
  exports: [AlertRepository, TransactionRepository],
})
export class StoreModule {}
