import { Field, ID, InputType } from '@nestjs/graphql';
import { Role } from './participant.model';

@InputType()
export class LicenseInput {
  @Field()
  number!: string;

  @Field()
  authority!: string;

  @Field({ description: 'YYYY-MM-DD (valid through that day, UTC) or an RFC 3339 instant.' })
  validUntil!: string;
}

@InputType()
export class PublicKeyInput {
  @Field(() => ID, { description: 'Unique per participant, never reused.' })
  keyId!: string;

  @Field({ description: 'Ed25519 public key: 32 bytes, base64url without padding.' })
  publicKey!: string;

  @Field(() => String, { nullable: true, description: 'RFC 3339 instant.' })
  validFrom?: string | null;
}

@InputType()
export class ParticipantInput {
  @Field(() => ID, { description: 'Its GLN (13 digits, check digit enforced).' })
  id!: string;

  @Field()
  name!: string;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => [String], { nullable: true })
  companyPrefixes?: string[] | null;

  @Field(() => LicenseInput)
  license!: LicenseInput;

  @Field(() => [PublicKeyInput])
  keys!: PublicKeyInput[];
}
