import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Config } from './config/config';
import { openStorage, type Storage } from './database/storage';
import { JobQueue } from './queue/job-queue';
import { QUEUE_NAME } from './queue/jobs';
import { CONFIG, type CustosQueue, JOB_QUEUE, STORAGE } from './tokens';
import { SessionService } from './auth/session.service';
import { AdminTokenService } from './system/admin-token.service';
import { HeartbeatService } from './system/heartbeat.service';
import { SecretsService } from './system/secrets.service';
import { SystemSettingRepository } from './system/system-setting.repository';

/** Closes the queue, then the database, after everything else has stopped. */
@Injectable()
class ConnectionsCloser implements OnApplicationShutdown {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: CustosQueue,
    @Inject(STORAGE) private readonly storage: Storage,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    await this.storage.close();
  }
}

/** Configuration and storage for every role of the process. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: STORAGE,
          useFactory: async () => {
            const logger = new Logger('Storage');
            const storage = await openStorage(config, {
              migrate: true,
              log: (message) => logger.log(message),
            });
            for (const name of storage.appliedMigrations) logger.log(`applied migration ${name}`);
            logger.log(
              `database: ${storage.databaseKind}${config.database.kind === 'pglite' ? ` in ${config.database.dataDir}` : ''}; queue: ${storage.queue.kind}`,
            );
            return storage;
          },
        },
        {
          provide: JOB_QUEUE,
          inject: [STORAGE],
          useFactory: (storage: Storage): CustosQueue => new JobQueue(storage.queue, QUEUE_NAME),
        },
        ConnectionsCloser,
        SystemSettingRepository,
        HeartbeatService,
        SecretsService,
        AdminTokenService,
        SessionService,
      ],
      exports: [
        CONFIG,
        STORAGE,
        JOB_QUEUE,
        SystemSettingRepository,
        HeartbeatService,
        SecretsService,
        AdminTokenService,
        SessionService,
      ],
    };
  }
}
