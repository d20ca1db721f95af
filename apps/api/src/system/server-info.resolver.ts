import { Inject } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { STORAGE } from '@custos/core/tokens';
import type { Storage } from '@custos/core/database/storage';
import { HeartbeatService } from '@custos/core/system/heartbeat.service';
import { version } from '../../../../package.json';
import { Access } from '../auth/access.decorator';
import { DatabaseKind, QueueKind, ServerInfo } from './server-info.model';

@Resolver(() => ServerInfo)
export class ServerInfoResolver {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly heartbeat: HeartbeatService,
  ) {}

  @Access.anyone()
  @Query(() => ServerInfo, { description: 'The service version and what it runs on.' })
  async serverInfo(): Promise<ServerInfo> {
    const beat = await this.heartbeat.last();
    return {
      version,
      database:
        this.storage.databaseKind === 'pglite' ? DatabaseKind.PGLITE : DatabaseKind.POSTGRESQL,
      queue: this.storage.queue.kind === 'redis' ? QueueKind.REDIS : QueueKind.POSTGRESQL,
      workerSeenAt: beat?.at,
    };
  }
}
