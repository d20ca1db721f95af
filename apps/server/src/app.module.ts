import { type DynamicModule, Module } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CoreModule } from '@custos/core/core.module';
import { SealingModule } from '@custos/sealing/sealing.module';
import { ApiModule } from '../../api/src/api.module';
import { WorkerModule } from '../../worker/src/worker.module';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/** One process: the API, the worker, or both (CUSTOS_ROLE). Both serve /health. */
@Module({})
export class AppModule {
  static forRoot(config: Config): DynamicModule {
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
