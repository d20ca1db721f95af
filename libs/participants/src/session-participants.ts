// The participants that signed-in requests name, kept in this process's memory so that a
// request does not read the database to learn whether its session still holds (issue 17:
// that read capped every authenticated request at ~600/s). What could make a kept row
// wrong ends it at once:
// - a key revoked here: ParticipantService forgets the participant in the same call;
// - a key revoked in another replica: its transaction NOTIFYs KEY_REVOKED_CHANNEL, which
//   this process LISTENs to; the participant is forgotten when the notification arrives;
// - the LISTEN connection lost: everything is forgotten, and nothing is kept until it
//   listens again (a revocation announced meanwhile would not be heard).
// A lookup that started before a forget never stores what it read (a generation count).
// Rows are kept at most `ttlMs`, so anything the application does not announce (none of its
// own writes; an edit behind its back) is seen within that time. Only sessions read this:
// verdicts re-verify keys from the signed record, never from here.
import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import type { Storage, Unlisten } from '@custos/core/database/storage';
import { BoundedMap } from '@custos/core/memory/bounded-map';
import { STORAGE } from '@custos/core/tokens';
import { KEY_REVOKED_CHANNEL, parseRevocation } from './key-revocations';
import type { Participant } from './participant';
import { ParticipantRepository } from './participant.repository';

const DEFAULT_TTL_MS = 30_000;
const DEFAULT_MAX_ENTRIES = 10_000;

interface Kept {
  readonly participant: Participant;
  readonly until: number;
}

/** Where SessionParticipants reads a participant it does not keep: ParticipantRepository. */
export interface ParticipantLookup {
  find(id: string): Promise<Participant | undefined>;
}

/** How long and how many participants are kept (tests shorten them). */
export interface SessionMemoryLimits {
  readonly ttlMs?: number;
  readonly maxEntries?: number;
}
export const SESSION_MEMORY_LIMITS = Symbol('SESSION_MEMORY_LIMITS');

/** The part of Storage this needs. */
export type Notifications = Pick<Storage, 'listen'>;

@Injectable()
export class SessionParticipants implements OnModuleDestroy {
  private readonly logger = new Logger('Sessions');
  private readonly kept: BoundedMap<string, Kept>;
  /** Counts forgets: a lookup stores its row only if none happened while it ran. */
  private generation = 0;
  private listening: Promise<Unlisten> | undefined;
  /** True while revocations are heard. */
  private heard = false;

  constructor(
    @Inject(STORAGE) private readonly notifications: Notifications,
    @Inject(ParticipantRepository) private readonly lookup: ParticipantLookup,
    @Optional()
    @Inject(SESSION_MEMORY_LIMITS)
    private readonly options: SessionMemoryLimits = {},
  ) {
    this.kept = new BoundedMap(options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  }

  /** The participant as stored, from memory when that is known to be current. */
  async find(id: string, now = Date.now()): Promise<Participant | undefined> {
    const hit = this.kept.get(id);
    if (hit && hit.until > now) return hit.participant;
    if (hit) this.kept.delete(id);
    await this.listen();
    const generation = this.generation;
    const participant = await this.lookup.find(id);
    if (participant && this.heard && generation === this.generation) {
      this.kept.set(id, { participant, until: now + (this.options.ttlMs ?? DEFAULT_TTL_MS) });
    }
    return participant;
  }

  /** Forgets `id` (its keys changed); lookups in flight store nothing. */
  forget(id: string): void {
    this.generation++;
    this.kept.delete(id);
  }

  /** Forgets everyone; lookups in flight store nothing. */
  clear(): void {
    this.generation++;
    this.kept.clear();
  }

  /** How many participants are kept. */
  get size(): number {
    return this.kept.size;
  }

  async onModuleDestroy(): Promise<void> {
    const unlisten = await this.listening?.catch(() => undefined);
    this.listening = undefined;
    this.heard = false;
    this.clear();
    await unlisten?.();
  }

  /** Starts listening once; while it cannot, nothing is kept and every lookup reads. */
  private async listen(): Promise<void> {
    this.listening ??= this.notifications
      .listen(
        KEY_REVOKED_CHANNEL,
        (payload) => {
          const revocation = parseRevocation(payload);
          if (revocation) this.forget(revocation.participantId);
          else this.clear();
        },
        {
          onLost: () => {
            this.heard = false;
            this.clear();
          },
          onReconnect: () => {
            this.clear();
            this.heard = true;
          },
        },
      )
      .then((unlisten) => {
        this.heard = true;
        return unlisten;
      });
    try {
      await this.listening;
    } catch (err) {
      this.listening = undefined; // tried again at the next lookup
      this.logger.warn(
        `not listening for key revocations (${err instanceof Error ? err.message : String(err)}): every session is checked against the database`,
      );
    }
  }
}
