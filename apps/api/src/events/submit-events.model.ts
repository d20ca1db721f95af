import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ReceiptStatus {
  PENDING = 'PENDING',
  DUPLICATE = 'DUPLICATE',
}
registerEnumType(ReceiptStatus, {
  name: 'ReceiptStatus',
  description: 'PENDING: stored, awaiting its block; DUPLICATE: this very event was stored before.',
});

@ObjectType()
export class EventReceipt {
  @Field(() => ID)
  eventId!: string;

  @Field(() => ReceiptStatus)
  status!: ReceiptStatus;
}

@ObjectType({ description: 'Why an event was refused; codes are listed in docs/events.md.' })
export class EventRejection {
  @Field(() => Int, { description: 'Position of the event in the submitted list.' })
  index!: number;

  @Field(() => ID, { nullable: true })
  eventId?: string;

  @Field({ description: 'Stable code, e.g. BAD_SIGNATURE.' })
  code!: string;

  @Field({ description: 'Names the field and says what to fix.' })
  message!: string;
}

@ObjectType({ description: 'All or nothing: `accepted` is empty when anything was rejected.' })
export class SubmitEventsResult {
  @Field(() => [EventReceipt])
  accepted!: EventReceipt[];

  @Field(() => [EventRejection])
  rejected!: EventRejection[];
}
