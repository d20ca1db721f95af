// Regulators' queries through GraphQL on the real PostgreSQL and Redis: lotTrace with
// custody inherited through a case, its counts and cursor paging, the SQL statements a
// page costs; package under the read rules; the alerts connection and its filters.
// Custody is seeded through the real ingest service with really signed events.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { gql, type GraphQLClient } from 'graphql-request';
import { IngestService } from '../../libs/events/src/ingest.service';
import { signEvent } from '../../libs/ledger/src/events';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { gtin, sscc, unit } from '../events/fixture';
import {
  client,
  failure,
  gln,
  newKey,
  participantInput,
  register,
  signInWith,
  type TestKey,
} from '../participants';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

const ADMIN_TOKEN = 'regulators-e2e-admin-token-0123456789abcdef';
const GTIN = gtin(13435);
const LOT = 'LOT-R1';
const UNITS = 30;

interface Party {
  id: string;
  key: TestKey;
  gql: GraphQLClient;
}

let clock = Date.parse('2026-01-05T10:00:00Z');
const nextTime = () => new Date((clock += 1000)).toISOString().replace('.000Z', 'Z');

describe('regulators: lotTrace, package, alerts', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let admin: GraphQLClient;
  let maker: Party, distributor: Party, pharmacy: Party, regulator: Party;

  async function party(n: number, roles: string[]): Promise<Party> {
    const id = gln(9506000100 + n);
    const key = newKey('k1');
    await register(admin, participantInput(id, roles, [key]));
    const { token } = await signInWith(running.url, id, key);
    return { id, key, gql: client(running.url, token) };
  }

  async function submit(by: Party, body: Record<string, unknown>): Promise<void> {
    const event = { eventId: randomUUID(), actor: by.id, eventTime: nextTime(), ...body };
    const result = await running.app
      .get(IngestService)
      .submit([{ event, keyId: by.key.keyId, signature: signEvent(event, by.key.secretKey) }]);
    expect(result.rejected).toEqual([]);
  }

  beforeAll(async () => {
    db = await createTestDatabase('regulators');
    running = await startApp(
      serverConfig(db, testQueuePrefix('regulators'), { CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN }),
      { logger: false },
    );
    admin = client(running.url, ADMIN_TOKEN);
    maker = await party(1, ['MANUFACTURER']);
    distributor = await party(2, ['DISTRIBUTOR']);
    pharmacy = await party(3, ['DISPENSER']);
    regulator = await party(4, ['REGULATOR']);

    const items = Array.from({ length: UNITS }, (_, i) => unit(`S${String(i).padStart(3, '0')}`));
    await submit(maker, { type: 'COMMISSION', items, lot: LOT, expiry: '2030-12-31' });
    // Ten units go into a case, and the case to the distributor: they inherit its custody.
    const caseId = `https://id.gs1.org/00/${sscc(77)}`;
    await submit(maker, { type: 'PACK', items: items.slice(0, 10), parent: caseId });
    await submit(maker, { type: 'SHIP', items: [caseId], to: distributor.id });
    await submit(distributor, { type: 'RECEIVE', items: [caseId], from: maker.id });
    // Five more are shipped loose to the pharmacy and still on the way.
    await submit(maker, { type: 'SHIP', items: items.slice(10, 15), to: pharmacy.id });
  });
  afterAll(async () => {
    await running?.stop();
    await db?.drop();
  });

  const LOT_TRACE = gql`
    query ($gtin: String!, $lot: String!, $first: Int = 10, $after: String) {
      lotTrace(gtin: $gtin, lot: $lot, first: $first, after: $after) {
        gtin
        lot
        totalUnits
        byStatus {
          status
          count
        }
        byCustodian {
          custodian {
            id
            name
          }
          count
        }
        units {
          edges {
            cursor
            node {
              identifier
              status
              custodian {
                id
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  `;
  interface LotTraceView {
    lotTrace: {
      gtin: string;
      lot: string;
      totalUnits: number;
      byStatus: { status: string; count: number }[];
      byCustodian: { custodian: { id: string; name: string }; count: number }[];
      units: {
        edges: {
          cursor: string;
          node: { identifier: string; status: string; custodian: { id: string } | null };
        }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
  }

  it('traces a lot: counts by status and by custodian inherited through the case, paged by cursor', async () => {
    const seen: LotTraceView['lotTrace']['units']['edges'] = [];
    let after: string | null = null;
    let first: LotTraceView['lotTrace'] | undefined;
    for (let page = 0; page < 10; page++) {
      const data: LotTraceView = await regulator.gql.request<LotTraceView>(LOT_TRACE, {
        gtin: GTIN,
        lot: LOT,
        first: 7,
        after,
      });
      first ??= data.lotTrace;
      seen.push(...data.lotTrace.units.edges);
      if (!data.lotTrace.units.pageInfo.hasNextPage) break;
      after = data.lotTrace.units.pageInfo.endCursor;
    }
    expect(first!.totalUnits).toBe(UNITS);
    expect(first!.byStatus).toEqual([
      { status: 'ACTIVE', count: 25 },
      { status: 'IN_TRANSIT', count: 5 },
    ]);
    expect(first!.byCustodian).toEqual([
      { custodian: { id: maker.id, name: `Participant ${maker.id}` }, count: 20 },
      { custodian: { id: distributor.id, name: `Participant ${distributor.id}` }, count: 10 },
    ]);
    // Every unit exactly once, in identifier order, across 5 pages of 7.
    expect(seen.map((e) => e.node.identifier)).toEqual(
      Array.from({ length: UNITS }, (_, i) => unit(`S${String(i).padStart(3, '0')}`)),
    );
    const byId = new Map(seen.map((e) => [e.node.identifier, e.node]));
    expect(byId.get(unit('S003'))).toEqual({
      identifier: unit('S003'),
      status: 'ACTIVE',
      custodian: { id: distributor.id },
    });
    expect(byId.get(unit('S012'))).toEqual({
      identifier: unit('S012'),
      status: 'IN_TRANSIT',
      custodian: { id: maker.id },
    });
    expect(byId.get(unit('S020'))).toEqual({
      identifier: unit('S020'),
      status: 'ACTIVE',
      custodian: { id: maker.id },
    });
    // Any GTIN form gives the same answer.
    const again = await regulator.gql.request<LotTraceView>(LOT_TRACE, {
      gtin: GTIN.slice(1),
      lot: LOT,
      first: 1,
    });
    expect(again.lotTrace.totalUnits).toBe(UNITS);
  });

  it('refuses lotTrace to trading partners and a cursor it did not make', async () => {
    expect(
      (await failure(distributor.gql.request(LOT_TRACE, { gtin: GTIN, lot: LOT, first: 5 }))).code,
    ).toBe('FORBIDDEN');
    expect(
      (await failure(client(running.url).request(LOT_TRACE, { gtin: GTIN, lot: LOT, first: 5 })))
        .code,
    ).toBe('UNAUTHENTICATED');
    const bad = await failure(
      regulator.gql.request(LOT_TRACE, { gtin: GTIN, lot: LOT, after: 'bm9wZQ' }),
    );
    expect(bad).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('costs the same few SQL statements for a page of 2 and a page of 30 (no query per row)', async () => {
    const counted = async (first: number): Promise<string[]> => {
      const statements: string[] = [];
      // eslint-disable-next-line @typescript-eslint/unbound-method -- restored below, called with its own this
      const original = Client.prototype.query;
      // Every statement Prisma sends goes through pg's Client.query; count ours.
      Client.prototype.query = function (this: Client, ...args: unknown[]) {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
        if (text && /unit_state|participant/.test(text)) statements.push(text);
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof Client.prototype.query;
      try {
        await admin.request(LOT_TRACE, { gtin: GTIN, lot: LOT, first });
      } finally {
        Client.prototype.query = original;
      }
      return statements;
    };
    // The first request after sign-in may load the caller's session into the
    // in-memory session cache (one participant read); warm it so both counts
    // measure the query itself.
    await counted(2);
    // The fewest of three runs: a statement per row shows in every run, while one that
    // something else in the process sent meanwhile (a cache reload) shows in one at most.
    const fewest = async (first: number) => {
      const runs = [await counted(first), await counted(first), await counted(first)];
      return runs.reduce((a, b) => (b.length < a.length ? b : a));
    };
    const small = await fewest(2);
    const large = await fewest(30);
    expect(small.length).toBeGreaterThan(0);
    expect(large).toEqual(small); // the same statements: the texts say which one differs
    expect(large.length).toBeLessThanOrEqual(4); // counts, page, participants (+ their keys)
  });

  const PACKAGE = gql`
    query ($code: String!) {
      package(code: $code) {
        identifier
        status
        custodian {
          id
        }
        product {
          gtin
          lot
          expiry
        }
        trail {
          type
          actor
        }
      }
    }
  `;
  interface PackageView {
    package: {
      identifier: string;
      status: string;
      custodian: { id: string } | null;
      product: { gtin: string; lot: string; expiry: string };
      trail: { type: string; actor: string }[];
    } | null;
  }

  it('package: a regulator and a past holder read the trail; another trading partner is not allowed', async () => {
    const code = `(01)${GTIN}(21)S003`;
    const asRegulator = await regulator.gql.request<PackageView>(PACKAGE, { code });
    expect(asRegulator.package).toEqual({
      identifier: unit('S003'),
      status: 'ACTIVE',
      custodian: { id: distributor.id },
      product: { gtin: GTIN, lot: LOT, expiry: '2030-12-31' },
      trail: [
        { type: 'COMMISSION', actor: maker.id },
        { type: 'PACK', actor: maker.id },
        { type: 'SHIP', actor: maker.id },
        { type: 'RECEIVE', actor: distributor.id },
      ],
    });
    const asHolder = await distributor.gql.request<PackageView>(PACKAGE, { code: unit('S003') });
    expect(asHolder.package?.trail).toHaveLength(4);
    const refused = await failure(pharmacy.gql.request(PACKAGE, { code }));
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toMatch(/^not allowed/);
    expect((await failure(client(running.url).request(PACKAGE, { code }))).code).toBe(
      'UNAUTHENTICATED',
    );
    const unknown = await regulator.gql.request<PackageView>(PACKAGE, { code: unit('NEVER-MADE') });
    expect(unknown.package).toBeNull();
  });

  const ALERTS = gql`
    query (
      $first: Int = 20
      $after: String
      $code: String
      $severity: Severity
      $participant: ID
      $since: String
    ) {
      alerts(
        first: $first
        after: $after
        code: $code
        severity: $severity
        participant: $participant
        since: $since
      ) {
        edges {
          cursor
          node {
            id
            code
            severity
            identifier
            eventId
            raisedAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  `;
  interface AlertsView {
    alerts: {
      edges: {
        cursor: string;
        node: {
          id: string;
          code: string;
          severity: string;
          identifier: string | null;
          eventId: string | null;
          raisedAt: string;
        };
      }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }

  it('alerts: a Relay connection, newest first, filtered by code, severity, participant and time', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    // Dispenses of units the pharmacy does not hold (CUSTODY_BREAK, WARNING) and of one it
    // never could (UNKNOWN_IDENTIFIER, CRITICAL): raised by ingest, concerning the pharmacy.
    await submit(pharmacy, { type: 'DISPENSE', items: [unit('S025')] });
    for (const serial of ['FAKE1', 'FAKE2', 'FAKE3']) {
      await submit(pharmacy, { type: 'DISPENSE', items: [unit(serial)] });
    }
    const all = await regulator.gql.request<AlertsView>(ALERTS, { since: before });
    expect(all.alerts.edges.map((e) => e.node.identifier)).toEqual([
      unit('FAKE3'),
      unit('FAKE2'),
      unit('FAKE1'),
      unit('S025'),
    ]);
    const ids = all.alerts.edges.map((e) => BigInt(e.node.id));
    expect([...ids].sort((a, b) => (a < b ? 1 : -1))).toEqual(ids);

    // Paging: two pages of two, then nothing more.
    const p1 = await regulator.gql.request<AlertsView>(ALERTS, { since: before, first: 2 });
    expect(p1.alerts.pageInfo.hasNextPage).toBe(true);
    const p2 = await regulator.gql.request<AlertsView>(ALERTS, {
      since: before,
      first: 2,
      after: p1.alerts.pageInfo.endCursor,
    });
    expect([...p1.alerts.edges, ...p2.alerts.edges].map((e) => e.node.id)).toEqual(
      all.alerts.edges.map((e) => e.node.id),
    );
    expect(p2.alerts.pageInfo.hasNextPage).toBe(false);

    const byCode = await regulator.gql.request<AlertsView>(ALERTS, {
      since: before,
      code: 'UNKNOWN_IDENTIFIER',
    });
    expect(byCode.alerts.edges).toHaveLength(3);
    expect(byCode.alerts.edges.every((e) => e.node.severity === 'CRITICAL')).toBe(true);
    const bySeverity = await regulator.gql.request<AlertsView>(ALERTS, {
      since: before,
      severity: 'WARNING',
    });
    expect(bySeverity.alerts.edges.map((e) => e.node.identifier)).toEqual([unit('S025')]);
    const byParticipant = await regulator.gql.request<AlertsView>(ALERTS, {
      since: before,
      participant: pharmacy.id,
    });
    expect(byParticipant.alerts.edges).toHaveLength(4);
    const later = await regulator.gql.request<AlertsView>(ALERTS, {
      since: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(later.alerts.edges).toEqual([]);

    expect((await failure(pharmacy.gql.request(ALERTS, {}))).code).toBe('FORBIDDEN');
    expect((await failure(admin.request(ALERTS, { since: 'yesterday' }))).code).toBe(
      'BAD_USER_INPUT',
    );
  });
});
