// The EPCIS 2.0 query interface end to end (REST binding, SPEC sections 7 and 10): events
// signed and submitted through GraphQL, then read over plain HTTP at /epcis as an EPCIS
// client reads them. Every served document is checked against GS1's EPCIS 2.0 JSON Schema,
// every served event decodes back to the signed Custos event its signature covers.
import { documentEvents } from '../../libs/epcis/src/document';
import { fromEpcisEvent } from '../../libs/epcis/src/from-epcis';
import { verifyFast } from '../../libs/ledger/src/ed25519-native';
import { eventSigningBytes } from '../../libs/ledger/src/events';
import { base64UrlToBytes } from '../../libs/ledger/src/bytes';
import { publicKeyOf } from '../../libs/ledger/src/ed25519';
import { epcisSchema } from '../../libs/epcis/test/conformance';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import {
  COMPANY_PREFIX,
  GTIN,
  gln,
  LedgerWorld,
  type Party,
  sscc,
  ssccUri,
  unitUri,
} from '../fixtures/ledger-world';

const ADMIN_TOKEN = 'epcis-query-e2e-admin-token-0123456789abcd';

let db: TestDatabase;
let app: RunningApp;
let world: LedgerWorld;
let maker: Party;
let wholesaler: Party;
let pharmacy: Party;
let regulator: Party;
const parties = () => [maker, wholesaler, pharmacy, regulator];
/** eventId → what was signed, to compare with what is served. */
const signed = new Map<string, ReturnType<LedgerWorld['signed']>>();
const box = ssccUri(sscc(`0${COMPANY_PREFIX}000000001`));
const lgtin = (lot: string) => `https://id.gs1.org/01/${GTIN}/10/${lot}`;
let startedAt: string;
let midpoint: string;

async function submit(party: Party, events: ReturnType<LedgerWorld['signed']>[]) {
  for (const e of events) signed.set(String(e.event.eventId), e);
  await world.submit(party, events);
}

