// The epcis_named_query table: named EPCIS queries and who defined them. Plain storage.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';

export interface StoredNamedQuery {
  readonly name: string;
  readonly owner: string;
  readonly params: Readonly<Record<string, string>>;
  readonly createdAt: Date;
}

type Row = { name: string; owner: string; query: Prisma.JsonValue; createdAt: Date };

const toStored = (row: Row): StoredNamedQuery => ({
  name: row.name,
  owner: row.owner,
  params: row.query as Record<string, string>,
  createdAt: row.createdAt,
});

@Injectable()
export class NamedQueryRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** False when the name is taken. */
  async create(
    name: string,
    owner: string,
    params: Readonly<Record<string, string>>,
  ): Promise<boolean> {
    try {
      await this.storage.prisma.epcisNamedQuery.create({
        data: { name, owner, query: { ...params } },
      });
      return true;
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return false;
      throw err;
    }
  }

  async find(name: string): Promise<StoredNamedQuery | undefined> {
    const row = await this.storage.prisma.epcisNamedQuery.findUnique({ where: { name } });
    return row ? toStored(row) : undefined;
  }

  async list(limit: number): Promise<StoredNamedQuery[]> {
    const rows = await this.storage.prisma.epcisNamedQuery.findMany({
      orderBy: { name: 'asc' },
      take: limit,
    });
    return rows.map(toStored);
  }

  async delete(name: string): Promise<void> {
    await this.storage.prisma.epcisNamedQuery.deleteMany({ where: { name } });
  }
}
