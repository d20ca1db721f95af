// GraphQL types of SPEC section 7 for regulators: alerts, lot traces, packages.
import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { AlertRecord } from '@custos/regulators/alert';
import { PackageStatus, Severity } from '../graphql/ledger-enums';
import { Participant } from '../participants/participant.model';
import { ProductInfo, TrailEntry } from '../verification/verification.model';

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;
}

@ObjectType({ description: 'Something regulators should look at (SPEC sections 4 and 6).' })
export class Alert {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'A finding code of SPEC section 6, e.g. CONFLICTING_CUSTODY.' })
  code!: string;

  @Field(() => Severity)
  severity!: Severity;

  @Field()
  message!: string;

  @Field(() => String, { nullable: true, description: 'The canonical identifier concerned.' })
  identifier!: string | null;

  @Field(() => ID, { nullable: true })
  eventId!: string | null;

  @Field({ description: 'RFC 3339.' })
  raisedAt!: string;
}

@ObjectType()
export class AlertEdge {
  @Field()
  cursor!: string;

  @Field(() => Alert)
  node!: Alert;
}

@ObjectType({ description: 'Alerts, newest first.' })
export class AlertConnection {
  @Field(() => [AlertEdge])
  edges!: AlertEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType()
export class StatusCount {
  @Field(() => PackageStatus)
  status!: PackageStatus;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class CustodianCount {
  @Field(() => Participant)
  custodian!: Participant;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'Where one unit is now.' })
export class UnitState {
  @Field({ description: 'Canonical Digital Link URI.' })
  identifier!: string;

  @Field(() => PackageStatus)
  status!: PackageStatus;

  @Field(() => Participant, {
    nullable: true,
    description: 'Inherited from the outermost case or pallet it is packed in.',
  })
  custodian!: Participant | null;
}

@ObjectType()
export class UnitEdge {
  @Field()
  cursor!: string;

  @Field(() => UnitState)
  node!: UnitState;
}

@ObjectType()
export class UnitConnection {
  @Field(() => [UnitEdge])
  edges!: UnitEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'Where every unit of a lot is now.' })
export class LotTrace {
  @Field({ description: 'GTIN-14.' })
  gtin!: string;

  @Field()
  lot!: string;

  @Field(() => Int)
  totalUnits!: number;

  @Field(() => [StatusCount])
  byStatus!: StatusCount[];

  @Field(() => [CustodianCount])
  byCustodian!: CustodianCount[];

  @Field(() => UnitConnection, { description: 'Paged by first/after, identifier order.' })
  units!: UnitConnection;
}

@ObjectType({ description: "A package's trail, under the read rules of SPEC section 7." })
export class Package {
  @Field()
  identifier!: string;

  @Field(() => PackageStatus)
  status!: PackageStatus;

  @Field(() => Participant, { nullable: true })
  custodian?: Participant;

  @Field(() => ProductInfo, { nullable: true })
  product?: ProductInfo;

  @Field(() => [TrailEntry])
  trail!: TrailEntry[];
}

export function toAlert(record: AlertRecord): Alert {
  return {
    id: record.id.toString(),
    code: record.code,
    severity: Severity[record.severity],
    message: record.message,
    identifier: record.identifier,
    eventId: record.eventId,
    raisedAt: record.raisedAt.toISOString(),
  };
}
