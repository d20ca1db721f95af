// One ingest transaction on the database, retried when PostgreSQL aborts it for a
// conflict with a concurrent one (deadlock, serialization failure, or a unique key taken
// by a transaction that committed first). Services see an opaque handle, never Prisma.
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import type { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';

/** A running transaction; only repositories look inside. */
export interface Tx {
  readonly __brand: 'custos-store-tx';
}

export function prismaOf(tx: Tx): Prisma.TransactionClient {
  return tx as unknown as Prisma.TransactionClient;
}

/**
 * `name` if it is an SQL name (lower case, digits, underscores), for a table alias or CTE
 * name a caller passes into a repository's SQL fragment; throws, naming `field`, otherwise.
 */
export function sqlName(name: string, field = 'alias'): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${field}: not an SQL name: ${name}`);
  return name;
}

/** The opaque handle of a transaction a repository opened itself (the sealer's). */
export function txOf(prisma: Prisma.TransactionClient): Tx {
  return prisma as unknown as Tx;
}

const RETRY_SQLSTATES = ['40P01', '40001', '23505'];
const RETRY_MESSAGES = [
  /deadlock detected/i,
  /could not serialize/i,
  /unique constraint/i,
  /duplicate key/i,
];

/** True when PostgreSQL aborted the transaction because a concurrent one won a race. */
export function isConcurrencyConflict(err: unknown): boolean {
  const seen = new Set<unknown>();
  const walk = (value: unknown, depth: number): boolean => {
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > 6) return false;
    seen.add(value);
    const record = value as Record<string, unknown>;
    for (const key of ['code', 'originalCode', 'sqlState']) {
      const code = record[key];
      if (typeof code === 'string' && RETRY_SQLSTATES.includes(code)) return true;
    }
    const message = record.message;
    if (typeof message === 'string' && RETRY_MESSAGES.some((re) => re.test(message))) return true;
    return ['meta', 'cause', 'driverAdapterError', 'kind'].some((key) =>
      walk(record[key], depth + 1),
    );
  };
  return walk(err, 0);
}

@Injectable()
export class TransactionRepository {
  private readonly logger = new Logger('Ingest');

  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** Runs `work` in one transaction, retrying it whole after a concurrency conflict. */
  async run<T>(work: (tx: Tx) => Promise<T>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.storage.prisma.$transaction((prisma) => work(prisma as unknown as Tx), {
          maxWait: 30_000,
          timeout: 300_000,
        });
      } catch (err) {
        if (attempt >= attempts || !isConcurrencyConflict(err)) throw err;
        this.logger.debug(`ingest transaction conflicted with a concurrent one; retry ${attempt}`);
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }
}
