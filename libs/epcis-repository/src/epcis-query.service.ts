// EPCIS 2.0 queries (REST binding GET /events, /events/{eventID}, /epcs/{epc}/events): the
// ledger's events, as SPEC section 7 lets the caller read them, mapped to EPCIS 2.0 by the
// published mapping (docs/epcis.md) with their provenance (custos:signature, keyId, actor,
// leafIndex, blockHeight) and CBV 2.0 event hash. Pages are keyset-paged: the next-page
// token carries the last sequence number served and a digest of the query it belongs to.
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { type EventQuery, QueryParameterError } from '@custos/epcis/event-query';
import type { EpcFormat } from '@custos/epcis/identifiers';
import { type JsonObject, toEpcisEvent } from '@custos/epcis/to-epcis';
import type { EventObject } from '@custos/ledger/events';
import { ParticipantService } from '@custos/participants/participant.service';
import {
  EventQueryRepository,
  type QueriedEvent,
  type Reader,
} from '@custos/store/event-query.repository';
import { LedgerEventRepository } from '@custos/store/ledger-event.repository';

export interface EventPage {
  readonly events: readonly JsonObject[];
  /** Present while more events match. */
  readonly nextPageToken?: string;
}

@Injectable()
export class EpcisQueryService {
  constructor(
    private readonly events: LedgerEventRepository,
    private readonly queries: EventQueryRepository,
    private readonly participants: ParticipantService,
  ) {}

  /**
   * One page of the events matching `query`. `queryKey` names the query (its parameters
   * without paging) so that a token is only taken back by the query that gave it.
   */
  async page(
    principal: Principal | undefined,
    query: EventQuery,
    queryKey: string,
    format: EpcFormat,
  ): Promise<EventPage> {
    const reader = readerOf(principal);
    const digest = createHash('sha256').update(queryKey).digest('base64url').slice(0, 16);
    const after =
      query.nextPageToken === undefined ? undefined : openToken(query.nextPageToken, digest);
    const rows = await this.queries.queryPage(query, reader, after, query.perPage + 1);
    const served = rows.slice(0, query.perPage);
    const events = await this.toEpcis(served, format);
    const last = served[served.length - 1];
    return rows.length > query.perPage && last
      ? { events, nextPageToken: Buffer.from(`${last.seq}.${digest}`).toString('base64url') }
      : { events };
  }

  /**
   * The next sealed events matching `query` from leaf `fromLeaf` on (a stream's next
   * message), and the leaf the one after starts at.
   */
  async sealedFrom(
    principal: Principal | undefined,
    query: EventQuery,
    fromLeaf: number,
    format: EpcFormat,
  ): Promise<{ readonly events: readonly JsonObject[]; readonly nextLeaf: number }> {
    const reader = readerOf(principal);
    const size = await this.events.sealedSize(); // first: a block sealed meanwhile waits
    const rows = await this.queries.querySealed(query, reader, fromLeaf, size, query.perPage);
    const last = rows[rows.length - 1]?.leafIndex;
    // Fewer than a page: everything up to `size` was looked at, matching or not.
    const nextLeaf =
      rows.length === query.perPage && last != null ? last + 1 : Math.max(size, fromLeaf);
    return { events: await this.toEpcis(rows, format), nextLeaf };
  }

  /** The leaf a stream of events recorded from `since` on (default: from now) starts at. */
  streamStart(since: Date | undefined): Promise<number> {
    return this.events.streamStart(since);
  }

  private async toEpcis(rows: readonly QueriedEvent[], format: EpcFormat): Promise<JsonObject[]> {
    const companyPrefixLength =
      format === 'epc-urn' ? await this.participants.companyPrefixLookup() : undefined;
    return rows.map((row) =>
      toEpcisEvent(
        {
          event: JSON.parse(row.eventJson) as EventObject,
          keyId: row.keyId,
          signature: row.signature,
        },
        {
          epcFormat: format,
          ...(companyPrefixLength ? { companyPrefixLength } : {}),
          provenance: {
            recordTime: row.acceptedAt.toISOString(),
            ...(row.leafIndex !== null ? { leafIndex: row.leafIndex } : {}),
            ...(row.blockHeight !== null ? { blockHeight: row.blockHeight } : {}),
          },
        },
      ),
    );
  }
}

/** SPEC 7: a regulator and the admin read everything; a trading partner what it held. */
function readerOf(principal: Principal | undefined): Reader {
  if (!principal)
    throw new DomainError('UNAUTHENTICATED', 'sign in first: EPCIS queries need a bearer token');
  if (principal.kind === 'admin' || principal.roles.includes('REGULATOR')) return { kind: 'all' };
  return { kind: 'partner', id: principal.id };
}

function openToken(token: string, digest: string): bigint {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^(\d{1,19})\.([A-Za-z0-9_-]{16})$/.exec(text);
  if (!match || match[2] !== digest)
    throw new QueryParameterError(
      'nextPageToken',
      'is not a token this query gave (send the other parameters unchanged with it)',
    );
  return BigInt(match[1]!);
}
