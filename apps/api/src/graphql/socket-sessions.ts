// A subscription lives no longer than the session it was opened with (issue 12). A socket
// that connects with a live session token is watched: at the token's expiry it is closed
// with 4401, and when the key the session was signed in with is revoked — in any replica:
// the revocation is announced on KEY_REVOKED_CHANNEL (libs/participants/src/key-revocations.ts)
// and this process LISTENs — it is closed with 4403. After the LISTEN connection was lost
// and is back, every watched session is checked again against the database, so a
// revocation announced meanwhile is not missed. The admin token neither expires nor has a key.
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { decodeJwt } from 'jose';
import type { Storage, Unlisten } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import { KEY_REVOKED_CHANNEL, parseRevocation } from '@custos/participants/key-revocations';
import { BearerAuthenticator } from '../auth/bearer-authenticator';

/** Close codes (graphql-ws leaves 4400–4499 to the server; these mirror HTTP 401 and 403). */
export const SESSION_EXPIRED_CLOSE = 4401;
export const KEY_REVOKED_CLOSE = 4403;

/** The part of a WebSocket this needs (ws's WebSocket). */
export interface ClosableSocket {
  close(code: number, reason: string): void;
}

interface Watched {
  readonly socket: ClosableSocket;
  readonly authorization: string;
  readonly participantId: string;
  readonly keyId: string | undefined;
  readonly timer: NodeJS.Timeout | undefined;
}

@Injectable()
export class SocketSessions implements OnModuleDestroy {
  private readonly logger = new Logger('Subscriptions');
  private readonly watched = new Set<Watched>();
  private listening: Promise<Unlisten> | undefined;

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly bearer: BearerAuthenticator,
  ) {}

  /**
   * Watches `socket` if `authorization` is a live participant session; resolves once a
   * revocation would be heard. A token that is not live is left to the guard, which
   * refuses each operation with its code.
   */
  async watch(socket: ClosableSocket, authorization: unknown): Promise<void> {
    if (typeof authorization !== 'string') return;
    await this.listen(); // first: a revocation committed from now on is heard
    let principal;
    try {
      principal = await this.bearer.principalOf(authorization);
    } catch {
      return;
    }
    if (principal?.kind !== 'participant') return;
    const exp = decodeJwt(authorization.replace(/^Bearer\s+/i, '')).exp;
    const watched: Watched = {
      socket,
      authorization,
      participantId: principal.id,
      keyId: principal.keyId,
      timer:
        typeof exp === 'number'
          ? setTimeout(
              () => this.close(watched, SESSION_EXPIRED_CLOSE, 'session expired: sign in again'),
              Math.max(0, exp * 1000 - Date.now()),
            ).unref()
          : undefined,
    };
    this.watched.add(watched);
  }

  /** Forgets `socket` (it closed). */
  forget(socket: ClosableSocket): void {
    for (const watched of this.watched) {
      if (watched.socket === socket) this.drop(watched);
    }
  }

  get watchedCount(): number {
    return this.watched.size;
  }

  private listen(): Promise<Unlisten> {
    this.listening ??= this.storage
      .listen(KEY_REVOKED_CHANNEL, (payload) => this.revoked(payload), {
        onReconnect: () => void this.recheck(),
      })
      .catch((err: unknown) => {
        this.listening = undefined;
        throw err;
      });
    return this.listening;
  }

  private revoked(payload: string): void {
    const revocation = parseRevocation(payload);
    if (!revocation) return;
    for (const watched of this.watched) {
      if (
        watched.participantId === revocation.participantId &&
        watched.keyId === revocation.keyId
      ) {
        this.close(watched, KEY_REVOKED_CLOSE, 'key revoked: sign in with another key');
      }
    }
  }

  /** After a lost LISTEN connection: what the database says of every watched session. */
  private async recheck(): Promise<void> {
    for (const watched of [...this.watched]) {
      try {
        await this.bearer.principalOf(watched.authorization);
      } catch {
        this.close(watched, KEY_REVOKED_CLOSE, 'session ended: sign in again');
      }
    }
  }

  private close(watched: Watched, code: number, reason: string): void {
    this.drop(watched);
    this.logger.log(`closing a subscription socket of ${watched.participantId}: ${reason}`);
    watched.socket.close(code, reason);
  }

  private drop(watched: Watched): void {
    clearTimeout(watched.timer);
    this.watched.delete(watched);
  }

  async onModuleDestroy(): Promise<void> {
    for (const watched of [...this.watched]) this.drop(watched);
    const unlisten = await this.listening?.catch(() => undefined);
    this.listening = undefined;
    await unlisten?.();
  }
}
