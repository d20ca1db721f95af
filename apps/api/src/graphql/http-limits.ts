// The HTTP side of the request limits: a JSON body cap (CUSTOS_MAX_BODY_BYTES; generous,
// since submitEvents takes 10,000 events of about 0.5 KB) and an answer in GraphQL's
// error shape when a body is too large or not JSON, instead of Express's HTML page; and
// which proxies' X-Forwarded-For to believe for the client address.
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '@custos/core/config/config';

interface BodyParserError {
  readonly type?: unknown;
  readonly status?: unknown;
}

function graphqlShaped(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

/** Call before listen: the JSON parser must come before Nest's default one. */
export function configureHttp(nest: INestApplication, config: Config): void {
  const app = nest as NestExpressApplication; // the server runs on the Express platform
  app.set('trust proxy', config.trustProxyHops);
  const limit = config.requestLimits.maxBodyBytes;
  app.useBodyParser('json', { limit });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (err as BodyParserError | undefined)?.type;
    if (type === 'entity.too.large') {
      res
        .status(413)
        .json(
          graphqlShaped(
            'REQUEST_TOO_LARGE',
            `the request body is larger than ${limit} bytes (CUSTOS_MAX_BODY_BYTES): send fewer items per request`,
          ),
        );
    } else if (type === 'entity.parse.failed') {
      res.status(400).json(graphqlShaped('BAD_REQUEST', 'the request body is not valid JSON'));
    } else if (typeof type === 'string') {
      const status = (err as BodyParserError).status;
      res
        .status(typeof status === 'number' ? status : 400)
        .json(graphqlShaped('BAD_REQUEST', `the request body could not be read (${type})`));
    } else {
      next(err);
    }
  });
}
