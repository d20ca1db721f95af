import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Options,
  Param,
  Query,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { epcisQueryDocument } from '@custos/epcis/document';
import { epcFormatOf, parseEventQuery, QueryParameterError } from '@custos/epcis/event-query';
import { EPCIS_CONTEXT } from '@custos/epcis/vocabulary';
import { EpcisQueryService } from '@custos/epcis-repository/epcis-query.service';
import { EpcisProblemFilter } from './problem.filter';
import { queryString, versionHeaders } from './query-links';
import { RestCaller, RestCallerGuard } from './rest-caller';

type RawQuery = Record<string, unknown>;

const QUERY_NAME = 'SimpleEventQuery';

/** Which query a token belongs to: the route and its parameters, paging aside. */
function queryKey(route: string, query: RawQuery): string {
  const entries = Object.entries(query)
    .filter(([k]) => k !== 'nextPageToken' && k !== 'perPage')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([route, entries]);
}

/** EPCIS 2.0 query interface, REST binding (SPEC section 10): events as the caller may read them. */
@Controller('epcis')
@UseGuards(RestCallerGuard)
@UseFilters(EpcisProblemFilter)
export class EpcisQueryController {
  constructor(private readonly query: EpcisQueryService) {}

  @Get()
  root(@Res({ passthrough: true }) reply: FastifyReply) {
    versionHeaders(reply);
    return {
      '@context': EPCIS_CONTEXT,
      type: 'Collection',
      member: ['queries', 'capture', 'events', 'epcs'],
    };
  }

  @Get('events')
  events(
    @Query() query: RawQuery,
    @Headers('gs1-epc-format') epcFormat: string | undefined,
    @RestCaller() caller: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.serve('/epcis/events', query, {}, epcFormat, caller, reply);
  }

  @Get('epcs/:epc/events')
  epcEvents(
    @Param('epc') epc: string,
    @Query() query: RawQuery,
    @Headers('gs1-epc-format') epcFormat: string | undefined,
    @RestCaller() caller: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (query.MATCH_anyEPC !== undefined)
      throw new QueryParameterError('MATCH_anyEPC', 'the path names the EPC already');
    const route = `/epcis/epcs/${encodeURIComponent(epc)}/events`;
    return this.serve(route, query, { MATCH_anyEPC: epc }, epcFormat, caller, reply);
  }

  @Get('events/:eventID')
  async event(
    @Param('eventID') eventID: string,
    @Headers('gs1-epc-format') epcFormat: string | undefined,
    @RestCaller() caller: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const page = await this.query.page(
      caller,
      parseEventQuery({ EQ_eventID: eventID.replace(/\|/g, '') }),
      `/epcis/events/${eventID}`,
      epcFormatOf(epcFormat),
    );
    // An event the caller may not read is not there for it (no hint that it exists).
    if (page.events.length === 0)
      throw new DomainError('NOT_FOUND', `eventID: no event ${eventID} that you may read`);
    versionHeaders(reply);
    return epcisQueryDocument(page.events, {
      queryName: QUERY_NAME,
      creationDate: new Date().toISOString(),
    });
  }

  @Options(['', 'events/:eventID', 'epcs/:epc/events'])
  @HttpCode(204)
  options(@Res({ passthrough: true }) reply: FastifyReply): void {
    versionHeaders(reply);
    void reply
      .header('Allow', 'GET, OPTIONS')
      .header('GS1-EPCIS-Min', '2.0.0')
      .header('GS1-EPCIS-Max', '2.0.0')
      .header('GS1-CBV-Min', '2.0.0')
      .header('GS1-CBV-Max', '2.0.0')
      .header('GS1-EPC-Format', 'Always_GS1_Digital_Link');
  }

  private async serve(
    route: string,
    query: RawQuery,
    fixed: Record<string, string>,
    epcFormat: string | undefined,
    caller: Principal | undefined,
    reply: FastifyReply,
  ) {
    const format = epcFormatOf(epcFormat);
    const page = await this.query.page(
      caller,
      parseEventQuery({ ...query, ...fixed }),
      queryKey(route, query),
      format,
    );
    versionHeaders(reply);
    void reply.header(
      'GS1-EPC-Format',
      format === 'epc-urn' ? 'Always_EPC_URN' : 'Always_GS1_Digital_Link',
    );
    if (page.nextPageToken !== undefined)
      void reply.header(
        'Link',
        `<${route}?${queryString(query, { nextPageToken: page.nextPageToken })}>; rel="next"`,
      );
    return epcisQueryDocument(page.events, {
      queryName: QUERY_NAME,
      creationDate: new Date().toISOString(),
    });
  }
}
