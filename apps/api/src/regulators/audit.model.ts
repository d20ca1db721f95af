// GraphQL types of the full-ledger audit (regulators).
import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { AuditProgress } from '@custos/regulators/audit.service';

export enum AuditStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}
registerEnumType(AuditStatus, { name: 'AuditStatus' });

@ObjectType({ description: 'Something stored that does not verify, where it is.' })
export class AuditDiscrepancy {
  @Field(() => ID)
  id!: string;

  @Field({
    description:
      'LEAF_MISSING, EVENT_UNREADABLE, EVENT_CONTENT, EVENT_COLUMNS, KEY_MISSING, SIGNATURE, LEAF_BLOCK, TREE_NODE, ROOT, BLOCK_FIELDS, BLOCK_HASH, BLOCK_CHAIN, BLOCK_MISSING, CHECKPOINT_SIGNATURE, CHECKPOINT or CONSISTENCY.',
  })
  kind!: string;

  @Field(() => Int, { nullable: true })
  blockHeight!: number | null;

  @Field(() => Int, { nullable: true })
  leafIndex!: number | null;

  @Field()
  message!: string;
}

@ObjectType({ description: 'A full-ledger audit and how far it has come.' })
export class AuditRun {
  @Field(() => ID)
  id!: string;

  @Field(() => AuditStatus)
  status!: AuditStatus;

  @Field({ description: 'The regulator (GLN) or "admin" that started it.' })
  requestedBy!: string;

  @Field(() => Int, { description: 'Log size audited: the log as it stood at the start.' })
  treeSize!: number;

  @Field(() => Int, { description: 'Leaves checked so far.' })
  doneEvents!: number;

  @Field(() => Float, { description: '0 to 100.' })
  percentDone!: number;

  @Field(() => Float, { description: 'Leaves checked per second of audit time.' })
  eventsPerSecond!: number;

  @Field(() => Int, { description: 'How many times a worker resumed it after another stopped.' })
  resumes!: number;

  @Field(() => Int)
  discrepancyCount!: number;

  @Field(() => String, { nullable: true })
  startedAt!: string | null;

  @Field(() => String, { nullable: true })
  finishedAt!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the run failed, if it did.' })
  error!: string | null;
}

export function toAuditRun(p: AuditProgress): AuditRun {
  const run = p.run;
  return {
    id: run.id.toString(),
    status: AuditStatus[run.status],
    requestedBy: run.requestedBy,
    treeSize: run.treeSize,
    doneEvents: run.nextLeaf,
    percentDone: p.percentDone,
    eventsPerSecond: p.eventsPerSecond,
    resumes: run.resumes,
    discrepancyCount: run.discrepancyCount,
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error,
  };
}
