import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { BearerAuthenticator } from '../auth/bearer-authenticator';

interface RestRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/**
 * REST routes authenticate here (the AccessGuard is GraphQL's): the same bearer tokens.
 * A bad token is refused (401); no token is an anonymous caller, refused by the use case
 * where it must be signed in.
 */
@Injectable()
export class RestCallerGuard implements CanActivate {
  constructor(private readonly bearer: BearerAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RestRequest>();
    const principal = await this.bearer.principalOf(request.headers.authorization);
    if (principal) request.principal = principal;
    return true;
  }
}

/** The caller RestCallerGuard authenticated (undefined for an anonymous call). */
export const RestCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal | undefined =>
    context.switchToHttp().getRequest<RestRequest>().principal,
);