beforeAll(async () => {
  db = await createTestDatabase('epcis_query');
  app = await startApp(
    serverConfig(db, testQueuePrefix('epcis_query'), {
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
  wholesaler = await world.register(gln('950600000001'), 'Wholesale Ltd', ['DISTRIBUTOR']);
  pharmacy = await world.register(gln('950600000002'), 'Corner Pharmacy', ['DISPENSER']);
  regulator = await world.register(gln('950600000004'), 'Medicines Agency', ['REGULATOR']);
  for (const party of parties()) await world.signIn(party);

  startedAt = new Date(Date.now() - 60_000).toISOString();
  const t = (minutes: number) => new Date(Date.now() - 50_000 + minutes * 1000).toISOString();
  // Two units go to the wholesaler in a case; a third stays with the maker (lot L2).
  await submit(maker, [
    world.signed(
      maker,
      'COMMISSION',
      { items: [unitUri('Q1'), unitUri('Q2')], lot: 'L1', expiry: '2030-12-31' },
      t(1),
    ),
    world.signed(
      maker,
      'COMMISSION',
      { items: [unitUri('Q3')], lot: 'L2', expiry: '2030-12-31' },
      t(2),
    ),
    world.signed(maker, 'PACK', { items: [unitUri('Q1'), unitUri('Q2')], parent: box }, t(3)),
    world.signed(maker, 'SHIP', { items: [box], to: wholesaler.id }, t(4)),
  ]);
  midpoint = t(5);
  await submit(wholesaler, [
    world.signed(wholesaler, 'RECEIVE', { items: [box], from: maker.id }, t(6)),
    world.signed(
      wholesaler,
      'UNPACK',
      { items: [unitUri('Q1'), unitUri('Q2')], parent: box },
      t(7),
    ),
  ]);
  await submit(maker, [
    world.signed(maker, 'RECALL', { gtin: GTIN, lot: 'L1' }, t(8)),
    world.signed(maker, 'RECALL', { gtin: GTIN, lot: 'L2' }, t(9)),
    world.signed(maker, 'DECOMMISSION', { items: [unitUri('Q3')], reason: 'DESTROYED' }, t(10)),
  ]);
  await world.sealedUpTo(regulator.client!, signed.size);
});

afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

/** A served EPCIS event: the fields these tests read. */
interface Served {
  readonly eventID: string;
  readonly recordTime: string;
  readonly epcList?: string[];
  readonly quantityList?: { epcClass: string }[];
  readonly [field: string]: unknown;
}

/** A query document or a problem body. */
interface Body {
  readonly type?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly epcisBody?: {
    queryResults: { queryName: string; resultsBody: { eventList: Served[] } };
  };
}

interface Answer {
  status: number;
  headers: Headers;
  body: Body;
}

async function get(
  path: string,
  as: Party | null = regulator,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${app.url}${path}`, {
    headers: { ...(as?.token ? { authorization: `Bearer ${as.token}` } : {}), ...headers },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json().catch(() => ({}))) as Body,
  };
}

/** The served events of a query document, after checking it against the GS1 schema. */
function eventsOf(answer: Answer): Served[] {
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.headers.get('gs1-epcis-version')).toBe('2.0.0');
  expect(epcisSchema()(answer.body)).toEqual([]);
  expect(answer.body.type).toBe('EPCISQueryDocument');
  return answer.body.epcisBody!.queryResults.resultsBody.eventList;
}

const ids = (events: Served[]) => events.map((e) => e.eventID.slice('urn:uuid:'.length));
const typesOf = (events: Served[]) => ids(events).map((id) => signed.get(id)!.event.type);

describe('GET /epcis/events', () => {
  it('serves every event to a regulator, with provenance, in acceptance order, valid per GS1', async () => {
    const events = eventsOf(await get('/epcis/events?perPage=100'));
    expect(ids(events)).toEqual([...signed.keys()]);
    for (const e of events) {
      expect(e['custos:leafIndex']).toEqual(expect.any(Number));
      expect(e['custos:blockHeight']).toEqual(expect.any(Number));
      expect(e['custos:eventHash']).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
      expect(e.recordTime).toEqual(expect.any(String));
    }
  });

  it('each served event is the signed Custos event: it decodes back and its signature verifies', async () => {
    const answer = await get('/epcis/events?perPage=100');
    const keys = new Map(parties().map((p) => [p.id, publicKeyOf(p.secretKey)]));
    const read = documentEvents(answer.body);
    if (typeof read === 'string') throw new Error(read);
    for (const { event, names } of read) {
      const decoded = fromEpcisEvent(event, names, { profile: 'capture' });
      const original = signed.get(String(decoded.event.eventId))!;
      expect(decoded.event).toEqual(original.event);
      expect(decoded.signature).toBe(original.signature);
      const ok = verifyFast(
        base64UrlToBytes(decoded.signature!, 'signature'),
        eventSigningBytes(decoded.event),
        keys.get(String(decoded.event.actor))!,
      );
      expect(ok).toBe(true);
    }
  });

  it.each<[string, string, string[]]>([
    ['eventType', 'eventType=AggregationEvent', ['PACK', 'UNPACK']],
    [
      'EQ_bizStep (pipe list, bare words and URIs)',
      'EQ_bizStep=shipping|https://ref.gs1.org/cbv/BizStep-receiving',
      ['SHIP', 'RECEIVE'],
    ],
    ['EQ_action', 'EQ_action=ADD', ['COMMISSION', 'COMMISSION', 'PACK']],
    ['EQ_disposition', 'EQ_disposition=destroyed|recalled', ['RECALL', 'RECALL', 'DECOMMISSION']],
    ['EQ_action with eventType', 'eventType=ObjectEvent&EQ_action=DELETE', ['DECOMMISSION']],
    ['MATCH_epc (items only)', `MATCH_epc=${unitUri('Q1')}`, ['COMMISSION', 'PACK', 'UNPACK']],
    [
      'MATCH_epc as an EPC URN',
      `MATCH_epc=urn:epc:id:sgtin:${COMPANY_PREFIX}.013435.Q1`,
      ['COMMISSION', 'PACK', 'UNPACK'],
    ],
    ['MATCH_parentID', `MATCH_parentID=${box}`, ['PACK', 'UNPACK']],
    ['MATCH_anyEPC', `MATCH_anyEPC=${box}`, ['PACK', 'SHIP', 'RECEIVE', 'UNPACK']],
    ['MATCH_epcClass', `MATCH_epcClass=${lgtin('L2')}`, ['RECALL']],
    ['EQ_ILMD_cbvmda:lotNumber', 'EQ_ILMD_cbvmda:lotNumber=L2', ['COMMISSION']],
    [
      'EQ_source_owning_party',
      `EQ_source_owning_party=https://id.gs1.org/417/${gln('950600000000')}`,
      ['SHIP', 'RECEIVE'],
    ],
    [
      'EQ_destination_owning_party',
      `EQ_destination_owning_party=urn:epc:id:pgln:${COMPANY_PREFIX}.${gln('950600000001').slice(7, 12)}`,
      ['SHIP', 'RECEIVE'],
    ],
    ['EQ_persistentDisposition_set', 'EQ_persistentDisposition_set=recalled', ['RECALL', 'RECALL']],
    ['EQ_readPoint (no Custos event has one)', 'EQ_readPoint=urn:epc:id:sgln:9506000.00000.0', []],
    ['EQ_bizTransaction_po', 'EQ_bizTransaction_po=urn:epcglobal:cbv:bt:1:2', []],
  ])('%s', async (_name, query, expected) => {
    expect(
      typesOf(
        eventsOf(await get(`/epcis/events?perPage=100&${encodeURI(query).replace(/%7C/g, '|')}`)),
      ),
    ).toEqual(expected);
  });

  it('EQ_eventID, GE_/LT_eventTime and GE_/LT_recordTime', async () => {
    const first = [...signed.keys()][0]!;
    expect(ids(eventsOf(await get(`/epcis/events?EQ_eventID=urn:uuid:${first}`)))).toEqual([first]);
    const early = eventsOf(
      await get(`/epcis/events?perPage=100&GE_eventTime=${startedAt}&LT_eventTime=${midpoint}`),
    );
    expect(typesOf(early)).toEqual(['COMMISSION', 'COMMISSION', 'PACK', 'SHIP']);
    const all = eventsOf(await get('/epcis/events?perPage=100'));
    const cut = all[6]!.recordTime;
    const later = eventsOf(await get(`/epcis/events?perPage=100&GE_recordTime=${cut}`));
    expect(later.every((e) => e.recordTime >= cut)).toBe(true);
    const before = eventsOf(await get(`/epcis/events?perPage=100&LT_recordTime=${cut}`));
    expect(before.length + later.length).toBe(all.length);
  });

  it('pages with perPage and Link rel="next" until the last page, which has none', async () => {
    const seen: string[] = [];
    let path: string | undefined =
      '/epcis/events?perPage=4&EQ_bizStep=commissioning|packing|shipping|receiving|unpacking|destroying';
    let pages = 0;
    while (path) {
      const answer = await get(path);
      const events = eventsOf(answer);
      seen.push(...ids(events));
      pages += 1;
      const link = answer.headers.get('link');
      if (link) {
        expect(events).toHaveLength(4);
        const match = /^<([^>]+)>; rel="next"$/.exec(link);
        expect(match).not.toBeNull();
        path = match![1];
        expect(path).toContain('EQ_bizStep=commissioning|packing');
      } else path = undefined;
    }
    expect(pages).toBe(2);
    const expected = [...signed.values()]
      .filter((s) => s.event.type !== 'RECALL')
      .map((s) => String(s.event.eventId));
    expect(seen).toEqual(expected);
    // DESC walks the other way.
    const desc = eventsOf(await get('/epcis/events?perPage=100&orderDirection=DESC'));
    expect(ids(desc)).toEqual([...signed.keys()].reverse());
  });

  it('a token is only good for the query that gave it', async () => {
    const first = await get('/epcis/events?perPage=2');
    const token = /nextPageToken=([^&>]+)/.exec(first.headers.get('link')!)![1]!;
    const other = await get(`/epcis/events?perPage=2&eventType=ObjectEvent&nextPageToken=${token}`);
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({
      type: 'epcisException:QueryParameterException',
      status: 400,
    });
    expect(other.body.detail).toMatch(/^nextPageToken: /);
  });

  it('GS1-EPC-Format: Always_EPC_URN serves EPC URNs; the event hash is the same', async () => {
    const dl = eventsOf(await get(`/epcis/events?MATCH_epc=${unitUri('Q3')}&EQ_action=ADD`));
    const urn = eventsOf(
      await get(`/epcis/events?MATCH_epc=${unitUri('Q3')}&EQ_action=ADD`, regulator, {
        'GS1-EPC-Format': 'Always_EPC_URN',
      }),
    );
    expect(urn[0]!.epcList).toEqual([`urn:epc:id:sgtin:${COMPANY_PREFIX}.013435.Q3`]);
    expect(dl[0]!.epcList).toEqual([unitUri('Q3')]);
    expect(urn[0]!['custos:eventHash']).toBe(dl[0]!['custos:eventHash']);
  });

  it('refuses what it cannot answer, naming the parameter, as problem+json', async () => {
    for (const [query, parameter] of [
      ['EQ_colour=red', 'EQ_colour'],
      ['GE_eventTime=yesterday', 'GE_eventTime'],
      ['perPage=0', 'perPage'],
      ['eventType=SensorEvent', 'eventType'],
      ['MATCH_epc=urn:epc:idpat:sgtin:9506000.013435.*', 'MATCH_epc'],
      ['MATCH_epc=https://id.gs1.org/01/09506000134353/21/X', 'MATCH_epc'],
      ['orderBy=eventTime', 'orderBy'],
    ] as const) {
      const answer = await get(`/epcis/events?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({
        type: 'epcisException:QueryParameterException',
        title: 'Bad Request',
        status: 400,
      });
      expect(answer.body.detail?.startsWith(`${parameter}: `)).toBe(true);
    }
  });

  it('401 SecurityException without a token', async () => {
    const answer = await get('/epcis/events', null);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ type: 'epcisException:SecurityException', status: 401 });
  });
});

describe('SPEC 7 read rules', () => {
  it('a trading partner sees the events of units once in its custody, and recalls of their lots', async () => {
    const events = eventsOf(await get('/epcis/events?perPage=100', wholesaler));
    expect(typesOf(events)).toEqual(['COMMISSION', 'PACK', 'SHIP', 'RECEIVE', 'UNPACK', 'RECALL']);
    // Not Q3 (never its), nor the L2 recall.
    expect(events.flatMap((e) => e.epcList ?? [])).not.toContain(unitUri('Q3'));
    expect(events.find((e) => e.quantityList)?.quantityList).toEqual([{ epcClass: lgtin('L1') }]);
  });

  it('a partner that held nothing sees nothing; an event it may not read is 404 to it', async () => {
    expect(eventsOf(await get('/epcis/events', pharmacy))).toEqual([]);
    const first = [...signed.keys()][0]!;
    const hidden = await get(`/epcis/events/urn:uuid:${first}`, pharmacy);
    expect(hidden.status).toBe(404);
    expect(hidden.body.type).toBe('epcisException:NoSuchResourceException');
  });
});

describe('GET /epcis/events/{eventID}, /epcis/epcs/{epc}/events, OPTIONS', () => {
  it('one event by its eventID', async () => {
    const first = [...signed.keys()][0]!;
    const events = eventsOf(await get(`/epcis/events/urn:uuid:${first}`, maker));
    expect(ids(events)).toEqual([first]);
    expect((await get('/epcis/events/urn:uuid:00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
  });

  it('the events of one EPC, with further filters', async () => {
    const path = `/epcis/epcs/${encodeURIComponent(box)}/events`;
    expect(typesOf(eventsOf(await get(path)))).toEqual(['PACK', 'SHIP', 'RECEIVE', 'UNPACK']);
    expect(typesOf(eventsOf(await get(`${path}?EQ_bizStep=shipping`)))).toEqual(['SHIP']);
  });

  it('OPTIONS answers 204 with what is allowed and the versions', async () => {
    const response = await fetch(`${app.url}/epcis/events`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('OPTIONS, GET, POST');
    expect(response.headers.get('gs1-epcis-max')).toBe('2.0.0');
  });
});

describe('named queries (/epcis/queries)', () => {
  const define = (body: unknown, as: Party = wholesaler) =>
    fetch(`${app.url}/epcis/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${as.token}` },
      body: JSON.stringify(body),
    });
  const remove = (name: string, as: Party) =>
    fetch(`${app.url}/epcis/queries/${name}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${as.token}` },
    });
  const definitionBody = { name: 'shipments', query: { EQ_bizStep: ['shipping', 'receiving'] } };

  it('defines a query once (201 + Location, then 409), refusing bad ones by field', async () => {
    const created = await define(definitionBody);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/epcis/queries/shipments');
    expect(await created.json()).toEqual(definitionBody);
    const again = await define(definitionBody, maker);
    expect(again.status).toBe(409);
    expect(((await again.json()) as Body).type).toBe(
      'epcisException:ResourceAlreadyExistsException',
    );
    const bad = await define({ name: 'bad', query: { EQ_colour: ['red'] } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Body).detail).toMatch(/^query\.EQ_colour: /);
    const badName = await define({ name: 'has space', query: {} });
    expect(((await badName.json()) as Body).detail).toMatch(/^name: /);
  });

  it('runs it as GET /events with the stored parameters, under the runner’s read rule', async () => {
    const answer = await get('/epcis/queries/shipments/events');
    const events = eventsOf(answer);
    expect(typesOf(events)).toEqual(['SHIP', 'RECEIVE']);
    expect(
      (answer.body as { epcisBody: { queryResults: { queryName: string } } }).epcisBody.queryResults
        .queryName,
    ).toBe('shipments');
    expect(eventsOf(await get('/epcis/queries/shipments/events', pharmacy))).toEqual([]);
    const first = await get('/epcis/queries/shipments/events?perPage=1');
    expect(typesOf(eventsOf(first))).toEqual(['SHIP']);
    const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.get('link')!)![1]!;
    expect(typesOf(eventsOf(await get(next)))).toEqual(['RECEIVE']);
    const extra = await get('/epcis/queries/shipments/events?EQ_action=ADD');
    expect(extra.status).toBe(400);
  });

  it('lists and reads definitions; stream=true without a WebSocket is 400; unknown names 404', async () => {
    expect((await get('/epcis/queries')).body).toEqual([definitionBody]);
    expect((await get('/epcis/queries/shipments')).body).toEqual(definitionBody);
    expect((await get('/epcis/queries/nothing')).status).toBe(404);
    const stream = await get('/epcis/queries/shipments/events?stream=true');
    expect(stream.status).toBe(400); // streams: test/epcis/epcis-stream.e2e.spec.ts
    expect(stream.body.type).toBe('epcisException:SubscriptionControlsException');
  });

  it('only its definer (or a regulator, the admin) deletes it', async () => {
    expect((await remove('shipments', pharmacy)).status).toBe(403);
    expect((await remove('shipments', wholesaler)).status).toBe(204);
    expect((await get('/epcis/queries/shipments')).status).toBe(404);
  });
});
