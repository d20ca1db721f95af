import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { base64UrlToBytes } from '@custos/ledger/bytes';
import type { Config } from '../config/config';
import { DomainError } from '../errors/domain-error';
import { BoundedMap } from '../memory/bounded-map';
import { SecretsService } from '../system/secrets.service';
import { CONFIG } from '../tokens';
import { type ParticipantRole, participantRoles, type Principal } from './principal';

const ISSUER = 'custos';
/** How many verified tokens are remembered (the oldest is forgotten first). */
const REMEMBERED_TOKENS = 10_000;
const AUDIENCE = 'custos-api';

export interface Session {
  readonly token: string;
  readonly expiresAt: Date;
}

/**
 * Short-lived bearer tokens for signed-in participants: HS256 JWTs (jose) signed with
 * CUSTOS_SESSION_SECRET, or a secret generated once and kept with the data.
 */
@Injectable()
export class SessionService implements OnApplicationBootstrap {
  private key: Uint8Array | undefined;
  /**
   * Tokens whose MAC checked out, with what they say and when they expire: the exact token
   * string was verified, so it is believed again until then without another HMAC (issue 17).
   */
  private readonly verified = new BoundedMap<string, { principal: Principal; expiresAtMs: number }>(
    REMEMBERED_TOKENS,
  );

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly secrets: SecretsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A witness signs no one in: it neither needs nor makes a session key.
    if (this.config.role === 'witness') return;
    await this.signingKey();
  }

  private async signingKey(): Promise<Uint8Array> {
    if (!this.key) {
      const secret =
        this.config.sessionSecret ??
        (await this.secrets.getOrCreate('session-key', () => SecretsService.random(32))).value;
      this.key = new TextEncoder().encode(secret);
    }
    return this.key;
  }

  /** `keyId`: the key the participant signed in with (the session ends when it is revoked). */
  async issue(
    participantId: string,
    roles: readonly ParticipantRole[],
    options: { readonly keyId?: string; readonly now?: Date } = {},
  ): Promise<Session> {
    const now = options.now ?? new Date();
    const expiresAt = new Date(now.getTime() + this.config.sessionTtlSeconds * 1000);
    const claims = { roles: [...roles], ...(options.keyId ? { kid: options.keyId } : {}) };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(participantId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(await this.signingKey());
    return { token, expiresAt };
  }

  /** The participant a session token names; UNAUTHENTICATED when it is not a valid, live token. */
  async verify(token: string, now = Date.now()): Promise<Principal> {
    const remembered = this.verified.get(token);
    if (remembered) {
      if (now < remembered.expiresAtMs) return remembered.principal;
      this.verified.delete(token);
      throw sessionExpired();
    }
    return this.verifyToken(token, now);
  }

  private async verifyToken(token: string, now: number): Promise<Principal> {
    // jose decodes base64url leniently: a segment whose last character differs only in its
    // padding bits gives the same bytes, so one session would have many token strings.
    if (!token.split('.').every(isCanonicalBase64Url)) {
      throw new DomainError('UNAUTHENTICATED', 'the bearer token is not a valid Custos session');
    }
    try {
      const { payload } = await jwtVerify(token, await this.signingKey(), {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        currentDate: new Date(now),
      });
      const roles = Array.isArray(payload.roles) ? payload.roles : [];
      if (!payload.sub || !roles.every((r) => participantRoles.includes(r as ParticipantRole))) {
        throw new DomainError('UNAUTHENTICATED', 'the bearer token is not a Custos session');
      }
      const principal: Principal = {
        kind: 'participant',
        id: payload.sub,
        roles: roles as ParticipantRole[],
        ...(typeof payload.kid === 'string' ? { keyId: payload.kid } : {}),
      };
      if (typeof payload.exp === 'number')
        this.verified.set(token, { principal, expiresAtMs: payload.exp * 1000 });
      return principal;
    } catch (err) {
      if (err instanceof DomainError) throw err;
      if (err instanceof errors.JWTExpired) throw sessionExpired();
      throw new DomainError('UNAUTHENTICATED', 'the bearer token is not a valid Custos session');
    }
  }
}

/** Whether `segment` is the one unpadded base64url spelling of the bytes it decodes to. */
function isCanonicalBase64Url(segment: string): boolean {
  try {
    base64UrlToBytes(segment); // refuses padding, other alphabets and set padding bits
    return true;
  } catch {
    return false;
  }
}

function sessionExpired(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'the session has expired: sign in again');
}
