import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Options,
  Param,
  Post,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Principal } from '@custos/core/auth/principal';
import type { Config } from '@custos/core/config/config';
import { DomainError } from '@custos/core/errors/domain-error';
import { CONFIG } from '@custos/core/tokens';
import { captureDocumentEvent, captureErrorBehaviourOf } from '@custos/epcis/capture';
import { documentEvents } from '@custos/epcis/document';
import { epcisXmlDocument, EpcisXmlError } from '@custos/epcis/from-xml';
import { epcisProblem } from '@custos/epcis/problem';
import { MAX_BATCH_EVENTS } from '@custos/events/submission';
import { EpcisCaptureService } from '@custos/epcis-repository/epcis-capture.service';
import { RawBodyTypes } from '../http/raw-body';
import { EpcisProblemFilter } from './problem.filter';
import { RestCaller, RestCallerGuard } from './rest-caller';

/** A JSON body: parsed already (application/json) or bytes (application/ld+json). */
function json(body: unknown): unknown {
  if (!Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new DomainError(
      'BAD_USER_INPUT',
      `the body is not JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

const XML_TYPES = ['application/xml', 'text/xml'];

/** A capture document: JSON / JSON-LD as json() reads it, or EPCIS 2.0 XML read into JSON-LD. */
function captureBody(body: unknown, contentType: string | undefined): unknown {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!XML_TYPES.includes(type) || !Buffer.isBuffer(body)) return json(body);
  try {
    return epcisXmlDocument(body.toString('utf8'));
  } catch (err) {
    if (err instanceof EpcisXmlError) throw new DomainError('BAD_USER_INPUT', err.message);
    throw err;
  }
}

/** EPCIS 2.0 capture interface, REST binding (SPEC section 10), through the ingest use case. */
@Controller('epcis')
@RawBodyTypes('application/ld+json', ...XML_TYPES)
@UseGuards(RestCallerGuard)
@UseFilters(EpcisProblemFilter)
export class EpcisCaptureController {
  constructor(
    private readonly capture: EpcisCaptureService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  private limits(reply: FastifyReply): FastifyReply {
    return reply
      .header('GS1-EPCIS-Version', '2.0.0')
      .header('GS1-CBV-Version', '2.0.0')
      .header('GS1-EPCIS-Capture-Limit', String(MAX_BATCH_EVENTS))
      .header('GS1-EPCIS-Capture-File-Size-Limit', String(this.config.requestLimits.maxBodyBytes));
  }

  @Post('capture')
  @HttpCode(202)
  async captureDocument(
    @Body() body: unknown,
    @Headers('gs1-capture-error-behaviour') behaviourHeader: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @RestCaller() caller: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void | Record<string, unknown>> {
    if (!caller)
      throw new DomainError('UNAUTHENTICATED', 'sign in first: EPCIS capture needs a bearer token');
    const behaviour = captureErrorBehaviourOf(behaviourHeader);
    if (!behaviour)
      throw new DomainError(
        'BAD_USER_INPUT',
        `GS1-Capture-Error-Behaviour: "${behaviourHeader}" is not rollback or proceed`,
      );
    const listed = documentEvents(captureBody(body, contentType));
    if (typeof listed === 'string') throw new DomainError('BAD_USER_INPUT', listed);
    if (listed.length > MAX_BATCH_EVENTS) {
      void this.limits(reply).code(413).header('content-type', 'application/problem+json');
      return {
        ...epcisProblem('CaptureLimitExceededException', 'Content Too Large', {
          detail: `epcisBody/eventList: ${listed.length} events; at most ${MAX_BATCH_EVENTS} are captured at once, split the document`,
        }),
      };
    }
    const job = await this.capture.start(caller, listed.map(captureDocumentEvent), behaviour);
    void this.limits(reply).header('Location', `/epcis/capture/${job.captureID}`);
  }

  @Get('capture/:captureID')
  captureJob(
    @Param('captureID') captureID: string,
    @RestCaller() caller: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    void reply.header('GS1-EPCIS-Version', '2.0.0');
    return this.capture.job(caller, captureID);
  }

  @Post('events')
  async captureEvent(
    @Body() body: unknown,
    @RestCaller() caller: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const event = json(body);
    const outcome = await this.capture.one(caller, event);
    switch (outcome.outcome) {
      case 'created':
        void this.limits(reply)
          .code(201)
          .header('Location', `/epcis/events/urn:uuid:${outcome.eventId}`);
        return event;
      case 'duplicate':
        throw new DomainError(
          'CONFLICT',
          `eventID: urn:uuid:${outcome.eventId} is captured already`,
          'eventID',
        );
      case 'refused':
        throw new DomainError(outcome.conflict ? 'CONFLICT' : 'BAD_USER_INPUT', outcome.detail);
    }
  }

  @Options('events')
  @HttpCode(204)
  eventsOptions(@Res({ passthrough: true }) reply: FastifyReply): void {
    void this.limits(reply)
      .header('Allow', 'OPTIONS, GET, POST')
      .header('GS1-EPCIS-Min', '2.0.0')
      .header('GS1-EPCIS-Max', '2.0.0')
      .header('GS1-CBV-Min', '2.0.0')
      .header('GS1-CBV-Max', '2.0.0');
  }

  @Options('capture')
  @HttpCode(204)
  captureOptions(@Res({ passthrough: true }) reply: FastifyReply): void {
    void this.limits(reply)
      .header('Allow', 'OPTIONS, POST')
      .header('GS1-Capture-Error-Behaviour', 'rollback, proceed');
  }
}
