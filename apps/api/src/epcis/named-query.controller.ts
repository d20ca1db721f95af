import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Principal } from '@custos/core/auth/principal';
import { epcisQueryDocument } from '@custos/epcis/document';
import { epcFormatOf } from '@custos/epcis/event-query';
import {
  NamedQueryService,
  type StoredNamedQuery,
} from '@custos/epcis-repository/named-query.service';
import { StreamControlsError } from './stream-controls';
import { EpcisProblemFilter } from './problem.filter';
import { queryString, versionHeaders } from './query-links';
import { RestCaller, RestCallerGuard } from './rest-caller';

/** A stored query as the binding's QueryDefinition: lists as arrays again. */
function definition(q: StoredNamedQuery) {
  return {
    name: q.name,
    query: Object.fromEntries(Object.entries(q.params).map(([k, v]) => [k, v.split('|')])),
  };
}

/** EPCIS 2.0 named queries, REST binding /queries (SPEC section 10). */
@Controller('epcis/queries')
@UseGuards(RestCallerGuard)
@UseFilters(EpcisProblemFilter)
export class NamedQueryController {
  constructor(private readonly queries: NamedQueryService) {}

  @Post()
  @HttpCode(201)
  async define(
    @Body() body: unknown,
    @RestCaller() caller: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const stored = await this.queries.define(caller, body);
    versionHeaders(reply);
    void reply.header('Location', `/epcis/queries/${encodeURIComponent(stored.name)}`);
    return definition(stored);
  }

  @Get()
  async list(@RestCaller() caller: Principal | undefined) {
    return (await this.queries.list(caller)).map(definition);
  }

  @Get(':queryName')
  async get(@Param('queryName') name: string, @RestCaller() caller: Principal | undefined) {
    return definition(await this.queries.get(caller, name));
  }

  @Delete(':queryName')
  @HttpCode(204)
  async delete(
    @Param('queryName') name: string,
    @RestCaller() caller: Principal | undefined,
  ): Promise<void> {
    await this.queries.delete(caller, name);
  }

  @Get(':queryName/events')
  async events(
    @Param('queryName') name: string,
    @Query() query: Record<string, unknown>,
    @Headers('gs1-epc-format') epcFormat: string | undefined,
    @Headers('upgrade') upgrade: string | undefined,
    @RestCaller() caller: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    // A WebSocket upgrade never reaches this route (named-query-stream.ts takes it).
    if (upgrade !== undefined || query.stream !== undefined)
      throw new StreamControlsError(
        'stream: streaming needs a WebSocket (GET with Upgrade: websocket); page with perPage and nextPageToken',
      );
    const format = epcFormatOf(epcFormat);
    const page = await this.queries.events(caller, name, query, format);
    versionHeaders(reply);
    const route = `/epcis/queries/${encodeURIComponent(name)}/events`;
    if (page.nextPageToken !== undefined)
      void reply.header(
        'Link',
        `<${route}?${queryString(query, { nextPageToken: page.nextPageToken })}>; rel="next"`,
      );
    return epcisQueryDocument(page.events, {
      queryName: name,
      creationDate: new Date().toISOString(),
    });
  }
}
