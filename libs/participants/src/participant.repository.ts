// The participant and participant_key tables. Plain storage, no rules: the service
// decides; this file is the only one that knows their Prisma shape.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { Prisma } from '@custos/core/generated/prisma/client';
import { STORAGE } from '@custos/core/tokens';
import { KEY_REVOKED_CHANNEL, revocationPayload } from './key-revocations';
import type { NewParticipant, NewParticipantKey, Participant, ParticipantKey } from './participant';
import type { KeyRecord } from '@custos/ledger/key-record';
import { KeyDirectoryRepository, type SignDirectory } from './key-directory.repository';
import type { ImportedKey } from './key-directory-records';

/**
 * A participant's key rows, without the attestation of versions before the key directory:
 * only the directory's one-time import reads it (docs/adr/0014).
 */
const withKeys = {
  keys: { omit: { attestation: true }, orderBy: { createdAt: 'asc' } },
} as const;

type ParticipantRow = Prisma.ParticipantGetPayload<{ include: typeof withKeys }>;
type KeyRow = ParticipantRow['keys'][number];

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

function isForeignKeyViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2003';
}

function toKey(row: KeyRow): ParticipantKey {
  return {
    keyId: row.keyId,
    publicKey: new Uint8Array(row.publicKey),
    validFrom: row.validFrom ?? undefined,
    revokedAt: row.revokedAt ?? undefined,
  };
}

function toParticipant(row: ParticipantRow): Participant {
  return {
    id: row.id,
    name: row.name,
    roles: row.roles,
    companyPrefixes: row.companyPrefixes,
    license: {
      number: row.licenseNumber,
      authority: row.licenseAuthority,
      validUntil: row.licenseValidUntil,
    },
    keys: row.keys.map(toKey),
  };
}

const keyData = (key: NewParticipantKey) => ({
  keyId: key.keyId,
  publicKey: new Uint8Array(key.publicKey),
  validFrom: key.validFrom ?? null,
});

/** The advisory lock of company prefix claims ("custos-pfx" in ASCII). */
const PREFIX_LOCK_KEY = 0x637573746f732d706678n & 0x7fffffffffffffffn;

/**
 * The system setting a version with key attestations (docs/adr/0013) wrote at its first
 * start, when it attested every key row. A database without it predates attestations.
 */
const BACKFILL_SETTING = 'key-attestation-backfill';

/** The advisory lock of the key directory's import ("custos-kdi" in ASCII). */
const IMPORT_LOCK_KEY = 0x637573746f732d6b6469n & 0x7fffffffffffffffn;

/** A participant and its key rows as stored, for the key directory's import. */
export interface StoredParticipant {
  readonly participant: Omit<Participant, 'keys'> & { readonly createdAt: Date };
  readonly keys: readonly (ImportedKey & { readonly attestation: Uint8Array | null })[];
}

/**
 * What the rows of a ledger from before the key directory can show: `attested`, the
 * sealing key's attestation of each row (docs/adr/0013); `as-stored`, nothing, since the
 * ledger predates attestations too (the trust the attestation backfill gave its rows).
 */
export type KeyRowEvidence = 'attested' | 'as-stored';

