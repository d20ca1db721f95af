import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { KeyDirectoryService } from '@custos/participants/key-directory.service';
import { ParticipantService } from '@custos/participants/participant.service';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { KeyListing, toKeyListing } from './key-listing.model';
import { ParticipantInput, PublicKeyInput } from './participant.input';
import { Participant, toParticipant } from './participant.model';

@Resolver(() => Participant)
export class ParticipantResolver {
  constructor(
    private readonly participants: ParticipantService,
    private readonly keyDirectory: KeyDirectoryService,
  ) {}

  // Any signed-in caller: trading partners must check each other's roles, license and
  // keys (an authorized trading partner; an event signature checked offline), and none
  // of it is secret. Anonymous callers learn nothing about who trades.
  @Access.signedIn()
  @Query(() => Participant, { nullable: true, description: 'A participant by its GLN.' })
  async participant(@Args('id', { type: () => ID }) id: string): Promise<Participant | null> {
    const found = await this.participants.find(id, 'id');
    return found ? toParticipant(found) : null;
  }

  // Any signed-in caller, like participant(id): keys are public. The participant checks
  // its own listing offline, to notice a key it never added (docs/adr/0014).
  @Access.signedIn()
  @Query(() => KeyListing, {
    description:
      "Every key directory record about a participant, each with its inclusion proof in the directory's checkpoint.",
  })
  async participantKeys(
    @Args('participantId', { type: () => ID }) participantId: string,
  ): Promise<KeyListing> {
    return toKeyListing(await this.keyDirectory.listing(participantId));
  }

  @Access.adminOr('REGULATOR')
  @Mutation(() => Participant, { description: 'Registers an organisation with its keys.' })
  async registerParticipant(
    @Args('input', { type: () => ParticipantInput }) input: ParticipantInput,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<Participant> {
    return toParticipant(await this.participants.register(input, caller(principal), 'input'));
  }

  // Signed in: the participant's own request signed by one of its current keys is the
  // authority (SPEC section 3, docs/adr/0014); without one, the admin (bootstrap and
  // recovery) adds, and the admin or a regulator revokes. A regulator never gives anyone
  // a key of another participant. The service decides (key-change-authority.ts).
  @Access.signedIn()
  @Mutation(() => Participant, {
    description:
      'Adds an Ed25519 public key to a participant: by the admin, or by the participant with signedBy and signature (over "custos-key-request:v1:" + RFC 8785 JSON of {type: "KEY_ADDED", participantId, keyId, publicKey, validFrom}).',
  })
  async addParticipantKey(
    @Args('participantId', { type: () => ID }) participantId: string,
    @Args('key', { type: () => PublicKeyInput }) key: PublicKeyInput,
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('signedBy', { type: () => ID, nullable: true }) signedBy?: string | null,
    @Args('signature', { type: () => String, nullable: true }) signature?: string | null,
  ): Promise<Participant> {
    return toParticipant(
      await this.participants.addKey(participantId, key, caller(principal), {
        signedBy,
        signature,
      }),
    );
  }

  @Access.signedIn()
  @Mutation(() => Participant, {
    description:
      'Revokes a key now: it is refused for everything after this instant. By the admin, a regulator, or the participant with signedBy and signature (over "custos-key-request:v1:" + RFC 8785 JSON of {type: "KEY_REVOKED", participantId, keyId}).',
  })
  async revokeParticipantKey(
    @Args('participantId', { type: () => ID }) participantId: string,
    @Args('keyId', { type: () => ID }) keyId: string,
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('signedBy', { type: () => ID, nullable: true }) signedBy?: string | null,
    @Args('signature', { type: () => String, nullable: true }) signature?: string | null,
  ): Promise<Participant> {
    return toParticipant(
      await this.participants.revokeKey(participantId, keyId, caller(principal), {
        signedBy,
        signature,
      }),
    );
  }
}

/** The authenticated caller (the access rules above let no anonymous call through). */
function caller(principal: Principal | undefined): Principal {
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'sign in first');
  return principal;
}
