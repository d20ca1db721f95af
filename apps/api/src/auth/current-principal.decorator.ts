import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Principal } from '@custos/core/auth/principal';
import type { RequestContext } from './access.guard';

/** The caller the AccessGuard authenticated (undefined for an anonymous call). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal | undefined =>
    GqlExecutionContext.create(context).getContext<RequestContext>().principal,
);
