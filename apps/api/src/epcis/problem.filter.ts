// Errors of the REST routes as RFC 7807 problem details (application/problem+json): the
// EPCIS binding's `epcisException:*` types under /epcis, `about:blank` with the HTTP title
// under /vrs (GS1 US LWMS defines status codes, not error bodies). Client errors say what
// to fix and name the field; anything else is ours, logged, and answered 500 without detail.
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError, type ErrorCode } from '@custos/core/errors/domain-error';
import { epcisProblem, type EpcisExceptionType } from '@custos/epcis/problem';
import { QueryParameterError } from '@custos/epcis/event-query';
import { VrsRequestError } from '@custos/epcis/vrs-request';
import { StreamControlsError } from './stream-controls';

interface Classified {
  readonly status: number;
  readonly epcisType: EpcisExceptionType;
  readonly detail: string;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

function fromDomainCode(code: ErrorCode): Pick<Classified, 'status' | 'epcisType'> | undefined {
  switch (code) {
    case 'BAD_USER_INPUT':
      return { status: 400, epcisType: 'ValidationException' };
    case 'UNAUTHENTICATED':
    case 'KEY_REVOKED':
      return { status: 401, epcisType: 'SecurityException' };
    case 'FORBIDDEN':
      return { status: 403, epcisType: 'SecurityException' };
    case 'NOT_FOUND':
    case 'UNKNOWN_PARTICIPANT':
      return { status: 404, epcisType: 'NoSuchResourceException' };
    case 'CONFLICT':
      return { status: 409, epcisType: 'ResourceAlreadyExistsException' };
    case 'RATE_LIMITED':
      return { status: 429, epcisType: 'ImplementationException' };
    case 'UNAVAILABLE':
      return { status: 503, epcisType: 'ImplementationException' };
    default:
      return undefined;
  }
}

export function classify(error: unknown): Classified | undefined {
  if (error instanceof StreamControlsError)
    return { status: 400, epcisType: 'SubscriptionControlsException', detail: error.message };
  if (error instanceof VrsRequestError)
    return { status: 400, epcisType: 'QueryParameterException', detail: error.message };
  if (error instanceof QueryParameterError)
    return { status: 400, epcisType: 'QueryParameterException', detail: error.message };
  if (error instanceof DomainError) {
    const known = fromDomainCode(error.code);
    return known ? { ...known, detail: error.message } : undefined;
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 501)
      return { status, epcisType: 'ImplementationException', detail: error.message };
    if (status >= 500) return undefined;
    const epcisType: EpcisExceptionType =
      status === 404
        ? 'NoSuchResourceException'
        : status === 413
          ? 'CaptureLimitExceededException'
          : status === 415
            ? 'UnsupportedMediaTypeException'
            : status === 401 || status === 403
              ? 'SecurityException'
              : 'ValidationException';
    return { status, epcisType, detail: error.message };
  }
  return undefined;
}

abstract class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('REST');

  protected abstract body(c: Classified, instance: string): Record<string, unknown>;

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<{ url: string; method: string }>();
    const instance = request.url.split('?')[0] ?? request.url;
    let c = classify(error);
    if (!c) {
      this.logger.error(
        `${request.method} ${instance}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      c = { status: 500, epcisType: 'ImplementationException', detail: 'internal error' };
    }
    void reply
      .code(c.status)
      .header('content-type', 'application/problem+json')
      .send(this.body(c, instance));
  }
}

/** The problem+json body of an EPCIS error (`classify`'s answer) at `instance`. */
export function epcisProblemBody(c: Classified, instance: string): Record<string, unknown> {
  return {
    ...epcisProblem(c.epcisType, TITLES[c.status] ?? 'Error', {
      status: c.status,
      detail: c.detail,
      instance,
    }),
  };
}

@Catch()
export class EpcisProblemFilter extends ProblemFilter {
  protected body(c: Classified, instance: string): Record<string, unknown> {
    return epcisProblemBody(c, instance);
  }
}

@Catch()
export class VrsProblemFilter extends ProblemFilter {
  protected body(c: Classified, instance: string): Record<string, unknown> {
    return {
      type: 'about:blank',
      title: TITLES[c.status] ?? 'Error',
      status: c.status,
      detail: c.detail,
      instance,
    };
  }
}
