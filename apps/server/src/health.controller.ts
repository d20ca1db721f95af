import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';

type Probe = 'up' | 'down';

export interface HealthReport {
  status: 'ok' | 'degraded';
  database: Probe;
  queue: Probe;
}

const PROBE_TIMEOUT_MS = 2000;

async function probe(check: () => Promise<void>): Promise<Probe> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/** 200 only when both the database and the queue answer; 503 naming what is down otherwise. */
@Controller('health')
export class HealthController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Get()
  async health(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthReport> {
    const [database, queue] = await Promise.all([
      probe(() => this.storage.pingDatabase()),
      probe(() => this.storage.pingQueue()),
    ]);
    const ok = database === 'up' && queue === 'up';
    void res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', database, queue };
  }
}
