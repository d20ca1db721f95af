// The session `custos login` stores for the other commands: the server, who signed in
// and the bearer token (short-lived; the key file is remembered so that the CLI can sign
// in again). Mode 0600: the token acts for the participant until it expires.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const SESSION_FORMAT = 'custos-session/v1';

export interface StoredSession {
  readonly format: typeof SESSION_FORMAT;
  readonly url: string;
  readonly participantId: string;
  readonly keyId: string;
  readonly token: string;
  readonly expiresAt: string;
  /** Absolute path of the key file it was made with, if any. */
  readonly keyFile?: string;
}

export function readSession(path: string): StoredSession | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredSession>;
    return value.format === SESSION_FORMAT && typeof value.token === 'string'
      ? (value as StoredSession)
      : undefined;
  } catch {
    return undefined;
  }
}

export function writeSession(path: string, session: StoredSession): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
