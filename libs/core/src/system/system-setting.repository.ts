import { Inject, Injectable } from '@nestjs/common';
import { STORAGE } from '../tokens';
import type { Storage } from '../database/storage';

/** Small key-value facts the system keeps about itself. */
@Injectable()
export class SystemSettingRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.storage.prisma.systemSetting.findUnique({ where: { key } });
    return row?.value;
  }

  async put(key: string, value: string): Promise<void> {
    await this.storage.prisma.systemSetting.upsert({
      where: { key },
      create: { key, value },
      update: { value },
    });
  }

  /** Stores `value` unless the key exists; returns what is stored either way (first writer wins). */
  async putIfAbsent(key: string, value: string): Promise<string> {
    await this.storage.prisma.systemSetting.createMany({
      data: [{ key, value }],
      skipDuplicates: true,
    });
    const stored = await this.get(key);
    if (stored === undefined) throw new Error(`system setting ${key} vanished`);
    return stored;
  }
}
