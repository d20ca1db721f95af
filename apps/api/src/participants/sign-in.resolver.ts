import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import { SignInService } from '@custos/participants/sign-in.service';
import { Access } from '../auth/access.decorator';
import { ClientAddress } from '../auth/client-address.decorator';
import { Challenge, Session } from './sign-in.model';

@Resolver()
export class SignInResolver {
  constructor(private readonly signInService: SignInService) {}

  // Anyone: this is how a participant gets a token in the first place.
  @Access.anyone()
  @Mutation(() => Challenge, { description: 'A single-use nonce to sign for signIn.' })
  async requestChallenge(
    @Args('participantId', { type: () => ID }) participantId: string,
    @ClientAddress() address: string,
  ): Promise<Challenge> {
    const challenge = await this.signInService.requestChallenge(participantId, address);
    return { nonce: challenge.nonce, expiresAt: challenge.expiresAt.toISOString() };
  }

  @Access.anyone()
  @Mutation(() => Session, {
    description:
      'Checks an Ed25519 signature over "custos-signin:v1:" + nonce; answers a short-lived bearer token.',
  })
  async signIn(
    @Args('participantId', { type: () => ID }) participantId: string,
    @Args('keyId', { type: () => ID }) keyId: string,
    @Args('nonce') nonce: string,
    @Args('signature', { description: 'base64url, no padding' }) signature: string,
    @ClientAddress() address: string,
  ): Promise<Session> {
    const session = await this.signInService.signIn(
      { participantId, keyId, nonce, signature },
      address,
    );
    return { token: session.token, expiresAt: session.expiresAt.toISOString() };
  }
}
