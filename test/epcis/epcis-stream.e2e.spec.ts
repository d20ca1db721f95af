// EPCIS 2.0 named-query streams end to end (REST binding: GET /epcis/queries/{name}/events
// with Upgrade: websocket and stream=true; apps/api/src/epcis/named-query-stream.ts): a real
// WebSocket client (ws) subscribes, events are signed, submitted through GraphQL and sealed,
// and each arrives once, in log order, in EPCISQueryDocuments that validate against GS1's
// EPCIS 2.0 JSON Schema — only those the subscriber may read (SPEC 7). Refusals before the
// upgrade are problem+json; a revoked key's stream closes with 4403.
import { gql } from 'graphql-request';
import WebSocket from 'ws';
import { epcisSchema } from '../../libs/epcis/test/conformance';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { NamedQueryStreams } from '../../apps/api/src/epcis/named-query-stream';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import {
  COMPANY_PREFIX,
  GTIN,
  gln,
  gtin,
  LedgerWorld,
  type Party,
  unitUri,
} from '../fixtures/ledger-world';
import { until } from '../until';

const ADMIN_TOKEN = 'epcis-stream-e2e-admin-token-0123456789abcd';
const OTHER_GTIN = gtin('0950700013435'); // of otherMaker's company prefix 9507000

let db: TestDatabase;
let app: RunningApp;
let world: LedgerWorld;
let maker: Party;
let otherMaker: Party;
let regulator: Party;
let serial = 0;
const sockets: WebSocket[] = [];

interface QueryDocument {
  readonly epcisBody: {
    readonly queryResults: {
      readonly queryName: string;
      readonly resultsBody: { readonly eventList: { eventID: string; type: string }[] };
    };
  };
}

