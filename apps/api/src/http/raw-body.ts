// Request bodies that a handler reads as bytes: the C2SP witness's `text/plain`
// add-checkpoint, EPCIS's `application/ld+json` documents (whose bytes may be signed or
// hashed as sent). A controller declares the content types; the HTTP platform
// (apps/server/src/http-platform.ts) registers one byte parser per type at start, so no
// handler depends on which HTTP framework runs underneath.
import {
  applyDecorators,
  BadRequestException,
  createParamDecorator,
  SetMetadata,
} from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';

export const RAW_BODY_TYPES = 'custos:raw-body-types';

/**
 * On a controller or a handler: bodies of these content types arrive unparsed, as a
 * Buffer (`@RawBodyTypes('text/plain')`). Parsers belong to the server, not to a route:
 * a type declared anywhere is raw on every route. `application/json` is always parsed
 * (GraphQL needs it) and cannot be declared; CUSTOS_MAX_BODY_BYTES applies to every type.
 */
export const RawBodyTypes = (...types: string[]) =>
  applyDecorators(SetMetadata(RAW_BODY_TYPES, types));

/** The bytes of a body declared with @RawBodyTypes; 400 when the request sent another type. */
export const RawBody = createParamDecorator((_: unknown, context: ExecutionContext): Buffer => {
  const request = context
    .switchToHttp()
    .getRequest<{ body?: unknown; headers: Record<string, string | string[] | undefined> }>();
  if (!Buffer.isBuffer(request.body)) {
    const type = request.headers['content-type'];
    throw new BadRequestException(
      `this endpoint reads the raw request body; content-type ${typeof type === 'string' ? type : '(none)'} is not one it accepts`,
    );
  }
  return request.body;
});
