import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { RequestContext } from './access.guard';

/**
 * The caller's network address, for per-address limits: Fastify's `request.ip`, which
 * follows X-Forwarded-For only through the proxies CUSTOS_TRUST_PROXY_HOPS trusts.
 */
export const ClientAddress = createParamDecorator(
  (_: unknown, context: ExecutionContext): string =>
    GqlExecutionContext.create(context).getContext<RequestContext>().req?.ip ?? 'unknown',
);
