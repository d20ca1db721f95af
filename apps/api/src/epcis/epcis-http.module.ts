import { Module } from '@nestjs/common';
import { EpcisRepositoryModule } from '@custos/epcis-repository/epcis-repository.module';
import { AuthModule } from '../auth/auth.module';
import { HttpUpgradesModule } from '../http/http-upgrades';
import { NamedQueryStreams } from './named-query-stream';
import { EpcisCaptureController } from './epcis-capture.controller';
import { EpcisQueryController } from './epcis-query.controller';
import { NamedQueryController } from './named-query.controller';
import { VrsController } from './vrs.controller';

/** The REST surface of SPEC section 10: DSCSA verification (/vrs) and EPCIS 2.0 (/epcis), with its WebSocket streams. */
@Module({
  imports: [AuthModule, EpcisRepositoryModule, HttpUpgradesModule],
  providers: [NamedQueryStreams],
  controllers: [VrsController, EpcisQueryController, EpcisCaptureController, NamedQueryController],
})
export class EpcisHttpModule {}
