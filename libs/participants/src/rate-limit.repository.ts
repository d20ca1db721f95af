// The rate_limit_counter table: one row per bucket and fixed window, incremented with
// one upsert so that every API replica counts against the same number.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';

@Injectable()
export class RateLimitRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** Adds one to each bucket's count in the window; returns the counts after, by bucket. */
  async hit(buckets: readonly string[], windowStart: Date): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const bucket of buckets) {
      const rows = await this.storage.prisma.$queryRaw<{ count: number }[]>`
        INSERT INTO rate_limit_counter (bucket, window_start, count)
        VALUES (${bucket}, ${windowStart}, 1)
        ON CONFLICT (bucket, window_start)
        DO UPDATE SET count = rate_limit_counter.count + 1
        RETURNING count`;
      counts.set(bucket, Number(rows[0]?.count ?? 0));
    }
    return counts;
  }

  async deleteWindowsBefore(before: Date): Promise<void> {
    await this.storage.prisma.rateLimitCounter.deleteMany({
      where: { windowStart: { lt: before } },
    });
  }
}
