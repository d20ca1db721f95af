// `npm start` with neither DATABASE_URL nor REDIS_URL: the built product runs on its
// embedded defaults in a data folder, stops cleanly on SIGTERM, and finds its data again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLClient, gql } from 'graphql-request';
import { gln, newKey, participantInput, type ParticipantView, register } from '../participants';
import { startProduct } from '../product';
import { tempDir } from '../storage';

describe('embedded mode (no server installed)', () => {
  const dir = tempDir('restart');
  afterAll(() => dir.remove());

  it('serves /health and /graphql, exits 0 on SIGTERM, and keeps its data across a restart', async () => {
    const env = { CUSTOS_DATA_DIR: dir.path };
    const first = await startProduct(env);
    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
    const info = await new GraphQLClient(`${first.url}/graphql`).request<{
      serverInfo: { database: string; queue: string };
    }>(gql`
      {
        serverInfo {
          database
          queue
        }
      }
    `);
    expect(info.serverInfo).toEqual({ database: 'PGLITE', queue: 'POSTGRESQL' });
    expect(first.output()).toContain('applied migration');
    expect(first.output()).toContain('generated an admin token');
    const tokenFile = join(dir.path, 'secrets', 'admin-token');
    const token = readFileSync(tokenFile, 'utf8');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The generated token is the admin's: it registers a participant.
    const key = newKey('k1');
    const admin = (url: string) =>
      new GraphQLClient(`${url}/graphql`, { headers: { authorization: `Bearer ${token}` } });
    const registered = await register(
      admin(first.url),
      participantInput(gln(950600000777), ['DISPENSER'], [key]),
    );
    await expect(first.stop('SIGTERM')).resolves.toBe(0);

    const second = await startProduct(env);
    try {
      expect((await fetch(`${second.url}/health`)).status).toBe(200);
      expect(second.output()).not.toContain('applied migration');
      expect(second.output()).toContain(`using the admin token kept in ${tokenFile}`);
      expect(readFileSync(tokenFile, 'utf8')).toBe(token);
      const read = await admin(second.url).request<{ participant: ParticipantView }>(
        gql`
          query ($id: ID!) {
            participant(id: $id) {
              id
              name
              roles
              keys {
                keyId
                publicKey
              }
            }
          }
        `,
        { id: registered.id },
      );
      expect(read.participant).toEqual({
        id: registered.id,
        name: registered.name,
        roles: ['DISPENSER'],
        keys: [{ keyId: 'k1', publicKey: key.publicKey }],
      });
    } finally {
      await expect(second.stop('SIGTERM')).resolves.toBe(0);
    }
  });

  it('refuses to start with a malformed variable, naming it', async () => {
    await expect(
      startProduct({ CUSTOS_DATA_DIR: dir.path, SEAL_MAX_WAIT_MS: 'soon' }, 20_000),
    ).rejects.toThrow(
      /exited with 1 before starting:\s+custos: invalid configuration:\s+SEAL_MAX_WAIT_MS: expected an integer from 1 to 3600000, got "soon"/,
    );
  });
});
