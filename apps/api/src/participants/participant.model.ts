import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { Participant as ParticipantRecord } from '@custos/participants/participant';
import { bytesToBase64Url } from '@custos/ledger/bytes';

export enum Role {
  MANUFACTURER = 'MANUFACTURER',
  DISTRIBUTOR = 'DISTRIBUTOR',
  DISPENSER = 'DISPENSER',
  REGULATOR = 'REGULATOR',
}
registerEnumType(Role, {
  name: 'Role',
  description: 'What a participant may do (SPEC section 3).',
});

@ObjectType({ description: 'A license to trade medicines.' })
export class License {
  @Field()
  number!: string;

  @Field()
  authority!: string;

  @Field({ description: 'RFC 3339 instant after which the license has lapsed.' })
  validUntil!: string;
}

@ObjectType({ description: 'An Ed25519 public key of a participant.' })
export class PublicKey {
  @Field(() => ID)
  keyId!: string;

  @Field({ description: '32 bytes, base64url without padding.' })
  publicKey!: string;

  @Field(() => String, {
    nullable: true,
    description: 'It signs events whose eventTime is at or after this instant.',
  })
  validFrom!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Refused for every submission and sign-in after this instant.',
  })
  revokedAt!: string | null;
}

@ObjectType({
  description: 'An organisation: a manufacturer, distributor, dispenser or regulator.',
})
export class Participant {
  @Field(() => ID, { description: 'Its GLN.' })
  id!: string;

  @Field()
  name!: string;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => [String], { description: 'GS1 Company Prefixes whose GTINs it may commission.' })
  companyPrefixes!: string[];

  @Field(() => License)
  license!: License;

  @Field(() => [PublicKey], { description: 'Every key it registered, revoked ones included.' })
  keys!: PublicKey[];
}

export function toParticipant(record: ParticipantRecord): Participant {
  return {
    id: record.id,
    name: record.name,
    roles: record.roles.map((role) => Role[role]),
    companyPrefixes: [...record.companyPrefixes],
    license: {
      number: record.license.number,
      authority: record.license.authority,
      validUntil: record.license.validUntil.toISOString(),
    },
    keys: record.keys.map((key) => ({
      keyId: key.keyId,
      publicKey: bytesToBase64Url(key.publicKey),
      validFrom: key.validFrom?.toISOString() ?? null,
      revokedAt: key.revokedAt?.toISOString() ?? null,
    })),
  };
}
