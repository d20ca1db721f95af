// EPCIS 2.0 capture (REST binding POST /capture, GET /capture/{id}, POST /events) through
// the one ingest use case (libs/events IngestService.submit, as submitEvents): each EPCIS
// event becomes the signed Custos event it maps to, whose signature, actor, key, roles and
// custody are checked exactly as for submitEvents. rollback is submitEvents' all or nothing;
// proceed stores what it can: the events ingest refuses are left out and the rest resubmitted
// until nothing more is refused.
import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import {
  type CaptureErrorBehaviour,
  type CapturedEvent,
  captureEvent,
} from '@custos/epcis/capture';
import { epcisProblem, type Problem } from '@custos/epcis/problem';
import { IngestService } from '@custos/events/ingest.service';
import type { EventRejection } from '@custos/events/rejection';
import type { SignedEventSubmission } from '@custos/events/submission';
import {
  CAPTURE_HEARTBEAT_MS,
  type CaptureJob,
  CaptureJobRepository,
} from './capture-job.repository';

type Signed = Extract<CapturedEvent, { signed: unknown }>;

export type SingleCapture =
  | { readonly outcome: 'created'; readonly eventId: string }
  | { readonly outcome: 'duplicate'; readonly eventId: string }
  | { readonly outcome: 'refused'; readonly detail: string; readonly conflict: boolean };

function eventProblem(event: CapturedEvent, detail: string): Problem {
  const named = event.eventID !== undefined ? ` (eventID ${event.eventID})` : '';
  return epcisProblem(
    'ValidationException',
    `Event ${event.pointer || '/'}${named} was not captured`,
    {
      detail,
      instance: event.pointer || '/',
    },
  );
}

function asSubmission(event: Signed): SignedEventSubmission {
  return {
    event: event.signed.event,
    keyId: event.signed.keyId,
    signature: event.signed.signature,
  };
}

@Injectable()
export class EpcisCaptureService {
  private readonly logger = new Logger('EpcisCapture');

  constructor(
    private readonly ingest: IngestService,
    private readonly jobs: CaptureJobRepository,
  ) {}

  /** Starts a capture job for the events of a document already read; answers it at once. */
  async start(
    principal: Principal | undefined,
    events: readonly CapturedEvent[],
    behaviour: CaptureErrorBehaviour,
  ): Promise<CaptureJob> {
    const owner = ownerOf(principal);
    const job = await this.jobs.create(owner, behaviour);
    const errors: Problem[] = [];
    const alive = setInterval(() => {
      this.jobs.heartbeat(job.captureID, errors).catch((err: unknown) => this.failed(job, err));
    }, CAPTURE_HEARTBEAT_MS);
    alive.unref();
    void this.run(behaviour, events, errors)
      .catch((err: unknown) => {
        this.failed(job, err);
        errors.push(
          epcisProblem('ImplementationException', 'The capture failed', {
            detail: 'internal error',
          }),
        );
      })
      .then(() => this.jobs.finish(job.captureID, errors))
      .catch((err: unknown) => this.failed(job, err))
      .finally(() => clearInterval(alive));
    return job;
  }

  /** The job, to the party that captured it, a regulator or the admin; 404 to anyone else. */
  async job(principal: Principal | undefined, captureID: string): Promise<CaptureJob> {
    const caller = ownerOf(principal);
    const found = await this.jobs.find(captureID);
    const mayRead =
      found &&
      (found.owner === caller ||
        principal?.kind === 'admin' ||
        (principal?.kind === 'participant' && principal.roles.includes('REGULATOR')));
    if (!found || !mayRead)
      throw new DomainError('NOT_FOUND', `captureID: no capture job ${captureID} of yours`);
    return found.job;
  }

  /** POST /events: one event, stored now or refused. */
  async one(principal: Principal | undefined, body: unknown): Promise<SingleCapture> {
    ownerOf(principal);
    const event = captureEvent(body);
    if (!('signed' in event)) return { outcome: 'refused', detail: event.refusal, conflict: false };
    const eventId = String(event.signed.event.eventId);
    const result = await this.ingest.submit([asSubmission(event)]);
    const rejection = result.rejected[0];
    if (rejection)
      return {
        outcome: 'refused',
        detail: `${rejection.code}: ${rejection.message}`,
        conflict: rejection.code === 'EVENT_ID_CONFLICT',
      };
    return {
      outcome: result.accepted[0]?.status === 'DUPLICATE' ? 'duplicate' : 'created',
      eventId,
    };
  }

  private async run(
    behaviour: CaptureErrorBehaviour,
    events: readonly CapturedEvent[],
    errors: Problem[],
  ): Promise<void> {
    await Promise.resolve(); // the 202 goes out first
    const refused = events.filter((e) => !('signed' in e));
    for (const e of refused) if ('refusal' in e) errors.push(eventProblem(e, e.refusal));
    let pending = events.filter((e): e is Signed => 'signed' in e);
    if (behaviour === 'rollback' && refused.length > 0) pending = [];
    while (pending.length > 0) {
      const result = await this.ingest.submit(pending.map(asSubmission));
      if (result.rejected.length === 0) break;
      const byIndex = new Map<number, EventRejection>(result.rejected.map((r) => [r.index, r]));
      for (const [index, rejection] of byIndex) {
        const event = pending[index];
        const message = `${rejection.code}: ${rejection.message.replace(/^events\[\d+\]/, event ? event.pointer : 'events')}`;
        errors.push(
          event
            ? eventProblem(event, message)
            : epcisProblem('ValidationException', 'The document was not captured', {
                detail: message,
              }),
        );
      }
      if (behaviour === 'rollback' || byIndex.has(-1)) break;
      pending = pending.filter((_, i) => !byIndex.has(i));
    }
  }

  private failed(job: CaptureJob, err: unknown): void {
    this.logger.error(
      `capture ${job.captureID}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  }
}

function ownerOf(principal: Principal | undefined): string {
  if (!principal)
    throw new DomainError('UNAUTHENTICATED', 'sign in first: EPCIS capture needs a bearer token');
  return principal.kind === 'admin' ? 'admin' : principal.id;
}
