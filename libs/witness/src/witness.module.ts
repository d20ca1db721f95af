import { Module } from '@nestjs/common';
import { WitnessStateRepository } from './witness-state.repository';
import { WitnessService } from './witness.service';

/** CUSTOS_ROLE=witness: the add-checkpoint checks, the witness key and its state. */
@Module({
  providers: [WitnessStateRepository, WitnessService],
  exports: [WitnessService],
})
export class WitnessModule {}