/** An open stream: the documents it received so far, and how it closed. */
interface Opened {
  readonly socket: WebSocket;
  readonly documents: QueryDocument[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

function open(path: string, token: string | undefined, headers: Record<string, string> = {}) {
  const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}${path}`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  socket.on('error', () => undefined); // refusals are read from 'unexpected-response'
  sockets.push(socket);
  return socket;
}

async function subscribe(
  name: string,
  party: Party,
  headers: Record<string, string> = {},
): Promise<Opened> {
  const socket = open(`/epcis/queries/${name}/events?stream=true`, party.token, headers);
  const documents: QueryDocument[] = [];
  socket.on('message', (data: Buffer) =>
    documents.push(JSON.parse(data.toString()) as QueryDocument),
  );
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`status ${res.statusCode}`)),
    );
  });
  return { socket, documents, closed };
}

/** The status and problem body of a refused upgrade. */
async function refusal(path: string, token: string | undefined) {
  const socket = open(path, token);
  return new Promise<{ status: number; body: { type: string; detail: string } }>(
    (resolve, reject) => {
      socket.once('open', () => reject(new Error('upgraded, expected a refusal')));
      socket.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as never }),
        );
      });
    },
  );
}

const eventIds = (documents: readonly QueryDocument[]) =>
  documents.flatMap((d) => d.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID));

/** `party` commissions `n` fresh units, sealed; their EPCIS eventIDs. */
async function commission(party: Party, n: number, gtin14 = GTIN): Promise<string[]> {
  const events = Array.from({ length: n }, () => {
    serial += 1;
    return world.signed(party, 'COMMISSION', {
      items: [unitUri(`S${serial}`, gtin14)],
      lot: 'L1',
      expiry: '2030-12-31',
    });
  });
  await world.submit(party, events);
  return events.map((e) => `urn:uuid:${String(e.event.eventId)}`);
}

async function define(name: string, query: Record<string, string[]>, as: Party): Promise<void> {
  const answer = await fetch(`${app.url}/epcis/queries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${as.token}` },
    body: JSON.stringify({ name, query }),
  });
  expect(answer.status).toBe(201);
}

beforeAll(async () => {
  db = await createTestDatabase('epcis_stream');
  app = await startApp(
    serverConfig(db, testQueuePrefix('epcis_stream'), {
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
      SEAL_MAX_WAIT_MS: '50',
    }),
    { logger: process.env.CUSTOS_TEST_LOGS ? undefined : false },
  );
  world = new LedgerWorld(app.url, ADMIN_TOKEN);
  maker = await world.register(
    gln('950600000000'),
    'Maker Pharma',
    ['MANUFACTURER'],
    [COMPANY_PREFIX],
  );
  otherMaker = await world.register(
    gln('950600000001'),
    'Other Pharma',
    ['MANUFACTURER'],
    ['9507000'],
  );
  regulator = await world.register(gln('950600000004'), 'Medicines Agency', ['REGULATOR']);
  for (const party of [maker, otherMaker, regulator]) await world.signIn(party);
  await define('commissions', { EQ_bizStep: ['commissioning'] }, regulator);
});

afterAll(async () => {
  for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.terminate();
  await app?.stop();
  await db?.drop();
});

describe('GET /epcis/queries/{name}/events?stream=true over WebSocket', () => {
  it('sends each new sealed event once, in log order, as schema-valid query documents', async () => {
    const before = await commission(maker, 2); // recorded before the subscription: not sent
    await world.sealedUpTo(regulator.client!, 2);
    const stream = await subscribe('commissions', regulator);
    const first = await commission(maker, 3);
    await until('three events streamed', () => eventIds(stream.documents).length >= 3);
    const second = await commission(maker, 150); // more than a page (100): several messages
    await until('all streamed', () => eventIds(stream.documents).length >= 153);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a check or two more: nothing twice
    expect(eventIds(stream.documents)).toEqual([...first, ...second]);
    expect(eventIds(stream.documents)).not.toContain(before[0]);
    const validate = epcisSchema();
    for (const document of stream.documents) {
      expect(validate(document)).toEqual([]);
      expect(document.epcisBody.queryResults.queryName).toBe('commissions');
      expect(document.epcisBody.queryResults.resultsBody.eventList.length).toBeLessThanOrEqual(100);
    }
  });

  it('starts at GS1-Query-Min-Record-Time when it is given', async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const recent = await commission(maker, 2);
    await world.sealedUpTo(regulator.client!, serial);
    const stream = await subscribe('commissions', regulator, {
      'GS1-Query-Min-Record-Time': since,
    });
    await until('the recent events streamed', () => eventIds(stream.documents).length >= 2);
    expect(eventIds(stream.documents).slice(0, 2)).toEqual(recent);
  });

  it('sends a trading partner only what it may read', async () => {
    const ownStream = await subscribe('commissions', otherMaker);
    await commission(maker, 2); // another manufacturer's units: not readable to otherMaker
    const own = await commission(otherMaker, 1, OTHER_GTIN);
    await until('its own event streamed', () => eventIds(ownStream.documents).length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(eventIds(ownStream.documents)).toEqual(own);
  });

  it('refuses, before the upgrade, what it cannot stream (problem+json)', async () => {
    const noToken = await refusal('/epcis/queries/commissions/events?stream=true', undefined);
    expect(noToken.status).toBe(401);
    expect(noToken.body.type).toBe('epcisException:SecurityException');
    const unknown = await refusal('/epcis/queries/nothing/events?stream=true', regulator.token);
    expect(unknown.status).toBe(404);
    const noStream = await refusal('/epcis/queries/commissions/events', regulator.token);
    expect(noStream).toMatchObject({
      status: 400,
      body: { type: 'epcisException:SubscriptionControlsException' },
    });
    expect(noStream.body.detail).toMatch(/^stream: /);
    const scheduled = await refusal('/epcis/queries/commissions/events?minute=5', regulator.token);
    expect(scheduled.status).toBe(400);
    expect(scheduled.body.detail).toMatch(/^minute: /);
  });

  it('closes the stream with 4403 when the subscriber’s key is revoked', async () => {
    const agency = await world.register(gln('950600000005'), 'Second Agency', ['REGULATOR']);
    await world.signIn(agency);
    const stream = await subscribe('commissions', agency);
    const streams = app.app.get(NamedQueryStreams);
    const openBefore = streams.openCount;
    await world.admin.request(
      gql`
        mutation ($id: ID!, $keyId: ID!) {
          revokeParticipantKey(participantId: $id, keyId: $keyId) {
            id
          }
        }
      `,
      { id: agency.id, keyId: agency.keyId },
    );
    await expect(stream.closed).resolves.toEqual({
      code: 4403,
      reason: 'key revoked: sign in with another key',
    });
    expect(streams.openCount).toBe(openBefore - 1);
  });
});
