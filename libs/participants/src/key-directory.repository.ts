// The key_record and key_checkpoint tables: the key directory log (docs/adr/0014). Plain
// storage: appends run inside the caller's transaction (the one that writes the key
// rows), serialised by one advisory lock; reads return the stored bytes, which
// libs/ledger/src/key-directory.ts opens and checks.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import type { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import type { KeyRecord } from '@custos/ledger/key-record';
import { keyRecordLeafInput } from '@custos/ledger/key-record';

/** The advisory lock of directory appends ("custos-kdr" in ASCII). */
const DIRECTORY_LOCK_KEY = 0x637573746f732d6b6472n & 0x7fffffffffffffffn;

/** Signs the directory's checkpoint over all its leaves (the sealing key, in the service). */
export type SignDirectory = (leafInputs: readonly Uint8Array[]) => Promise<string> | string;

/** A transaction another repository holds, for a read that must see what it sees. */
export type Within = Prisma.TransactionClient;

export interface StoredDirectory {
  readonly leafInputs: Uint8Array[];
  /** The checkpoint of the largest tree size, verbatim; undefined when none. */
  readonly checkpoint: string | undefined;
}

@Injectable()
export class KeyDirectoryRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /**
   * Appends `records` and the checkpoint of the grown tree, inside `tx`. Nothing is
   * appended for an empty list.
   */
  async appendIn(
    tx: Prisma.TransactionClient,
    records: readonly KeyRecord[],
    sign: SignDirectory,
  ): Promise<void> {
    if (records.length === 0) return;
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(${DIRECTORY_LOCK_KEY})::text`;
    const stored = await this.readWith(tx);
    const start = stored.leafInputs.length;
    const added = records.map(keyRecordLeafInput);
    const leafInputs = [...stored.leafInputs, ...added];
    const note = await sign(leafInputs);
    await tx.keyRecord.createMany({
      data: records.map((r, i) => ({
        leafIndex: BigInt(start + i),
        participantId: r.participantId,
        keyId: r.type === 'PARTICIPANT_REGISTERED' ? null : r.keyId,
        record: new Uint8Array(added[i]!),
      })),
    });
    await tx.keyCheckpoint.create({ data: { treeSize: BigInt(leafInputs.length), note } });
  }

  /** Every record in leaf order and the latest checkpoint. */
  read(): Promise<StoredDirectory> {
    // One snapshot: an append committed between the two reads would pair the records with
    // the checkpoint of a larger tree, and a sound directory would look broken.
    return this.storage.prisma.$transaction((tx) => this.readWith(tx), {
      isolationLevel: 'RepeatableRead',
    });
  }

  /**
   * A digest of what read() would return, computed by the database: one small row, so a
   * process can keep the directory it opened while nothing changed.
   */
  async fingerprint(): Promise<string> {
    const rows = await this.storage.prisma.$queryRaw<{ fingerprint: string }[]>`
      SELECT count(*)::text || ':' ||
             coalesce(encode(sha256(string_agg(sha256(record), ''::bytea ORDER BY leaf_index)), 'hex'), '') || ':' ||
             coalesce((SELECT encode(sha256(convert_to(note, 'UTF8')), 'hex')
                         FROM key_checkpoint ORDER BY tree_size DESC LIMIT 1), '') AS fingerprint
        FROM key_record`;
    return rows[0]!.fingerprint;
  }

  /**
   * The latest checkpoint note, verbatim (undefined when none): one indexed row. Every
   * append writes a checkpoint of the grown tree in its transaction, so a note unchanged
   * since a full read means no append happened since.
   */
  latestNote(within?: Within): Promise<string | undefined> {
    return this.latestNoteWith(within ?? this.storage.prisma);
  }

  /** Whether the directory holds any record (the upgrade imports into an empty one only). */
  async isEmpty(tx: Prisma.TransactionClient): Promise<boolean> {
    return (await tx.keyRecord.findFirst({ select: { leafIndex: true } })) === null;
  }

  private async readWith(db: Prisma.TransactionClient): Promise<StoredDirectory> {
    // One after the other: a transaction client runs one query at a time.
    const records = await db.keyRecord.findMany({
      orderBy: { leafIndex: 'asc' },
      select: { record: true },
    });
    return {
      leafInputs: records.map((r) => new Uint8Array(r.record)),
      checkpoint: await this.latestNoteWith(db),
    };
  }

  private async latestNoteWith(
    db: Prisma.TransactionClient | Storage['prisma'],
  ): Promise<string | undefined> {
    const latest = await db.keyCheckpoint.findFirst({
      orderBy: { treeSize: 'desc' },
      select: { note: true },
    });
    return latest?.note;
  }
}
