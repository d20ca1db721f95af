import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A single-use sign-in nonce: sign "custos-signin:v1:" + nonce.' })
export class Challenge {
  @Field()
  nonce!: string;

  @Field({ description: 'RFC 3339 instant.' })
  expiresAt!: string;
}

@ObjectType({ description: 'A bearer token: send "Authorization: Bearer <token>".' })
export class Session {
  @Field()
  token!: string;

  @Field({ description: 'RFC 3339 instant.' })
  expiresAt!: string;
}
