// Signed-in requests do not read the database to learn whether their session holds
// (libs/participants/src/session-participants.ts, issue 17), yet a revoked key's sessions
// still end at once: in the revoking replica at the next request, in another replica as soon
// as PostgreSQL's NOTIFY reaches it — and while the LISTEN connection is lost, nothing is
// kept. Two API replicas of one database run in this process, as two Nest applications with
// their own connections; the LISTEN connection is killed with pg_terminate_backend.
import { gql, type GraphQLClient } from 'graphql-request';
import { Client } from 'pg';
import { SessionParticipants } from '../../libs/participants/src/session-participants';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { LedgerWorld, type Party } from '../fixtures/ledger-world';
import { failure, gln } from '../participants';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import { until } from '../until';

const ADMIN_TOKEN = 'session-memory-e2e-admin-token-0123456789abcdef';
const LEDGER_KEY = gql`
  {
    ledgerKey
  }
`;
const REVOKE = gql`
  mutation ($id: ID!, $keyId: ID!) {
    revokeParticipantKey(participantId: $id, keyId: $keyId) {
      id
    }
  }
`;

/** The session's code on `client`'s next request: 'OK' or the refusal's code. */
async function sessionCode(client: GraphQLClient): Promise<string> {
  const answer = client.request(LEDGER_KEY);
  if (
    await answer.then(
      () => true,
      () => false,
    )
  )
    return 'OK';
  return String((await failure(answer)).code);
}

describe('sessions kept in memory end when their key is revoked', () => {
  let db: TestDatabase;
  let sql: Client;
  let replicaA: RunningApp;
  let replicaB: RunningApp;
  let worldA: LedgerWorld;
  let worldB: LedgerWorld;
  let memoryA: SessionParticipants;
  let serial = 0;

  /** A pharmacy registered through B, signed in and known to A's memory. */
  async function pharmacyKnownToA(): Promise<Party & { client: GraphQLClient }> {
    serial += 1;
    const party = await worldB.register(gln(`95060005${serial}`), `Pharmacy ${serial}`, [
      'DISPENSER',
    ]);
    const client = await worldA.signIn(party);
    expect(await sessionCode(client)).toBe('OK');
    expect(await sessionCode(client)).toBe('OK');
    return { ...party, client };
  }

  beforeAll(async () => {
    db = await createTestDatabase('session_memory');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const prefix = testQueuePrefix('session_memory');
    const env = { CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN, CUSTOS_ROLE: 'api' };
    replicaA = await startApp(serverConfig(db, prefix, env), { logger: false });
    replicaB = await startApp(serverConfig(db, prefix, env), { logger: false });
    worldA = new LedgerWorld(replicaA.url, ADMIN_TOKEN);
    worldB = new LedgerWorld(replicaB.url, ADMIN_TOKEN);
    memoryA = replicaA.app.get(SessionParticipants);
  });
  afterAll(async () => {
    await replicaA?.stop();
    await replicaB?.stop();
    await sql?.end();
    await db?.drop();
  });

  it('answers a signed-in request from memory: a row changed behind its back is not read', async () => {
    const pharmacy = await pharmacyKnownToA();
    expect(memoryA.size).toBeGreaterThan(0);
    // Revoked in SQL, without the NOTIFY the application sends: the kept row still holds.
    await sql.query(`UPDATE participant_key SET revoked_at = now() WHERE participant_id = $1`, [
      pharmacy.id,
    ]);
    expect(await sessionCode(pharmacy.client)).toBe('OK');
    memoryA.clear();
    expect(await sessionCode(pharmacy.client)).toBe('KEY_REVOKED');
  });

  it('refuses the next request at once when the key is revoked in the same replica', async () => {
    const pharmacy = await pharmacyKnownToA();
    await worldA.admin.request(REVOKE, { id: pharmacy.id, keyId: pharmacy.keyId });
    expect(await sessionCode(pharmacy.client)).toBe('KEY_REVOKED');
  });

  it('refuses requests soon after the key is revoked in another replica (NOTIFY), long before rows expire', async () => {
    const pharmacy = await pharmacyKnownToA();
    const revoked = Date.now();
    await worldB.admin.request(REVOKE, { id: pharmacy.id, keyId: pharmacy.keyId });
    await until(
      'replica A refuses the revoked session',
      async () => (await sessionCode(pharmacy.client)) === 'KEY_REVOKED',
    );
    expect(Date.now() - revoked).toBeLessThan(10_000); // rows are kept 30 s
  });

  it('keeps nothing while the LISTEN connection is lost, and again once it is back', async () => {
    const pharmacy = await pharmacyKnownToA();
    const { rowCount } = await sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query = 'LISTEN "custos_key_revoked"'`,
    );
    expect(rowCount).toBeGreaterThanOrEqual(1); // A's memory's (and any other replica's)
    await until('replica A forgets what it kept', () => memoryA.size === 0, 5_000);
    // While it does not hear revocations, A reads the row on every request.
    await sql.query(`UPDATE participant_key SET revoked_at = now() WHERE participant_id = $1`, [
      pharmacy.id,
    ]);
    expect(await sessionCode(pharmacy.client)).toBe('KEY_REVOKED');

    // Back (reopened within a second or so): rows are kept again and NOTIFY is heard.
    const other = await worldB.register(gln('950600059'), 'Pharmacy back', ['DISPENSER']);
    const client = await worldA.signIn(other);
    await until('replica A keeps rows again', async () => {
      await sessionCode(client);
      return memoryA.size > 0;
    });
    await worldB.admin.request(REVOKE, { id: other.id, keyId: other.keyId });
    await until(
      'replica A hears the revocation after reconnecting',
      async () => (await sessionCode(client)) === 'KEY_REVOKED',
    );
  });
});
