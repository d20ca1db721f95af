// alertRaised across processes, on the real PostgreSQL and Redis: two API replicas on one
// database — this test's own process and the built product (`dist/`, run as
// CUSTOS_ROLE=api). Two regulators subscribe over graphql-ws to this process; alerts are
// raised in the other one (dispenses of units never commissioned through submitEvents,
// a COUNTERFEIT verifyPackage) and in this one. Each subscriber gets every alert exactly
// once, and nothing else. With `since`, a subscriber first gets the alerts already
// committed, then one committed after it subscribed by a transaction begun before, then
// new ones, each once. Needs `npm run build` first (npm test builds).
import { gql } from 'graphql-request';
import { AlertListener } from '../../libs/regulators/src/alert-listener.service';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { LedgerWorld, type Party, unitUri } from '../fixtures/ledger-world';
import { gln } from '../participants';
import { startProduct, type Product } from '../product';
import {
  createTestDatabase,
  serverConfig,
  testQueuePrefix,
  testRedisUrl,
  testSecrets,
  type TestDatabase,
} from '../storage';
import { holdAlert } from '../held-alert';
import { collect, wsClient } from './ws-client';

const ADMIN_TOKEN = 'alert-raised-e2e-admin-token-0123456789abcdef';
const SESSION_SECRET = 'alert-raised-e2e-session-secret-0123456789abcdef';

const ALERT_RAISED = `subscription {
  alertRaised { id code severity identifier eventId raisedAt }
}`;
interface AlertPayload {
  alertRaised: { id: string; code: string; severity: string; identifier: string | null };
}

