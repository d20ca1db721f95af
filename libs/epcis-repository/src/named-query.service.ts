// EPCIS 2.0 named queries (REST binding /queries): defined once by a signed-in party, run by
// anyone signed in, each run answering what the runner may read (SPEC section 7), exactly as
// GET /events with the stored parameters. Only the definer, a regulator or the admin delete one.
import { Injectable } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import type { EventQuery } from '@custos/epcis/event-query';
import type { EpcFormat } from '@custos/epcis/identifiers';
import { namedEventQuery, parseNamedQuery } from '@custos/epcis/named-query';
import { type EventPage, EpcisQueryService } from './epcis-query.service';
import { NamedQueryRepository, type StoredNamedQuery } from './named-query.repository';

// The stored form is what the service returns: callers (the REST binding) name it from here.
export type { StoredNamedQuery };

const LIST_LIMIT = 1000;

function caller(principal: Principal | undefined): string {
  if (!principal)
    throw new DomainError('UNAUTHENTICATED', 'sign in first: EPCIS queries need a bearer token');
  return principal.kind === 'admin' ? 'admin' : principal.id;
}

@Injectable()
export class NamedQueryService {
  constructor(
    private readonly queries: NamedQueryRepository,
    private readonly query: EpcisQueryService,
  ) {}

  async define(principal: Principal | undefined, body: unknown): Promise<StoredNamedQuery> {
    const owner = caller(principal);
    const definition = parseNamedQuery(body);
    if (!(await this.queries.create(definition.name, owner, definition.params)))
      throw new DomainError(
        'CONFLICT',
        `name: a query named ${definition.name} exists already`,
        'name',
      );
    return (await this.queries.find(definition.name))!;
  }

  async get(principal: Principal | undefined, name: string): Promise<StoredNamedQuery> {
    caller(principal);
    const found = await this.queries.find(name);
    if (!found)
      throw new DomainError('NOT_FOUND', `queryName: no query named ${name}`, 'queryName');
    return found;
  }

  async list(principal: Principal | undefined): Promise<StoredNamedQuery[]> {
    caller(principal);
    return this.queries.list(LIST_LIMIT);
  }

  async delete(principal: Principal | undefined, name: string): Promise<void> {
    const found = await this.get(principal, name);
    const who = caller(principal);
    const mayDelete =
      found.owner === who ||
      principal?.kind === 'admin' ||
      (principal?.kind === 'participant' && principal.roles.includes('REGULATOR'));
    if (!mayDelete)
      throw new DomainError(
        'FORBIDDEN',
        `queryName: ${name} was defined by another party`,
        'queryName',
      );
    await this.queries.delete(name);
  }

  /** The named query as a stream runs it: its stored parameters, in log order. */
  async streamQuery(principal: Principal | undefined, name: string): Promise<EventQuery> {
    const found = await this.get(principal, name);
    return namedEventQuery(found.params, {});
  }

  async events(
    principal: Principal | undefined,
    name: string,
    paging: Readonly<Record<string, unknown>>,
    format: EpcFormat,
  ): Promise<EventPage> {
    const found = await this.get(principal, name);
    return this.query.page(
      principal,
      namedEventQuery(found.params, paging),
      JSON.stringify(['named', name, found.createdAt.toISOString()]),
      format,
    );
  }
}
