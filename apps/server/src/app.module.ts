import { type DynamicModule, Module } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CoreModule } from '@custos/core/core.module';
import { SealingModule } from '@custos/sealing/sealing.module';
import { ApiModule } from '../../api/src/api.module';
import { WitnessRoleModule } from '../../api/src/witness/witness-role.module';
import { WorkerModule } from '../../worker/src/worker.module';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/**
 * One process: the API, the worker, or both (CUSTOS_ROLE), or a witness of other logs,
 * which runs nothing of the ledger. Every role serves /health.
 */
@Module({})
export class AppModule {
  static forRoot(config: Config): DynamicModule {
    if (config.role === 'witness') {
      return {
        module: AppModule,
        imports: [CoreModule.forRoot(config), WitnessRoleModule],
        controllers: [HealthController],
      };
    }
    const roles = [
      ...(config.role === 'worker' ? [] : [ApiModule.forRoot(config)]),
      ...(config.role === 'api' ? [] : [WorkerModule]),
    ];
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config), SealingModule, ...roles],
      controllers: [HealthController, MetricsController],
    };
  }
}
