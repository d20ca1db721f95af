// The submitEvents inputs of SPEC section 7. Every event field is a String, ID or enum,
// never a date or other scalar that would re-format the value: the signature covers the
// strings exactly as the client sent them.
import { Field, ID, InputType } from '@nestjs/graphql';
import { DecommissionReason, EventType } from '../graphql/ledger-enums';

@InputType({ description: 'An event as signed (SPEC section 4); null fields are not signed.' })
export class EventInput {
  @Field(() => ID, { description: 'Client-chosen UUID; resubmitting the same event is a no-op.' })
  eventId!: string;

  @Field(() => EventType)
  type!: EventType;

  @Field(() => ID, { description: 'GLN of the participant that signs the event.' })
  actor!: string;

  @Field({ description: 'RFC 3339 UTC instant, at most 5 minutes ahead of the server.' })
  eventTime!: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Units or logistic units, each in any GS1 identifier form (all but RECALL).',
  })
  items?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Lot (COMMISSION, RECALL).' })
  lot?: string | null;

  @Field(() => String, { nullable: true, description: 'Expiry as YYYY-MM-DD (COMMISSION).' })
  expiry?: string | null;

  @Field(() => String, { nullable: true, description: 'The SSCC packed into or out of.' })
  parent?: string | null;

  @Field(() => ID, { nullable: true, description: 'Recipient GLN (SHIP).' })
  to?: string | null;

  @Field(() => ID, { nullable: true, description: 'Sender GLN (RECEIVE).' })
  from?: string | null;

  @Field(() => DecommissionReason, { nullable: true })
  reason?: DecommissionReason | null;

  @Field(() => String, { nullable: true, description: 'GTIN of the recalled lot (RECALL).' })
  gtin?: string | null;
}

@InputType({ description: 'An event with the key that signed it and its signature.' })
export class SignedEventInput {
  @Field(() => EventInput)
  event!: EventInput;

  @Field(() => ID)
  keyId!: string;

  @Field({ description: 'base64url (no padding) Ed25519 signature over the event.' })
  signature!: string;
}
