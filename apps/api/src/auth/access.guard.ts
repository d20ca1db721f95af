import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { ACCESS_RULE, type AccessRule } from './access.decorator';
import { BearerAuthenticator } from './bearer-authenticator';

/** What every GraphQL resolver can read from its context. */
export interface RequestContext {
  req?: {
    headers: Record<string, string | string[] | undefined>;
    ip?: string;
    principal?: Principal;
  };
  principal?: Principal;
}

/**
 * Deny by default: an operation without an @Access rule is refused. The bearer token is
 * the admin token or a session token (BearerAuthenticator); a token that is present but
 * invalid is refused even where anyone may call. A session whose key was revoked since is refused
 * (KEY_REVOKED): a key revoked at T refuses everything after T.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly bearer: BearerAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') return true; // /health and the scan page are public
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule)
      throw new DomainError('FORBIDDEN', 'this operation has no access rule and is refused');
    const gqlContext = GqlExecutionContext.create(context).getContext<RequestContext>();
    const principal = await this.authenticate(gqlContext);
    gqlContext.principal = principal;
    return this.allows(rule, principal);
  }

  private async authenticate(context: RequestContext): Promise<Principal | undefined> {
    if (context.principal) return context.principal;
    return this.bearer.principalOf(context.req?.headers.authorization);
  }

  private allows(rule: AccessRule, principal: Principal | undefined): boolean {
    switch (rule.kind) {
      case 'anyone':
        return true;
      case 'signed-in':
        if (!principal)
          throw new DomainError(
            'UNAUTHENTICATED',
            'sign in first: this operation needs a bearer token',
          );
        return true;
      case 'admin-or-roles': {
        if (!principal)
          throw new DomainError(
            'UNAUTHENTICATED',
            'sign in first: this operation needs a bearer token',
          );
        if (principal.kind === 'admin') return true;
        if (rule.roles.some((role) => principal.roles.includes(role))) return true;
        const who =
          rule.roles.length > 0 ? `the admin or a ${rule.roles.join(' or ')}` : 'the admin';
        throw new DomainError('FORBIDDEN', `only ${who} may do this`);
      }
    }
  }
}
