// GraphQL enums of SPEC section 7 that several parts of the API share.
import { registerEnumType } from '@nestjs/graphql';

export enum EventType {
  COMMISSION = 'COMMISSION',
  PACK = 'PACK',
  UNPACK = 'UNPACK',
  SHIP = 'SHIP',
  RECEIVE = 'RECEIVE',
  DISPENSE = 'DISPENSE',
  DECOMMISSION = 'DECOMMISSION',
  RECALL = 'RECALL',
}
registerEnumType(EventType, {
  name: 'EventType',
  description: 'What an event records (SPEC section 4).',
});

export enum DecommissionReason {
  DESTROYED = 'DESTROYED',
  STOLEN = 'STOLEN',
  SAMPLE = 'SAMPLE',
  EXPORTED = 'EXPORTED',
  LOCKED = 'LOCKED',
}
registerEnumType(DecommissionReason, {
  name: 'DecommissionReason',
  description: 'Why a unit left the supply chain (DECOMMISSION events).',
});

export enum PackageStatus {
  ACTIVE = 'ACTIVE',
  IN_TRANSIT = 'IN_TRANSIT',
  DISPENSED = 'DISPENSED',
  DECOMMISSIONED = 'DECOMMISSIONED',
}
registerEnumType(PackageStatus, { name: 'PackageStatus' });

export enum Severity {
  INFO = 'INFO',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}
registerEnumType(Severity, { name: 'Severity' });

export enum Verdict {
  AUTHENTIC = 'AUTHENTIC',
  SUSPECT = 'SUSPECT',
  COUNTERFEIT = 'COUNTERFEIT',
}
registerEnumType(Verdict, { name: 'Verdict' });
