import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { ParticipantService } from '@custos/participants/participant.service';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { ParticipantInput, PublicKeyInput } from './participant.input';
import { Participant, toParticipant } from './participant.model';

@Resolver(() => Participant)
export class ParticipantResolver {
  constructor(private readonly participants: ParticipantService) {}

  // Any signed-in caller: trading partners must check each other's roles, license and
  // keys (an authorized trading partner; an event signature checked offline), and none
  // of it is secret. Anonymous callers learn nothing about who trades.
  @Access.signedIn()
  @Query(() => Participant, { nullable: true, description: 'A participant by its GLN.' })
  async participant(@Args('id', { type: () => ID }) id: string): Promise<Participant | null> {
    const found = await this.participants.find(id, 'id');
    return found ? toParticipant(found) : null;
  }

  @Access.adminOr('REGULATOR')
  @Mutation(() => Participant, { description: 'Registers an organisation with its keys.' })
  async registerParticipant(
    @Args('input', { type: () => ParticipantInput }) input: ParticipantInput,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<Participant> {
    return toParticipant(await this.participants.register(input, caller(principal), 'input'));
  }

  // The admin only (bootstrap and recovery): a regulator registers participants but never
  // gives anyone a key of another participant (SPEC section 3; issue 13). A participant's
  // own signed key requests are the next step.
  @Access.admin()
  @Mutation(() => Participant, { description: 'Adds an Ed25519 public key to a participant.' })
  async addParticipantKey(
    @Args('participantId', { type: () => ID }) participantId: string,
    @Args('key', { type: () => PublicKeyInput }) key: PublicKeyInput,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<Participant> {
    return toParticipant(await this.participants.addKey(participantId, key, caller(principal)));
  }

  @Access.adminOr('REGULATOR')
  @Mutation(() => Participant, {
    description: 'Revokes a key now: it is refused for everything after this instant.',
  })
  async revokeParticipantKey(
    @Args('participantId', { type: () => ID }) participantId: string,
    @Args('keyId', { type: () => ID }) keyId: string,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<Participant> {
    return toParticipant(
      await this.participants.revokeKey(participantId, keyId, caller(principal)),
    );
  }
}

/** The authenticated caller (the access rules above let no anonymous call through). */
function caller(principal: Principal | undefined): Principal {
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'sign in first');
  return principal;
}
