import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum DatabaseKind {
  POSTGRESQL = 'POSTGRESQL',
  PGLITE = 'PGLITE',
}
export enum QueueKind {
  REDIS = 'REDIS',
  POSTGRESQL = 'POSTGRESQL',
}
registerEnumType(DatabaseKind, {
  name: 'DatabaseKind',
  description: 'Where the ledger is stored.',
});
registerEnumType(QueueKind, { name: 'QueueKind', description: 'What carries the job queue.' });

@ObjectType({ description: 'What this Custos service is and what it runs on.' })
export class ServerInfo {
  @Field({ description: 'Custos version.' })
  version!: string;

  @Field(() => DatabaseKind)
  database!: DatabaseKind;

  @Field(() => QueueKind)
  queue!: QueueKind;

  @Field({ nullable: true, description: 'When a worker last took a job (RFC 3339), if ever.' })
  workerSeenAt?: string;

  // Resolved by ServerInfoResolver.demoLoaded, only when asked for.
  demoLoaded?: boolean;
}
