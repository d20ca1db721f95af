import { Catch } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { DomainError } from '@custos/core/errors/domain-error';

/**
 * Hands domain errors (a caller's bad input, a refused access) to GraphQL as they are.
 * Without it Nest logs each one, stack and all, as a server error; formatGraphqlError
 * decides what the client sees and what is logged.
 */
@Catch(DomainError)
export class DomainErrorFilter implements GqlExceptionFilter {
  catch(exception: DomainError): DomainError {
    return exception;
  }
}
