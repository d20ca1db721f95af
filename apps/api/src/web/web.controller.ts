import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WebFiles } from './web-files';

/** The pharmacist's scan page at `/` and its assets at `/assets/<name>`; public. */
@Controller()
export class WebController {
  constructor(private readonly files: WebFiles) {}

  @Get()
  index(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() res: FastifyReply): void {
    const index = this.files.index;
    if (!index) {
      void res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The scan page is not built: run `npm run build`.\n');
      return;
    }
    this.files.send(res, index, ifNoneMatch);
  }

  @Get('assets/:name')
  asset(
    @Param('name') name: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: FastifyReply,
  ): void {
    const file = this.files.asset(name);
    if (!file) {
      void res.status(404).type('text/plain; charset=utf-8').send('Not found.\n');
      return;
    }
    this.files.send(res, file, ifNoneMatch);
  }
}
