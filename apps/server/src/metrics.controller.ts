import { Controller, Get, Header, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SealingMetrics } from '@custos/sealing/sealing-metrics';

/**
 * Prometheus metrics (prom-client text format) at /metrics, in every role: the worker
 * is where blocks are sealed, so it is served beside /health, not only by the API.
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: SealingMetrics) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res({ passthrough: true }) res: FastifyReply): Promise<string> {
    void res.type(this.metrics.contentType);
    return this.metrics.metrics();
  }
}
