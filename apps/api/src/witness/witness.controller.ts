import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WitnessService } from '@custos/witness/witness.service';
import { RawBody, RawBodyTypes } from '../http/raw-body';

/**
 * C2SP tlog-witness `POST /add-checkpoint` (CUSTOS_ROLE=witness). The body is text, but
 * clients send it as they like: Tessera's (transparency-dev/witness client/http) sends no
 * Content-Type at all, which the HTTP platform reads as application/octet-stream.
 */
@RawBodyTypes('text/plain', 'application/octet-stream')
@Controller()
export class WitnessController {
  constructor(private readonly witness: WitnessService) {}

  @Post('add-checkpoint')
  @HttpCode(200)
  async addCheckpoint(
    @RawBody() body: Buffer,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const answer = await this.witness.addCheckpoint(body);
    void reply.status(answer.status);
    if (answer.contentType) void reply.type(answer.contentType);
    if (answer.retryAfterSeconds !== undefined)
      void reply.header('retry-after', String(answer.retryAfterSeconds));
    return answer.body;
  }
}
