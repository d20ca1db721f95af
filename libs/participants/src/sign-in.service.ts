// Sign-in with nothing but a private key (SPEC section 3): requestChallenge hands out a
// random single-use nonce that expires soon; signIn checks an Ed25519 signature over
// `custos-signin:v1:` + nonce with the ledger's strict rule and answers a short-lived
// session token. Sessions stay tied to their key: once it is revoked, the session ends.
import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { type Session, SessionService } from '@custos/core/auth/session.service';
import type { Config } from '@custos/core/config/config';
import { DomainError } from '@custos/core/errors/domain-error';
import { CONFIG } from '@custos/core/tokens';
import { base64UrlToBytes } from '@custos/ledger/bytes';
import { SIGNATURE_LENGTH, verifyStrict } from '@custos/ledger/ed25519';
import { signInBytes } from '@custos/ledger/events';
import { ChallengeRepository } from './challenge.repository';
import { KeyDirectoryService } from './key-directory.service';
import { findKey, isRevokedAt, type Participant, type ParticipantKey } from './participant';
import { parseKeyId, parseParticipantId } from './participant-input';
import { ParticipantRepository } from './participant.repository';
import { unknownKey, unknownParticipant } from './participant.service';
import { SessionParticipants } from './session-participants';
import { SignInRateLimiter } from './sign-in-rate-limiter';

export interface Challenge {
  readonly nonce: string;
  readonly expiresAt: Date;
}

export interface SignInRequest {
  readonly participantId: string;
  readonly keyId: string;
  readonly nonce: string;
  /** base64url (no padding) of the 64-byte Ed25519 signature. */
  readonly signature: string;
}

/** Challenges that expired longer ago than this are forgotten (then: NONCE_UNKNOWN). */
const KEEP_EXPIRED_MS = 60 * 60 * 1000;
const MAX_NONCE_LENGTH = 128;

@Injectable()
export class SignInService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly participants: ParticipantRepository,
    private readonly challenges: ChallengeRepository,
    private readonly rateLimiter: SignInRateLimiter,
    private readonly sessions: SessionService,
    private readonly sessionParticipants: SessionParticipants,
    private readonly keyDirectory: KeyDirectoryService,
  ) {}

  async requestChallenge(
    participantId: string,
    clientAddress: string,
    now = new Date(),
  ): Promise<Challenge> {
    const id = parseParticipantId(participantId, 'participantId');
    await this.rateLimiter.attempt(id, clientAddress, now);
    if (!(await this.participants.find(id))) throw unknownParticipant(id, 'participantId');
    const nonce = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.config.signIn.challengeTtlSeconds * 1000);
    await this.challenges.create(nonce, id, expiresAt);
    await this.challenges.deleteExpiredBefore(new Date(now.getTime() - KEEP_EXPIRED_MS));
    return { nonce, expiresAt };
  }

  /**
   * Checks, in this order: the input's form, the rate limits, the participant and its
   * key, the nonce (consumed here, whatever follows), the signature.
   */
  async signIn(request: SignInRequest, clientAddress: string, now = new Date()): Promise<Session> {
    const id = parseParticipantId(request.participantId, 'participantId');
    const keyId = parseKeyId(request.keyId, 'keyId');
    const signature = parseSignature(request.signature);
    await this.rateLimiter.attempt(id, clientAddress, now);

    const participant = await this.participants.find(id);
    if (!participant) throw unknownParticipant(id, 'participantId');
    const key = usableKey(participant, keyId, now);
    await this.onRecord(id, key);

    const outcome =
      request.nonce.length > MAX_NONCE_LENGTH
        ? 'unknown'
        : await this.challenges.consume(request.nonce, id, now);
    switch (outcome) {
      case 'consumed':
        break;
      case 'unknown':
        throw new DomainError(
          'NONCE_UNKNOWN',
          `nonce: no challenge with this nonce was issued to ${id}: call requestChallenge`,
          'nonce',
        );
      case 'expired':
        throw new DomainError(
          'NONCE_EXPIRED',
          'nonce: the challenge has expired: call requestChallenge again',
          'nonce',
        );
      case 'used':
        throw new DomainError(
          'NONCE_ALREADY_USED',
          'nonce: this challenge was used already; each nonce signs in once: call requestChallenge again',
          'nonce',
        );
    }

    if (!verifyStrict(signature, signInBytes(request.nonce), key.publicKey)) {
      throw new DomainError(
        'BAD_SIGNATURE',
        `signature: not an Ed25519 signature by key "${keyId}" of ${id} over "custos-signin:v1:" + nonce`,
        'signature',
      );
    }
    return this.sessions.issue(participant.id, participant.roles, { keyId, now });
  }

  /** UNKNOWN_KEY for a key row the key directory does not hold (docs/adr/0014). */
  private async onRecord(participantId: string, key: ParticipantKey): Promise<void> {
    const why = await this.keyDirectory.whyNotOnRecord({
      participantId,
      keyId: key.keyId,
      publicKey: key.publicKey,
      validFrom: key.validFrom ?? null,
      revokedAt: key.revokedAt ?? null,
    });
    if (why)
      throw new DomainError(
        'UNKNOWN_KEY',
        `keyId: key "${key.keyId}" of ${participantId} is not on record: ${why}`,
        'keyId',
      );
  }

  /**
   * The caller a verified session token names, as it stands now: current roles, and
   * refused once the participant is gone or the session's key is revoked.
   */
  async resume(session: Principal, now = new Date()): Promise<Principal> {
    if (session.kind !== 'participant') return session;
    const participant = await this.sessionParticipants.find(session.id, now.getTime());
    if (!participant) {
      throw new DomainError('UNAUTHENTICATED', `participant ${session.id} is no longer registered`);
    }
    if (session.keyId !== undefined) {
      const key = findKey(participant, session.keyId);
      if (!key || isRevokedAt(key, now)) {
        throw new DomainError(
          'KEY_REVOKED',
          `key "${session.keyId}" of ${session.id} was revoked${key?.revokedAt ? ` at ${key.revokedAt.toISOString()}` : ''}: sign in with another key`,
        );
      }
    }
    return {
      kind: 'participant',
      id: participant.id,
      roles: participant.roles,
      ...(session.keyId !== undefined ? { keyId: session.keyId } : {}),
    };
  }
}

function parseSignature(text: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  try {
    bytes = base64UrlToBytes(text, 'signature');
  } catch {
    bytes = undefined;
  }
  if (bytes?.length !== SIGNATURE_LENGTH) {
    throw new DomainError(
      'BAD_USER_INPUT',
      `signature: expected base64url without padding of the ${SIGNATURE_LENGTH}-byte Ed25519 signature`,
      'signature',
    );
  }
  return bytes;
}

function usableKey(participant: Participant, keyId: string, now: Date): ParticipantKey {
  const key = findKey(participant, keyId);
  if (!key) throw unknownKey(participant.id, keyId, 'keyId');
  if (isRevokedAt(key, now)) {
    throw new DomainError(
      'KEY_REVOKED',
      `keyId: key "${keyId}" of ${participant.id} was revoked at ${key.revokedAt?.toISOString()}`,
      'keyId',
    );
  }
  if (key.validFrom && key.validFrom.getTime() > now.getTime()) {
    throw new DomainError(
      'KEY_NOT_YET_VALID',
      `keyId: key "${keyId}" of ${participant.id} is valid from ${key.validFrom.toISOString()}`,
      'keyId',
    );
  }
  return key;
}
