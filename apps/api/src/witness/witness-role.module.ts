import { Module } from '@nestjs/common';
import { WitnessModule } from '@custos/witness/witness.module';
import { WitnessController } from './witness.controller';

/** What CUSTOS_ROLE=witness serves besides /health: add-checkpoint. */
@Module({
  imports: [WitnessModule],
  controllers: [WitnessController],
})
export class WitnessRoleModule {}