@Injectable()
export class ParticipantRepository {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly directory: KeyDirectoryRepository,
  ) {}

  /**
   * 'exists' when a participant with this id exists already; the prefix and its holder
   * when one of the company prefixes is, extends or is extended by one another
   * participant holds (checked and inserted under one lock, so two registrations cannot
   * both claim it). The directory records are appended in the same transaction.
   */
  async create(
    participant: NewParticipant,
    records: readonly KeyRecord[],
    sign: SignDirectory,
  ): Promise<'created' | 'exists' | { prefix: string; taken: string; holder: string }> {
    try {
      return await this.storage.prisma.$transaction(async (tx) => {
        if (participant.companyPrefixes.length > 0) {
          await tx.$queryRaw`SELECT pg_advisory_xact_lock(${PREFIX_LOCK_KEY})::text`;
          const clash = await tx.$queryRaw<{ prefix: string; taken: string; holder: string }[]>`
            SELECT n.prefix, x.prefix AS taken, p.id AS holder
              FROM participant p, unnest(p.company_prefixes) AS x(prefix),
                   unnest(${[...participant.companyPrefixes]}::text[]) AS n(prefix)
             WHERE p.id <> ${participant.id}
               AND (starts_with(n.prefix, x.prefix) OR starts_with(x.prefix, n.prefix))
             LIMIT 1`;
          if (clash[0]) return clash[0];
        }
        await this.insert(tx, participant);
        await this.directory.appendIn(tx, records, sign);
        return 'created' as const;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return 'exists';
      throw err;
    }
  }

  private async insert(tx: Prisma.TransactionClient, participant: NewParticipant): Promise<void> {
    await tx.participant.create({
      data: {
        id: participant.id,
        name: participant.name,
        roles: [...participant.roles],
        companyPrefixes: [...participant.companyPrefixes],
        licenseNumber: participant.license.number,
        licenseAuthority: participant.license.authority,
        licenseValidUntil: participant.license.validUntil,
        keys: { create: participant.keys.map(keyData) },
      },
    });
  }

  async find(id: string): Promise<Participant | undefined> {
    const row = await this.storage.prisma.participant.findUnique({
      where: { id },
      include: withKeys,
    });
    return row ? toParticipant(row) : undefined;
  }

  async findMany(ids: readonly string[]): Promise<Participant[]> {
    if (ids.length === 0) return [];
    const rows = await this.storage.prisma.participant.findMany({
      where: { id: { in: [...new Set(ids)] } },
      include: withKeys,
    });
    return rows.map(toParticipant);
  }

  /** The participants holding any of these GS1 Company Prefixes. */
  async findByCompanyPrefix(prefixes: readonly string[]): Promise<Participant[]> {
    if (prefixes.length === 0) return [];
    const rows = await this.storage.prisma.participant.findMany({
      where: { companyPrefixes: { hasSome: [...prefixes] } },
      include: withKeys,
      orderBy: { id: 'asc' },
    });
    return rows.map(toParticipant);
  }

  /** Whether any participant is registered (the start log's hint on an empty store). */
  async any(): Promise<boolean> {
    return (await this.storage.prisma.participant.findFirst({ select: { id: true } })) !== null;
  }

  /** Every GS1 Company Prefix any participant registered. */
  async allCompanyPrefixes(): Promise<string[]> {
    const rows = await this.storage.prisma.$queryRaw<{ prefix: string }[]>`
      SELECT DISTINCT unnest(company_prefixes) AS prefix FROM participant`;
    return rows.map((r) => r.prefix);
  }

  /** 'exists': the participant has a key with this id (revoked or not). */
  async addKey(
    participantId: string,
    key: NewParticipantKey,
    record: KeyRecord,
    sign: SignDirectory,
  ): Promise<'added' | 'exists' | 'no-participant'> {
    try {
      await this.storage.prisma.$transaction(async (tx) => {
        await tx.participantKey.create({ data: { participantId, ...keyData(key) } });
        await this.directory.appendIn(tx, [record], sign);
      });
      return 'added';
    } catch (err) {
      if (isUniqueViolation(err)) return 'exists';
      if (isForeignKeyViolation(err)) return 'no-participant';
      throw err;
    }
  }

  /**
   * Sets revokedAt and appends the directory's
   * revocation record, unless it is set already: the first revocation stands. Announced
   * on KEY_REVOKED_CHANNEL in the same transaction, so replicas hear it once it holds.
   */
  async revokeKey(
    participantId: string,
    keyId: string,
    at: Date,
    record: KeyRecord,
    sign: SignDirectory,
  ): Promise<void> {
    const payload = revocationPayload({ participantId, keyId });
    await this.storage.prisma.$transaction(async (tx) => {
      const { count } = await tx.participantKey.updateMany({
        where: { participantId, keyId, revokedAt: null },
        data: { revokedAt: at },
      });
      if (count === 0) return;
      await this.directory.appendIn(tx, [record], sign);
      await tx.$executeRaw`SELECT pg_notify(${KEY_REVOKED_CHANNEL}, ${payload})`;
    });
  }

  /**
   * At the upgrade of a ledger from before the key directory (docs/adr/0014): when the
   * directory is empty but participants are stored, the records `build` makes of every
   * participant and key row as stored, told what evidence the rows carry; `refuse` decides
   * whether they may be brought in at all (only the operator knows an upgrade from a
   * deleted directory). Returns how many records were appended.
   */
  async importDirectory(
    build: (stored: readonly StoredParticipant[], evidence: KeyRowEvidence) => KeyRecord[],
    refuse: (participants: number) => void,
    sign: SignDirectory,
  ): Promise<number> {
    return this.storage.prisma.$transaction(
      async (tx) => {
        // Replicas starting together: one imports, the others then find the records.
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(${IMPORT_LOCK_KEY})::text`;
        if (!(await this.directory.isEmpty(tx))) return 0;
        const participants = await tx.participant.count();
        if (participants === 0) return 0;
        refuse(participants);
        const attested = await tx.systemSetting.count({ where: { key: BACKFILL_SETTING } });
        const rows = await tx.participant.findMany({
          include: { keys: { orderBy: { createdAt: 'asc' } } },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        });
        const records = build(
          rows.map((row) => {
            const { keys: _keys, ...participant } = toParticipant(row);
            return {
              participant: { ...participant, createdAt: row.createdAt },
              keys: row.keys.map((k) => ({
                ...toKey(k),
                createdAt: k.createdAt,
                attestation: k.attestation ? new Uint8Array(k.attestation) : null,
              })),
            };
          }),
          attested > 0 ? 'attested' : 'as-stored',
        );
        await this.directory.appendIn(tx, records, sign);
        return records.length;
      },
      { timeout: 60_000 },
    );
  }
}
