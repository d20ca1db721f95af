// Ingest on the real PostgreSQL and Redis: a Nest context with the core, participants and
// events modules on this test file's own database and queue prefix, participants and keys
// registered (and revoked) by the admin through ParticipantService, so that the key
// directory holds their records as in production, and events signed the way a client signs
// them.
import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { CoreModule } from '../../libs/core/src/core.module';
import type { Config } from '../../libs/core/src/config/config';
import type { Storage } from '../../libs/core/src/database/storage';
import { STORAGE } from '../../libs/core/src/tokens';
import type { Principal } from '../../libs/core/src/auth/principal';
import { EventsModule } from '../../libs/events/src/events.module';
import { ParticipantsModule } from '../../libs/participants/src/participants.module';
import { ParticipantService } from '../../libs/participants/src/participant.service';
import { IngestService } from '../../libs/events/src/ingest.service';
import type { SignedEventSubmission } from '../../libs/events/src/submission';
import { gs1CheckDigit } from '../../libs/gs1/src/check-digit';
import { publicKeyOf, randomSecretKey } from '../../libs/ledger/src/ed25519';
import { signEvent } from '../../libs/ledger/src/events';
import { bytesToBase64Url } from '../../libs/ledger/src/bytes';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

export const withCheck = (body: string) => `${body}${gs1CheckDigit(body)}`;
export const gln = (n: number) => withCheck(`950600${String(n).padStart(6, '0')}`);
/** GTIN-14 under company prefix 9506000 (or `prefix`). */
export const gtin = (item = 13435, prefix = '9506000') =>
  withCheck(`0${prefix}${String(item).padStart(12 - prefix.length, '0')}`);
export const unit = (serial: string, g = gtin()) => `https://id.gs1.org/01/${g}/21/${serial}`;
export const sscc = (n: number) => withCheck(`09506000${String(n).padStart(9, '0')}`);
export const ssccUri = (n: number) => `https://id.gs1.org/00/${sscc(n)}`;

export type Role = 'MANUFACTURER' | 'DISTRIBUTOR' | 'DISPENSER' | 'REGULATOR';

export interface Party {
  readonly id: string;
  readonly keyId: string;
  readonly secretKey: Uint8Array;
}

export type EventBody = Record<string, unknown>;

const ADMIN: Principal = { kind: 'admin' };

export class IngestFixture {
  private constructor(
    readonly db: TestDatabase,
    readonly module: TestingModule,
    readonly storage: Storage,
    readonly ingest: IngestService,
  ) {}

  static async start(label: string, env: Record<string, string> = {}): Promise<IngestFixture> {
    const db = await createTestDatabase(label);
    const config: Config = serverConfig(db, testQueuePrefix(label), env);
    const module = await Test.createTestingModule({
      imports: [CoreModule.forRoot(config), ParticipantsModule, EventsModule],
    }).compile();
    await module.init();
    return new IngestFixture(db, module, module.get<Storage>(STORAGE), module.get(IngestService));
  }

  async stop(): Promise<void> {
    await this.module.close();
    await this.db.drop();
  }

  /** Inserts a participant with one fresh Ed25519 key. */
  async participant(
    id: string,
    roles: Role[],
    options: {
      companyPrefixes?: string[];
      licenseValidUntil?: Date;
      keyId?: string;
      validFrom?: Date | null;
      revokedAt?: Date | null;
    } = {},
  ): Promise<Party> {
    const secretKey = randomSecretKey();
    const keyId = options.keyId ?? `k-${id}`;
    const participants = this.module.get(ParticipantService);
    await participants.register(
      {
        id,
        name: `Participant ${id}`,
        roles,
        companyPrefixes: options.companyPrefixes ?? [],
        license: {
          number: `L-${id}`,
          authority: 'Test authority',
          validUntil: (options.licenseValidUntil ?? new Date('2099-01-01T00:00:00Z')).toISOString(),
        },
        keys: [
          {
            keyId,
            publicKey: bytesToBase64Url(publicKeyOf(secretKey)),
            validFrom: options.validFrom?.toISOString() ?? null,
          },
        ],
      },
      ADMIN,
    );
    if (options.revokedAt) await participants.revokeKey(id, keyId, ADMIN, {}, options.revokedAt);
    return { id, keyId, secretKey };
  }

  /** Runs SQL that returns rows (assertions on what was stored). */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
    return this.storage.prisma.$queryRawUnsafe<T[]>(sql, ...params);
  }
}

let clock = Date.parse('2026-01-05T10:00:00Z');
/** An RFC 3339 instant a second after the previous one (in the past). */
export function nextTime(): string {
  clock += 1000;
  return new Date(clock).toISOString().replace('.000Z', 'Z');
}

/** An event by `party` with a fresh eventId and eventTime, signed by its key. */
export function signed(party: Party, body: EventBody): SignedEventSubmission {
  const event = { eventId: randomUUID(), actor: party.id, eventTime: nextTime(), ...body };
  return { event, keyId: party.keyId, signature: signEvent(event, party.secretKey) };
}

export function resign(party: Party, event: EventBody): SignedEventSubmission {
  return { event, keyId: party.keyId, signature: signEvent(event, party.secretKey) };
}

export const b64u = bytesToBase64Url;
