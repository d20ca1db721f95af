// What every `custos` command shares: where it writes, the global options (--server,
// --token, --session, --json), which server and token to use, and the exit codes.
//   0  ok
//   1  a check failed, something was rejected, or the server failed or cannot be reached
//   2  usage: an unknown command or option, a missing argument, an unreadable input file
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { CustosClient } from '@custos/sdk/client';
import { loadKey } from '@custos/sdk/key-file';
import type { CustosKey } from '@custos/sdk/keys';
import WebSocket from 'ws';
import type { Session } from '@custos/sdk/types';
import { readSession, type StoredSession, writeSession } from './session-file';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const DEFAULT_SERVER = 'http://127.0.0.1:3000';

export interface CliIo {
  /** One line to standard output. */
  out(line: string): void;
  /** One line to standard error. */
  err(line: string): void;
  /** Raw text to standard error (a progress bar redrawn with \r); ignored when not a TTY. */
  progress?(text: string): void;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** An error the user can act on, with the exit code it ends with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILED,
  ) {
    super(message);
  }
}

export interface GlobalOptions {
  readonly server?: string;
  readonly token?: string;
  readonly session?: string;
  readonly json?: boolean;
}

export class CliContext {
  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {}

  get json(): boolean {
    return this.options.json === true;
  }

  path(file: string): string {
    return isAbsolute(file) ? file : resolve(this.io.cwd, file);
  }

  /** Where `login` stores the session: --session, CUSTOS_SESSION_FILE, .custos/session.json. */
  get sessionFile(): string {
    return this.path(
      this.options.session ?? this.io.env.CUSTOS_SESSION_FILE ?? join('.custos', 'session.json'),
    );
  }

  storedSession(): StoredSession | undefined {
    return readSession(this.sessionFile);
  }

  /** --server, CUSTOS_URL, the server of the stored session, or http://127.0.0.1:3000. */
  get server(): string {
    return (
      this.options.server ?? this.io.env.CUSTOS_URL ?? this.storedSession()?.url ?? DEFAULT_SERVER
    );
  }

  /** A client with --token, CUSTOS_TOKEN or the stored session's token (if any). */
  client(): CustosClient {
    const server = this.server;
    const explicit = this.options.token ?? this.io.env.CUSTOS_TOKEN;
    const token = explicit ?? this.sessionToken(server);
    // With the stored session, its key file signs in again once the token has expired,
    // and the new token replaces the dead one in the session file for the next command.
    const stored = explicit ? undefined : this.storedSession();
    const keyFile = stored?.keyFile;
    let key: CustosKey | undefined;
    if (token && stored && keyFile && existsSync(keyFile)) {
      try {
        key = loadKey(keyFile, { participantId: stored.participantId });
      } catch {
        key = undefined; // the token may still be good; a sign-in failure says why
      }
    }
    const sessionFile = this.sessionFile;
    return new CustosClient({
      url: server,
      ...(token ? { token } : {}),
      ...(key && stored
        ? {
            key,
            onSession: (s: Session) =>
              writeSession(sessionFile, { ...stored, token: s.token, expiresAt: s.expiresAt }),
          }
        : {}),
      webSocketImpl: WebSocket,
    });
  }

  /** A client with no token: `login` signs in with its own key and stores what it chose. */
  anonymousClient(): CustosClient {
    return new CustosClient({ url: this.server, webSocketImpl: WebSocket });
  }

  /** A client that must be signed in; says how when it is not. */
  signedInClient(): CustosClient {
    const client = this.client();
    if (!client.token) {
      throw new CliError(
        `not signed in to ${client.url}: run \`custos login --key <key file>\` first (or pass --token)`,
      );
    }
    return client;
  }

  /**
   * A client with the admin token: --token, CUSTOS_TOKEN, CUSTOS_ADMIN_TOKEN,
   * CUSTOS_ADMIN_TOKEN_FILE, the token an embedded server generated in its data folder
   * (CUSTOS_DATA_DIR, default .custos), or else a stored (regulator's) session.
   */
  adminClient(): CustosClient {
    const env = this.io.env;
    const fromFile = (file: string | undefined) =>
      file && existsSync(this.path(file))
        ? readFileSync(this.path(file), 'utf8').trim()
        : undefined;
    const token =
      this.options.token ??
      env.CUSTOS_TOKEN ??
      env.CUSTOS_ADMIN_TOKEN ??
      fromFile(env.CUSTOS_ADMIN_TOKEN_FILE) ??
      fromFile(join(env.CUSTOS_DATA_DIR ?? '.custos', 'secrets', 'admin-token')) ??
      this.sessionToken(this.server);
    if (!token) {
      throw new CliError(
        'no admin token: pass --token, set CUSTOS_ADMIN_TOKEN, or run where the server keeps its data (.custos/secrets/admin-token)',
      );
    }
    return new CustosClient({ url: this.server, token, webSocketImpl: WebSocket });
  }

  private sessionToken(server: string): string | undefined {
    const session = this.storedSession();
    return session && sameServer(session.url, server) ? session.token : undefined;
  }

  /** Text lines, or with --json the value as one line of JSON. */
  print(value: unknown, text: () => readonly string[]): void {
    if (this.json) this.io.out(JSON.stringify(value));
    else for (const line of text()) this.io.out(line);
  }
}

function sameServer(a: string, b: string): boolean {
  const norm = (u: string) => u.replace(/\/+$/, '').replace(/\/graphql$/, '');
  return norm(a) === norm(b);
}

/** What main.ts gives each command file: its context, and an action wrapper that keeps the exit code. */
export interface CliApp {
  act<A extends unknown[]>(
    fn: (ctx: CliContext, ...args: A) => number | Promise<number>,
  ): (...args: A) => Promise<void>;
}
