import { Inject } from '@nestjs/common';
import { Query, ResolveField, Resolver } from '@nestjs/graphql';
import { STORAGE } from '@custos/core/tokens';
import type { Storage } from '@custos/core/database/storage';
import { HeartbeatService } from '@custos/core/system/heartbeat.service';
import { ParticipantService } from '@custos/participants/participant.service';
import { DEMO_PHARMACIES, PARTIES } from '@custos/sdk/demo-parties';
import { version } from '../../../../package.json';
import { Access } from '../auth/access.decorator';
import { DatabaseKind, QueueKind, ServerInfo } from './server-info.model';

@Resolver(() => ServerInfo)
export class ServerInfoResolver {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly heartbeat: HeartbeatService,
    private readonly participants: ParticipantService,
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

  // Public like the rest of serverInfo: the demo's parties are fixed in the source
  // (libs/sdk/src/demo-parties.ts), so this says nothing about who really trades here.
  @Access.anyone()
  @ResolveField(() => Boolean, {
    description:
      'Whether `custos demo` registered its supply chain here: the scan page then offers its pharmacies.',
  })
  async demoLoaded(): Promise<boolean> {
    const wanted = DEMO_PHARMACIES.map((party) => PARTIES[party]);
    const found = await this.participants.findMany(wanted.map((p) => p.id));
    return wanted.every((p) => found.get(p.id)?.name === p.name);
  }
}
