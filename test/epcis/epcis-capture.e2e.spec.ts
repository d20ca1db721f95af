// EPCIS 2.0 capture end to end (REST binding, SPEC section 10): EPCIS documents whose events
// carry the Custos signature are captured over HTTP, by a third-party EPCIS client
// (epcis2.js: capture, then capture-job polling) and by plain fetch, through the same
// ingest as submitEvents: bad signatures refused, rollback all or nothing, proceed greedy.
import { createRequire } from 'node:module';
import { epcisDocument } from '../../libs/epcis/src/document';
import { signEvent } from '../../libs/ledger/src/events';
import { toEpcisEvent, CUSTOS_EPCIS_CONTEXT } from '../../libs/epcis/src/to-epcis';
import { CUSTOS_NAMESPACE } from '../../libs/epcis/src/vocabulary';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import { COMPANY_PREFIX, gln, LedgerWorld, type Party, unitUri } from '../fixtures/ledger-world';

/** The parts of epcis2.js (npm, Apache-2.0) this test drives. */
interface Epcis2 {
  setup(settings: { apiUrl: string; headers: Record<string, string> }): void;
  capture(document: unknown): Promise<Response>;
  EPCISDocument: new (document: unknown) => unknown;
  CaptureResponse: new (response: Response) => {
    getLocation(): string;
    pollForTheCaptureToFinish(nbRetry: number, delay: number): Promise<void>;
    getRunningStatus(): boolean;
    getSuccessStatus(): boolean;
    getErrors(): unknown[];
  };
}
const epcis2 = createRequire(__filename)('epcis2.js') as Epcis2;

const ADMIN_TOKEN = 'epcis-capture-e2e-admin-token-0123456789ab';

let db: TestDatabase;
let app: RunningApp;
let world: LedgerWorld;
let maker: Party;
let wholesaler: Party;
let serials = 0;

