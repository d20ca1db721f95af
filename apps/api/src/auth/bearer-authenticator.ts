import { Injectable } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { SessionService } from '@custos/core/auth/session.service';
import { DomainError } from '@custos/core/errors/domain-error';
import { AdminTokenService } from '@custos/core/system/admin-token.service';
import { SignInService } from '@custos/participants/sign-in.service';

/**
 * The caller an Authorization header names, for GraphQL and REST alike: the admin token or
 * a session token, checked against the database (participant registered, key not revoked).
 * No header: nobody. A header that is present but not a live token is refused.
 */
@Injectable()
export class BearerAuthenticator {
  constructor(
    private readonly admin: AdminTokenService,
    private readonly sessions: SessionService,
    private readonly signIn: SignInService,
  ) {}

  async principalOf(header: string | string[] | undefined): Promise<Principal | undefined> {
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(value);
    if (!match?.[1]) {
      throw new DomainError('UNAUTHENTICATED', 'Authorization must be "Bearer <token>"');
    }
    if (this.admin.matches(match[1])) return { kind: 'admin' };
    // The token says who signed in; the database says whether that still holds
    // (participant registered, key not revoked) and with which roles.
    return this.signIn.resume(await this.sessions.verify(match[1]));
  }
}
