import type { Config } from '../config/config';
import { DomainError } from '../errors/domain-error';
import type { SecretsService } from '../system/secrets.service';
import { SessionService } from './session.service';

function sessions(ttlSeconds: number): SessionService {
  const config = {
    role: 'all',
    sessionSecret: 'session-service-spec-secret-0123456789abcdef',
    sessionTtlSeconds: ttlSeconds,
  } as unknown as Config;
  return new SessionService(config, {} as SecretsService); // the secret is set: no store read
}

async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    if (err instanceof DomainError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('SessionService.verify remembers verified tokens until they expire', () => {
  it('believes a verified token again, with what it says', async () => {
    const service = sessions(60);
    const { token } = await service.issue('0950600000019', ['DISPENSER'], { keyId: 'k1' });
    const first = await service.verify(token);
    expect(first).toEqual({
      kind: 'participant',
      id: '0950600000019',
      roles: ['DISPENSER'],
      keyId: 'k1',
    });
    expect(await service.verify(token)).toEqual(first);
  });

  it('refuses a remembered token from its expiry on', async () => {
    const service = sessions(60);
    const { token, expiresAt } = await service.issue('0950600000019', ['DISPENSER']);
    const exp = Math.floor(expiresAt.getTime() / 1000) * 1000; // the token's exp claim, in ms
    await service.verify(token);
    expect(await service.verify(token, exp - 1)).toMatchObject({
      kind: 'participant',
    });
    expect(await refusal(service.verify(token, exp))).toBe(
      'UNAUTHENTICATED: the session has expired: sign in again',
    );
    // forgotten, and still refused (now by the token's own exp claim)
    expect(await refusal(service.verify(token, exp + 60_000))).toMatch(/^UNAUTHENTICATED/);
  });

  it('refuses a token that expired before it was ever verified', async () => {
    const service = sessions(1);
    const { token } = await service.issue('0950600000019', ['DISPENSER'], {
      now: new Date(Date.now() - 5_000),
    });
    expect(await refusal(service.verify(token))).toBe(
      'UNAUTHENTICATED: the session has expired: sign in again',
    );
  });

  it('remembers exact tokens only: one changed character is verified, and refused', async () => {
    const service = sessions(60);
    const { token } = await service.issue('0950600000019', ['DISPENSER']);
    await service.verify(token);
    // The first character of the MAC: all six of its bits are the MAC's (the last one's low
    // bits are base64url padding, and changing only those leaves the same bytes).
    const at = token.lastIndexOf('.') + 1;
    const changed = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    expect(await refusal(service.verify(changed))).toBe(
      'UNAUTHENTICATED: the bearer token is not a valid Custos session',
    );
    // The same bytes spelt otherwise: its padding bits set. Only the issued spelling is a session.
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const padded = alphabet[alphabet.indexOf(last) | 0b11]!;
    expect(padded).not.toBe(last); // issued MACs are canonical: their padding bits are zero
    const respelt = token.slice(0, -1) + padded;
    expect(Buffer.from(respelt.slice(at), 'base64url')).toEqual(
      Buffer.from(token.slice(at), 'base64url'),
    );
    expect(await refusal(sessions(60).verify(respelt))).toBe(
      'UNAUTHENTICATED: the bearer token is not a valid Custos session',
    );
    const other = sessions(60);
    expect(await refusal(other.verify(token.replace(/\.[^.]*$/, '.' + 'x'.repeat(43))))).toMatch(
      /^UNAUTHENTICATED/,
    );
  });
});