beforeAll(async () => {
  db = await createTestDatabase('epcis_capture');
  app = await startApp(
    serverConfig(db, testQueuePrefix('epcis_capture'), {
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
  for (const party of [maker, wholesaler]) await world.signIn(party);
});

afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

/** A COMMISSION of a fresh unit by the maker, as an EPCIS event with its signature. */
function commission(change: (event: Record<string, unknown>) => void = () => undefined) {
  serials += 1;
  const signed = world.signed(maker, 'COMMISSION', {
    items: [unitUri(`C${serials}`)],
    lot: 'L1',
    expiry: '2030-12-31',
  });
  const event = toEpcisEvent(signed);
  change(event);
  return { id: String(signed.event.eventId), event };
}

const document = (events: { event: unknown }[]) =>
  epcisDocument(
    events.map((e) => e.event),
    new Date().toISOString(),
  );

interface Job {
  captureID: string;
  running: boolean;
  success: boolean;
  captureErrorBehaviour: string;
  errors: { type: string; title: string; status: number; detail: string; instance: string }[];
  createdAt: string;
  finishedAt?: string;
}

const auth = (party: Party) => ({ authorization: `Bearer ${party.token}` });

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = auth(maker),
): Promise<Response> {
  return fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function finished(location: string, party: Party = maker): Promise<Job> {
  for (let i = 0; i < 100; i++) {
    const job = (await (
      await fetch(`${app.url}${location}`, { headers: auth(party) })
    ).json()) as Job;
    if (!job.running) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the capture job did not finish');
}

/** The standard's XML form of Custos's EPCIS events (EPCIS 2.0 section 12, as from-xml reads it). */
function xmlDocument(events: { event: Record<string, unknown> }[]): string {
  const lists: Record<string, string> = {
    epcList: 'epc',
    childEPCs: 'epc',
    sourceList: 'source',
    destinationList: 'destination',
  };
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const element = (name: string, value: unknown): string => {
    if (Array.isArray(value) && lists[name]) {
      const child = lists[name];
      return `<${name}>${value
        .map((v) =>
          typeof v === 'object' && v !== null
            ? `<${child} type="${(v as Record<string, string>).type}">${escape((v as Record<string, string>)[child]!)}</${child}>`
            : `<${child}>${escape(String(v))}</${child}>`,
        )
        .join('')}</${name}>`;
    }
    if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
    if (typeof value === 'object' && value !== null)
      return `<${name}>${Object.entries(value)
        .map(([k, v]) => element(k, v))
        .join('')}</${name}>`;
    return `<${name}>${escape(String(value))}</${name}>`;
  };
  const body = events
    .map(({ event }) => {
      const { type, ...fields } = event;
      return element(String(type), fields);
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:custos="${CUSTOS_NAMESPACE}" xmlns:cbvmda="urn:epcglobal:cbv:mda:" schemaVersion="2.0" creationDate="${new Date().toISOString()}"><EPCISBody><EventList>${body}</EventList></EPCISBody></epcis:EPCISDocument>`;
}

async function stored(id: string): Promise<boolean> {
  const response = await fetch(`${app.url}/epcis/events/urn:uuid:${id}`, { headers: auth(maker) });
  return response.status === 200;
}

describe('POST /epcis/capture', () => {
  it('epcis2.js captures a document and polls its job to success', async () => {
    const events = [commission(), commission(), commission()];
    epcis2.setup({
      apiUrl: `${app.url}/epcis/`,
      headers: { 'content-type': 'application/json', ...auth(maker) },
    });
    const response = await epcis2.capture(new epcis2.EPCISDocument(document(events)));
    expect(response.status).toBe(202);
    const job = new epcis2.CaptureResponse(response);
    expect(job.getLocation()).toMatch(/^\/epcis\/capture\/[0-9a-f-]{36}$/);
    await job.pollForTheCaptureToFinish(20, 100);
    expect(job.getRunningStatus()).toBe(false);
    expect(job.getSuccessStatus()).toBe(true);
    expect(job.getErrors()).toEqual([]);
    for (const e of events) expect(await stored(e.id)).toBe(true);
  });

  it('the job is the binding CaptureJob, readable by whoever captured it only', async () => {
    const response = await post('/epcis/capture', document([commission()]));
    expect(response.status).toBe(202);
    expect(response.headers.get('gs1-epcis-capture-limit')).toBe('10000');
    const location = response.headers.get('location')!;
    const job = await finished(location);
    expect(job).toEqual({
      captureID: location.split('/').pop(),
      createdAt: expect.any(String),
      finishedAt: expect.any(String),
      running: false,
      success: true,
      captureErrorBehaviour: 'rollback',
      errors: [],
    });
    const other = await fetch(`${app.url}${location}`, { headers: auth(wholesaler) });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { type: string }).type).toBe(
      'epcisException:NoSuchResourceException',
    );
  });

  it('rollback: a bad signature and an unmappable event are named, and nothing is stored', async () => {
    const good = commission();
    const forged = commission((e) => {
      e['custos:signature'] = String(e['custos:signature']).replace(/^./, (c) =>
        c === 'A' ? 'B' : 'A',
      );
    });
    const inspecting = commission((e) => {
      e.bizStep = 'inspecting';
    });
    const response = await post('/epcis/capture', document([good, forged, inspecting]));
    const job = await finished(response.headers.get('location')!);
    expect(job).toMatchObject({
      running: false,
      success: false,
      captureErrorBehaviour: 'rollback',
    });
    expect(job.errors).toHaveLength(1);
    expect(job.errors[0]).toMatchObject({
      type: 'epcisException:ValidationException',
      status: 400,
      instance: '/epcisBody/eventList/2',
    });
    expect(job.errors[0]!.detail).toMatch(/^\/epcisBody\/eventList\/2\/bizStep: /);
    expect(job.errors[0]!.title).toContain(`urn:uuid:${inspecting.id}`);
    // Without the unmappable event, the ingest refuses the forged signature: still all or nothing.
    const again = await post('/epcis/capture', document([good, forged]));
    const second = await finished(again.headers.get('location')!);
    expect(second.success).toBe(false);
    expect(second.errors.map((e) => e.instance)).toEqual(['/epcisBody/eventList/1']);
    expect(second.errors[0]!.detail).toMatch(/^BAD_SIGNATURE: \/epcisBody\/eventList\/1/);
    expect(await stored(good.id)).toBe(false);
  });

  it('proceed: what can be stored is, the rest is named', async () => {
    const good = commission();
    const forged = commission((e) => {
      e['custos:keyId'] = 'no-such-key';
    });
    const response = await post('/epcis/capture', document([forged, good]), {
      ...auth(maker),
      'GS1-Capture-Error-Behaviour': 'proceed',
    });
    const job = await finished(response.headers.get('location')!);
    expect(job).toMatchObject({ running: false, success: false, captureErrorBehaviour: 'proceed' });
    expect(job.errors.map((e) => e.instance)).toEqual(['/epcisBody/eventList/0']);
    expect(job.errors[0]!.detail).toMatch(/^UNKNOWN_KEY: /);
    expect(await stored(good.id)).toBe(true);
    expect(await stored(forged.id)).toBe(false);
  });

  it('refuses before any job: 401, 400 naming what is wrong, 413 past the capture limit', async () => {
    expect((await post('/epcis/capture', document([commission()]), {})).status).toBe(401);
    const notDocument = await post('/epcis/capture', { type: 'EPCISDocument' });
    expect(notDocument.status).toBe(400);
    expect(await notDocument.json()).toMatchObject({
      type: 'epcisException:ValidationException',
      detail: 'epcisBody: required',
    });
    const behaviour = await post('/epcis/capture', document([commission()]), {
      ...auth(maker),
      'GS1-Capture-Error-Behaviour': 'all',
    });
    expect(behaviour.status).toBe(400);
    expect(((await behaviour.json()) as { detail: string }).detail).toMatch(
      /^GS1-Capture-Error-Behaviour: /,
    );
    const one = commission().event;
    const tooMany = await post(
      '/epcis/capture',
      document(Array.from({ length: 10_001 }, () => ({ event: one }))),
    );
    expect(tooMany.status).toBe(413);
    expect(tooMany.headers.get('gs1-epcis-capture-limit')).toBe('10000');
    expect(await tooMany.json()).toMatchObject({
      type: 'epcisException:CaptureLimitExceededException',
      status: 413,
    });
  });

  it('takes EPCIS 2.0 XML: signed events captured, a forged one named, bad XML a 400', async () => {
    const good = commission();
    const forged = commission((e) => {
      e['custos:signature'] = String(e['custos:signature']).replace(/^./, (c) =>
        c === 'A' ? 'B' : 'A',
      );
    });
    const send = (xml: string, type = 'application/xml') =>
      fetch(`${app.url}/epcis/capture`, {
        method: 'POST',
        headers: { 'content-type': type, ...auth(maker) },
        body: xml,
      });
    const refused = await send(xmlDocument([good, forged]), 'text/xml; charset=utf-8');
    expect(refused.status).toBe(202);
    const failed = await finished(refused.headers.get('location')!);
    expect(failed.errors.map((e) => e.instance)).toEqual(['/epcisBody/eventList/1']);
    expect(failed.errors[0]!.detail).toMatch(/^BAD_SIGNATURE: /);
    expect(await stored(good.id)).toBe(false);

    const accepted = await send(xmlDocument([good]));
    expect(await finished(accepted.headers.get('location')!)).toMatchObject({
      success: true,
      errors: [],
    });
    expect(await stored(good.id)).toBe(true);

    const broken = await send('<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2">');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { detail: string }).detail).toMatch(/not well-formed XML/);
  });

  it('takes application/ld+json as well', async () => {
    const e = commission();
    const response = await fetch(`${app.url}/epcis/capture`, {
      method: 'POST',
      headers: { 'content-type': 'application/ld+json', ...auth(maker) },
      body: JSON.stringify(document([e])),
    });
    expect(response.status).toBe(202);
    expect((await finished(response.headers.get('location')!)).success).toBe(true);
  });

  it('OPTIONS /epcis/capture announces the limits', async () => {
    const response = await fetch(`${app.url}/epcis/capture`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('OPTIONS, POST');
    expect(response.headers.get('gs1-epcis-capture-limit')).toBe('10000');
    expect(Number(response.headers.get('gs1-epcis-capture-file-size-limit'))).toBeGreaterThan(0);
  });
});

describe('POST /epcis/events', () => {
  const single = (event: Record<string, unknown>) => ({
    '@context': CUSTOS_EPCIS_CONTEXT,
    ...event,
  });

  it('201 with Location, then 409 for the same event or another under its eventID', async () => {
    const e = commission();
    const created = await post('/epcis/events', single(e.event));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/epcis/events/urn:uuid:${e.id}`);
    expect(await stored(e.id)).toBe(true);
    const again = await post('/epcis/events', single(e.event));
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      type: 'epcisException:ResourceAlreadyExistsException',
      status: 409,
    });
    // Another event, properly signed, under the same eventId.
    const other = world.signed(maker, 'COMMISSION', {
      items: [unitUri('OTHER1')],
      lot: 'L1',
      expiry: '2030-12-31',
    });
    other.event.eventId = e.id;
    const resigned = { ...other, signature: signEvent(other.event, maker.secretKey) };
    const conflict = await post('/epcis/events', single(toEpcisEvent(resigned)));
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { detail: string }).detail).toMatch(/^EVENT_ID_CONFLICT: /);
  });

  it('400 naming the field or the ingest rejection', async () => {
    const noSignature = commission((e) => {
      delete e['custos:signature'];
    });
    const refused = await post('/epcis/events', single(noSignature.event));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/^\/custos:signature: /);
    const wrongRole = commission((e) => {
      e['custos:actor'] = wholesaler.id;
    });
    const rejected = await post('/epcis/events', single(wrongRole.event));
    expect(rejected.status).toBe(400);
    expect(((await rejected.json()) as { detail: string }).detail).toMatch(
      /^(BAD_SIGNATURE|UNKNOWN_KEY|MISSING_ROLE): /,
    );
  });
});
