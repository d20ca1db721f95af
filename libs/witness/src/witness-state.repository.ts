import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import type { LogState } from './add-checkpoint';

/** The witness's latest cosigned checkpoint per log (table witness_log_state). */
@Injectable()
export class WitnessStateRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  async get(origin: string): Promise<LogState | undefined> {
    const row = await this.storage.prisma.witnessLogState.findUnique({ where: { origin } });
    return row ? { size: Number(row.treeSize), rootHash: new Uint8Array(row.rootHash) } : undefined;
  }

  /**
   * Stores `next` only if the log's state is still `expected` (undefined: no row yet), in one
   * statement, so two requests checked against the same state cannot both be persisted
   * (the rollback race of c2sp.org/tlog-witness). Returns whether it was stored.
   */
  async compareAndSet(
    origin: string,
    expected: LogState | undefined,
    next: LogState & { readonly checkpoint: string },
  ): Promise<boolean> {
    const data = {
      treeSize: BigInt(next.size),
      rootHash: Buffer.from(next.rootHash),
      checkpoint: next.checkpoint,
      updatedAt: new Date(),
    };
    if (expected === undefined) {
      const { count } = await this.storage.prisma.witnessLogState.createMany({
        data: [{ origin, ...data }],
        skipDuplicates: true,
      });
      return count === 1;
    }
    const { count } = await this.storage.prisma.witnessLogState.updateMany({
      where: {
        origin,
        treeSize: BigInt(expected.size),
        rootHash: { equals: Buffer.from(expected.rootHash) },
      },
      data,
    });
    return count === 1;
  }
}
