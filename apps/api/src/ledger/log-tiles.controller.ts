import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { FormatError } from '@custos/ledger/errors';
import { parseTilePath } from '@custos/ledger/tiles';
import { LogTilesService } from '@custos/sealing/log-tiles.service';
import { RestCaller, RestCallerGuard } from '../epcis/rest-caller';

/** A tile's bytes never change once it exists (a partial tile of a given width too). */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The log as C2SP tlog-tiles under /log/ (SPEC section 9): a static-looking tree any
 * mirror can copy. The checkpoint and the hash tiles are public; entry bundles need a
 * regulator's or the admin's bearer token.
 */
@Controller('log')
@UseGuards(RestCallerGuard)
export class LogTilesController {
  constructor(private readonly tiles: LogTilesService) {}

  @Get('checkpoint')
  async checkpoint(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache, max-age=0');
    return this.tiles.checkpoint();
  }

  @Get('tile/*')
  async tile(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RestCaller() caller: Principal | undefined,
  ): Promise<Buffer | string> {
    const rest = (request.params as Record<string, string | undefined>)['*'] ?? '';
    let tile;
    try {
      tile = parseTilePath(`tile/${rest}`);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      void reply.status(400).type('text/plain; charset=utf-8');
      return `${err.message}\n`;
    }
    let bytes: Uint8Array | undefined;
    try {
      bytes =
        tile.level === 'entries'
          ? await this.tiles.entryBundle(tile, caller)
          : await this.tiles.hashTile(tile);
    } catch (err) {
      if (
        err instanceof DomainError &&
        (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN')
      ) {
        void reply
          .status(err.code === 'UNAUTHENTICATED' ? 401 : 403)
          .type('text/plain; charset=utf-8');
        return `${err.message}\n`;
      }
      throw err;
    }
    if (!bytes) {
      void reply.status(404).type('text/plain; charset=utf-8').header('cache-control', 'no-cache');
      return `not in the sealed tree (yet): ${request.url}\n`;
    }
    void reply.type('application/octet-stream').header(
      'cache-control',
      // Entry bundles are not public: a shared cache must not hand them to others.
      tile.level === 'entries' ? IMMUTABLE.replace('public', 'private') : IMMUTABLE,
    );
    if (tile.level === 'entries') void reply.header('vary', 'authorization');
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }
}
