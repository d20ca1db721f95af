// An open alertRaised stream lives no longer than its session (issue 12): it is closed
// with 4401 when the session token expires, and with 4403 when the key it was signed in
// with is revoked — here in another API replica on the same database (this process runs
// both, as two Nest applications with their own connections; the revocation reaches the
// socket's replica through PostgreSQL NOTIFY). Real graphql-ws clients over WebSocket.
import { gql } from 'graphql-request';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { SessionService } from '../../libs/core/src/auth/session.service';
import { SocketSessions } from '../../apps/api/src/graphql/socket-sessions';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { LedgerWorld, type Party } from '../fixtures/ledger-world';
import { gln } from '../participants';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import { until } from '../until';

const ADMIN_TOKEN = 'subscription-session-e2e-admin-token-0123456789abcdef';
const ALERT_RAISED = 'subscription { alertRaised { id code } }';

interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** A subscribed alertRaised stream and how its socket closed, once it has. */
function subscribe(url: string, token: string): { client: Client; closed: Promise<Closed> } {
  let onClosed: (closed: Closed) => void = () => {};
  const closed = new Promise<Closed>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: Buffer | string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  client.subscribe(
    { query: ALERT_RAISED },
    { next: () => {}, error: () => {}, complete: () => {} },
  );
  return { client, closed };
}

/** Resolves with the close, or with 'open' if the socket is still open after `ms`. */
const within = (closed: Promise<Closed>, ms: number) =>
  Promise.race([closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms))]);

describe('alertRaised ends with its session', () => {
  let db: TestDatabase;
  let replicaA: RunningApp;
  let replicaB: RunningApp;
  let worldA: LedgerWorld;
  let worldB: LedgerWorld;
  let agency: Party;
  let otherAgency: Party;
  const clients: Client[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('subscription_session');
    const prefix = testQueuePrefix('subscription_session');
    const env = { CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN, CUSTOS_ROLE: 'api' };
    replicaA = await startApp(serverConfig(db, prefix, env), { logger: false });
    replicaB = await startApp(serverConfig(db, prefix, env), { logger: false });
    worldA = new LedgerWorld(replicaA.url, ADMIN_TOKEN);
    worldB = new LedgerWorld(replicaB.url, ADMIN_TOKEN);
    agency = await worldB.register(gln(9506000401), 'Agency', ['REGULATOR']);
    otherAgency = await worldB.register(gln(9506000402), 'Other agency', ['REGULATOR']);
    await worldA.signIn(agency);
    await worldA.signIn(otherAgency);
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await replicaA?.stop();
    await replicaB?.stop();
    await db?.drop();
  });

  it('closes the socket with 4403 when its key is revoked in another replica, and only that one', async () => {
    const sessions = replicaA.app.get(SocketSessions);
    const revoked = subscribe(replicaA.url, agency.token!);
    const kept = subscribe(replicaA.url, otherAgency.token!);
    clients.push(revoked.client, kept.client);
    await until('both sockets watched', () => sessions.watchedCount === 2);

    await worldB.admin.request(
      gql`
        mutation ($id: ID!, $keyId: ID!) {
          revokeParticipantKey(participantId: $id, keyId: $keyId) {
            id
          }
        }
      `,
      { id: agency.id, keyId: agency.keyId },
    );
    await expect(within(revoked.closed, 10_000)).resolves.toEqual({
      code: 4403,
      reason: 'key revoked: sign in with another key',
    });
    await expect(within(kept.closed, 500)).resolves.toBe('open');
    expect(sessions.watchedCount).toBe(1);
  });

  it('closes the socket with 4401 when the session token expires', async () => {
    // A session issued as if long ago, so that it has three seconds left.
    const ttlSeconds = 900; // CUSTOS_SESSION_TTL_SECONDS's default
    const session = await replicaA.app.get(SessionService).issue(otherAgency.id, ['REGULATOR'], {
      keyId: otherAgency.keyId,
      now: new Date(Date.now() - (ttlSeconds - 3) * 1000),
    });
    const expiring = subscribe(replicaA.url, session.token);
    clients.push(expiring.client);
    const started = Date.now();
    await expect(within(expiring.closed, 10_000)).resolves.toEqual({
      code: 4401,
      reason: 'session expired: sign in again',
    });
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(6);
  });
});
