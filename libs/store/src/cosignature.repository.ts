// The one owner of the checkpoint_cosignature table: the cosignatures the log's witnesses
// returned, the newest per witness and tree size (SPEC section 9).
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';

export interface StoredCosignature {
  readonly treeSize: number;
  /** `<name>+<key ID hex>` of the witness key. */
  readonly witness: string;
  /** The note signature line, without its newline. */
  readonly line: string;
  readonly signedAt: Date;
}

@Injectable()
export class CosignatureRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** Keeps `cosignature` unless a newer one by the same witness on the same size is stored. */
  async store(cosignature: StoredCosignature): Promise<void> {
    await this.storage.prisma.$executeRaw`
      INSERT INTO checkpoint_cosignature (tree_size, witness, line, signed_at)
      VALUES (${BigInt(cosignature.treeSize)}, ${cosignature.witness}, ${cosignature.line}, ${cosignature.signedAt})
      ON CONFLICT (tree_size, witness) DO UPDATE SET line = EXCLUDED.line, signed_at = EXCLUDED.signed_at
      WHERE checkpoint_cosignature.signed_at < EXCLUDED.signed_at`;
  }

  async forTreeSize(treeSize: number): Promise<StoredCosignature[]> {
    const rows = await this.storage.prisma.checkpointCosignature.findMany({
      where: { treeSize: BigInt(treeSize) },
      orderBy: { witness: 'asc' },
    });
    return rows.map((r) => ({
      treeSize: Number(r.treeSize),
      witness: r.witness,
      line: r.line,
      signedAt: r.signedAt,
    }));
  }
}