describe('alertRaised across two API processes', () => {
  let db: TestDatabase;
  let here: RunningApp;
  let other: Product;
  let worldHere: LedgerWorld;
  let worldOther: LedgerWorld;
  let pharmacy: Party;
  let regulatorA: Party;
  let regulatorB: Party;

  beforeAll(async () => {
    db = await createTestDatabase('alert_raised');
    const prefix = testQueuePrefix('alert_raised');
    const env = {
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
      CUSTOS_SESSION_SECRET: SESSION_SECRET,
      CUSTOS_ROLE: 'api',
    };
    here = await startApp(serverConfig(db, prefix, env), { logger: false });
    other = await startProduct({
      ...testSecrets(db),
      ...env,
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl,
      CUSTOS_QUEUE_PREFIX: prefix,
    });
    worldHere = new LedgerWorld(here.url, ADMIN_TOKEN);
    worldOther = new LedgerWorld(other.url, ADMIN_TOKEN);
    pharmacy = await worldOther.register(gln(9506000301), 'Pharmacy', ['DISPENSER']);
    regulatorA = await worldOther.register(gln(9506000302), 'Agency A', ['REGULATOR']);
    regulatorB = await worldOther.register(gln(9506000303), 'Agency B', ['REGULATOR']);
    await worldHere.signIn(regulatorA);
    await worldHere.signIn(regulatorB);
  });
  afterAll(async () => {
    await other?.stop();
    await here?.stop();
    await db?.drop();
  });

  it('delivers every alert raised in either process exactly once to each subscriber', async () => {
    const a = collect<AlertPayload>(wsClient(here.url, regulatorA.token), ALERT_RAISED);
    const b = collect<AlertPayload>(wsClient(here.url, regulatorB.token), ALERT_RAISED);
    // Both subscriptions registered here, and this process LISTENing (a subscribe awaits it).
    const listener = here.app.get(AlertListener);
    const deadline = Date.now() + 10_000;
    while (listener.subscriberCount < 2) {
      if (Date.now() > deadline) throw new Error('the subscriptions did not arrive');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const probe = await listener.subscribe();
    await probe.return?.();

    const before = new Date(Date.now() - 1000).toISOString();
    // In the other process: three dispenses of units nobody commissioned (one alert each) ...
    for (const serial of ['X1', 'X2', 'X3']) {
      await worldOther.act(pharmacy, 'DISPENSE', { items: [unitUri(serial)] });
    }
    // ... and a scan that ends COUNTERFEIT;
    const pharmacyOther = pharmacy.client!;
    await pharmacyOther.request(
      gql`
        query ($code: String!) {
          verifyPackage(code: $code) {
            verdict
          }
        }
      `,
      { code: unitUri('X9') },
    );
    // in this process: one more dispense.
    const pharmacyHere = new LedgerWorld(here.url, ADMIN_TOKEN);
    await pharmacyHere.act({ ...pharmacy, client: undefined, token: undefined }, 'DISPENSE', {
      items: [unitUri('X4')],
    });

    // What was raised, as the alerts query reads it.
    const { alerts } = await regulatorA.client!.request<{
      alerts: { edges: { node: { id: string; identifier: string; code: string } }[] };
    }>(
      gql`
        query ($since: String) {
          alerts(first: 50, since: $since) {
            edges {
              node {
                id
                identifier
                code
              }
            }
          }
        }
      `,
      { since: before },
    );
    const raised = alerts.edges.map((e) => e.node.id).sort();
    expect(raised).toHaveLength(5);
    expect(new Set(alerts.edges.map((e) => e.node.identifier))).toEqual(
      new Set(['X1', 'X2', 'X3', 'X9', 'X4'].map((s) => unitUri(s))),
    );

    await a.until(raised.length);
    await b.until(raised.length);
    // Nothing more arrives: no alert twice.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const subscriber of [a, b]) {
      expect(subscriber.items.map((p) => p.alertRaised.id).sort()).toEqual(raised);
      expect(subscriber.items.every((p) => p.alertRaised.code === 'UNKNOWN_IDENTIFIER')).toBe(true);
    }
    a.stop();
    b.stop();
  });

  it('refuses alertRaised to a trading partner and to an anonymous socket, with the HTTP error codes', async () => {
    await worldHere.signIn(pharmacy);
    const asPharmacy = collect<AlertPayload>(wsClient(here.url, pharmacy.token), ALERT_RAISED);
    await expect(asPharmacy.ended).rejects.toThrow(/"code":"FORBIDDEN"/);
    const anonymous = collect<AlertPayload>(wsClient(here.url), ALERT_RAISED);
    await expect(anonymous.ended).rejects.toThrow(/"code":"UNAUTHENTICATED"/);
  });

  it('with since, replays the alerts already committed, oldest first, then streams new ones, each once', async () => {
    await worldOther.act(pharmacy, 'DISPENSE', { items: [unitUri('R1')] });
    // Begun (and its alert inserted and announced) before the subscription, committed after.
    const held = await holdAlert(db.url, 'R2');
    try {
      const { alerts } = await regulatorA.client!.request<{
        alerts: { edges: { node: { id: string } }[] };
      }>(gql`
        query {
          alerts(first: 500) {
            edges {
              node {
                id
              }
            }
          }
        }
      `);
      const committed = alerts.edges.map((e) => e.node.id).sort((x, y) => Number(x) - Number(y));

      const c = collect<AlertPayload>(
        wsClient(here.url, regulatorA.token),
        `subscription ($since: String) { alertRaised(since: $since) { id identifier } }`,
        { since: new Date(0).toISOString() },
      );
      await c.until(committed.length);
      await held.commit();
      await worldOther.act(pharmacy, 'DISPENSE', { items: [unitUri('R3')] });
      await c.until(committed.length + 2);
      expect(c.items.map((p) => p.alertRaised.id)).toEqual([
        ...committed,
        held.id,
        expect.any(String),
      ]);
      expect(c.items.at(-1)!.alertRaised.identifier).toBe(unitUri('R3'));
      c.stop();

      const bad = collect<AlertPayload>(
        wsClient(here.url, regulatorA.token),
        `subscription { alertRaised(since: "yesterday") { id } }`,
      );
      await expect(bad.ended).rejects.toThrow(/"code":"BAD_USER_INPUT"/);
    } finally {
      await held.end();
    }
  });
});
