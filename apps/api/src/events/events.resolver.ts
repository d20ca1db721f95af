import { Args, Mutation, Resolver } from '@nestjs/graphql';
import {
  IngestService,
  type SubmitEventsResult as IngestResult,
} from '@custos/events/ingest.service';
import { MAX_BATCH_ITEMS } from '@custos/events/submission';
import type { SignedEventSubmission } from '@custos/events/submission';
import { Access } from '../auth/access.decorator';
import { MaxListLength } from '../graphql/request-limits';
import { SignedEventInput } from './event.input';
import { ReceiptStatus, SubmitEventsResult } from './submit-events.model';

@Resolver()
export class EventsResolver {
  constructor(private readonly ingest: IngestService) {}

  // Longer lists than a batch may hold get through to the service, which answers
  // BATCH_TOO_LARGE; the body size limit still bounds the request.
  @Access.signedIn()
  @MaxListLength(MAX_BATCH_ITEMS)
  @Mutation(() => SubmitEventsResult, {
    description:
      'Submits signed events (up to 10,000): all are stored as PENDING, or none and every rejection is named.',
  })
  async submitEvents(
    @Args('events', { type: () => [SignedEventInput] }) events: SignedEventInput[],
  ): Promise<SubmitEventsResult> {
    return toResult(await this.ingest.submit(events.map(toSubmission)));
  }
}

/** The input exactly as received: the same strings, absent and null fields left out later. */
function toSubmission(input: SignedEventInput): SignedEventSubmission {
  const e = input.event;
  return {
    event: {
      eventId: e.eventId,
      type: e.type,
      actor: e.actor,
      eventTime: e.eventTime,
      items: e.items,
      lot: e.lot,
      expiry: e.expiry,
      parent: e.parent,
      to: e.to,
      from: e.from,
      reason: e.reason,
      gtin: e.gtin,
    },
    keyId: input.keyId,
    signature: input.signature,
  };
}

function toResult(result: IngestResult): SubmitEventsResult {
  return {
    accepted: result.accepted.map((r) => ({ eventId: r.eventId, status: ReceiptStatus[r.status] })),
    rejected: result.rejected.map((r) => ({
      index: r.index,
      code: r.code,
      message: r.message,
      ...(r.eventId !== undefined ? { eventId: r.eventId } : {}),
    })),
  };
}
