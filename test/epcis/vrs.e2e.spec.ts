// The DSCSA verification responder end to end (GS1 US LWMS 1.3, SPEC section 10): trading
// partners registered and signed in through GraphQL, units moved with signed events, then
// asked about over plain HTTP as a VRS asks. Every row of the LWMS scenario matrix, the
// requester rules (401/403), the 400s naming the field, the 404 of a GTIN not here.
import { Client } from 'pg';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import {
  COMPANY_PREFIX,
  GTIN,
  gln,
  gtin,
  LedgerWorld,
  type Party,
  sscc,
  ssccUri,
  unitUri,
  VERIFY,
  type VerificationAnswer,
} from '../fixtures/ledger-world';

const ADMIN_TOKEN = 'vrs-e2e-admin-token-0123456789abcdef0123';

let db: TestDatabase;
let app: RunningApp;
let world: LedgerWorld;
let maker: Party;
let wholesaler: Party;
let pharmacy: Party;
let otherPharmacy: Party;
let regulator: Party;
let boxes = 0;

beforeAll(async () => {
  db = await createTestDatabase('vrs');
  app = await startApp(
    serverConfig(db, testQueuePrefix('vrs'), {
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
  otherPharmacy = await world.register(gln('950600000003'), 'Other Pharmacy', ['DISPENSER']);
  regulator = await world.register(gln('950600000004'), 'Medicines Agency', ['REGULATOR']);
  for (const party of [maker, wholesaler, pharmacy, otherPharmacy, regulator])
    await world.signIn(party);
});

afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

/** Commission `serial` (lot, expiry) and move it from the maker to `to` through a case. */
async function deliver(
  serial: string,
  lot = 'L1',
  expiry = '2030-12-31',
  to: Party = wholesaler,
): Promise<void> {
  const unit = unitUri(serial);
  boxes += 1;
  const box = ssccUri(sscc(`0${COMPANY_PREFIX}${String(boxes).padStart(9, '0')}`));
  await world.submit(maker, [
    world.signed(maker, 'COMMISSION', { items: [unit], lot, expiry }),
    world.signed(maker, 'PACK', { items: [unit], parent: box }),
    world.signed(maker, 'SHIP', { items: [box], to: to.id }),
  ]);
  await world.act(to, 'RECEIVE', { items: [box], from: maker.id });
  await world.act(to, 'UNPACK', { items: [unit], parent: box });
}

interface Ask {
  readonly serial: string;
  readonly lot?: string;
  readonly exp?: string;
  readonly as?: Party | undefined;
  readonly query?: Record<string, string | undefined>;
  readonly gtin?: string;
  readonly token?: string;
}

interface VrsAnswer {
  verificationTimestamp: string;
  responderGLN: string;
  data: Record<string, unknown>;
  corrUUID: string;
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
}

async function ask(a: Ask): Promise<{ status: number; type: string; body: VrsAnswer }> {
  const requester = a.as ?? pharmacy;
  const params = new URLSearchParams();
  const query: Record<string, string | undefined> = {
    exp: a.exp ?? '301231',
    linkType: 'verificationService',
    context: 'dscsaSaleableReturn',
    reqGLN: requester.id,
    corrUUID: '5f7b6c1e-8a4d-4d3b-9b1e-2c6f0a9d7e31',
    ...a.query,
  };
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
  const url = `${app.url}/vrs/verify/gtin/${a.gtin ?? GTIN}/lot/${encodeURIComponent(a.lot ?? 'L1')}/ser/${encodeURIComponent(a.serial)}?${params.toString()}`;
  const token = a.token ?? (a.as === undefined && 'as' in a ? undefined : requester.token);
  const response = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (await response.json()) as VrsAnswer,
  };
}

describe('GET /vrs/verify: the LWMS 1.3 scenario matrix', () => {
  beforeAll(async () => {
    await deliver('OK1');
    await deliver('RCL1', 'L9');
    await world.act(maker, 'RECALL', { gtin: GTIN, lot: 'L9' });
    await deliver('BRK1');
    // A party that never held BRK1 ships it: a custody break, the unit stays where it was.
    await world.act(pharmacy, 'SHIP', { items: [unitUri('BRK1')], to: otherPharmacy.id });
    await deliver('DSP1', 'L1', '2030-12-31', pharmacy);
    await world.act(pharmacy, 'DISPENSE', { items: [unitUri('DSP1')] });
    await deliver('TMP1');
    // Behind the application's back: the stored COMMISSION of TMP1 gains a field.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const { rowCount } = await pg.query(
      `UPDATE ledger_event SET event_json = replace(event_json, '"lot":"L1"', '"lot":"L1","note":"x"')
        WHERE event_id = (SELECT e.event_id FROM ledger_event e JOIN event_item i ON i.event_seq = e.seq
                           WHERE i.identifier = $1 AND e.type = 'COMMISSION')`,
      [unitUri('TMP1')],
    );
    await pg.end();
    expect(rowCount).toBe(1);
  });

  it('1. verified: a matching unit in good standing', async () => {
    const before = Date.now();
    const { status, type, body } = await ask({ serial: 'OK1' });
    expect(status).toBe(200);
    expect(type).toMatch(/^application\/json/);
    expect(Object.keys(body)).toEqual([
      'verificationTimestamp',
      'responderGLN',
      'data',
      'corrUUID',
    ]);
    expect(body).toEqual({
      verificationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      responderGLN: maker.id,
      data: { verified: true },
      corrUUID: '5f7b6c1e-8a4d-4d3b-9b1e-2c6f0a9d7e31',
    });
    expect(Date.parse(body.verificationTimestamp)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('2. verified + Recalled: a matching unit of a recalled lot', async () => {
    const { status, body } = await ask({ serial: 'RCL1', lot: 'L9' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ verified: true, additionalInfo: 'Recalled' });
  });

  it('3. verified + Suspect: a matching unit whose custody broke; verifyPackage says why', async () => {
    const { status, body } = await ask({ serial: 'BRK1' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ verified: true, additionalInfo: 'Suspect' });
    const answer = (
      await wholesaler.client!.request<VerificationAnswer>(VERIFY, { code: unitUri('BRK1') })
    ).verifyPackage;
    expect(answer.findings.map((f) => f.code)).toContain('CUSTODY_BREAK');
  });

  it.each([
    ['No_match_GTIN_Serial', { serial: 'NEVER1' }],
    ['No_match_GTIN_Serial_Lot', { serial: 'OK1', lot: 'L2' }],
    ['No_match_GTIN_Serial_Expiry', { serial: 'OK1', exp: '301230' }],
    ['No_match_GTIN_Serial_Lot_Expiry', { serial: 'OK1', lot: 'L2', exp: '301230' }],
  ])('not verified: %s', async (reason, request) => {
    const { status, body } = await ask(request);
    expect(status).toBe(200);
    expect(body.data).toEqual({ verified: false, verificationFailureReason: reason });
  });

  it('not verified: No_reason_provided when the ledger cannot vouch for the record', async () => {
    const { status, body } = await ask({ serial: 'TMP1' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ verified: false, verificationFailureReason: 'No_reason_provided' });
  });

  it('not verified: Not_for_re-distribution once dispensed', async () => {
    const { body } = await ask({ serial: 'DSP1' });
    expect(body.data).toEqual({
      verified: false,
      verificationFailureReason: 'Not_for_re-distribution',
    });
  });

  it('expiry day 00 is the last day of the month; no corrUUID gets one made up', async () => {
    const { body } = await ask({ serial: 'OK1', exp: '301200', query: { corrUUID: undefined } });
    expect(body.data).toEqual({ verified: true });
    expect(body.corrUUID).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('GET /vrs/verify: who may ask, and bad requests', () => {
  it('401 without a session token, and with one that is not a session', async () => {
    const anonymous = await ask({ serial: 'OK1', as: undefined });
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toMatch(/^application\/problem\+json/);
    expect(anonymous.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    const forged = await ask({ serial: 'OK1', token: 'not-a-session' });
    expect(forged.status).toBe(401);
    expect(forged.body.detail).toMatch(/not a valid Custos session/);
  });

  it('403 when reqGLN is not the signed-in party, for a regulator, for the admin', async () => {
    const other = await ask({ serial: 'OK1', query: { reqGLN: wholesaler.id } });
    expect(other.status).toBe(403);
    expect(other.body.detail).toMatch(/^reqGLN: .* is not the signed-in participant/);
    expect((await ask({ serial: 'OK1', as: regulator })).status).toBe(403);
    const admin = await ask({ serial: 'OK1', token: ADMIN_TOKEN });
    expect(admin.status).toBe(403);
    expect(admin.body.detail).toMatch(/admin is not a trading partner/);
  });

  it('400 naming the parameter', async () => {
    const bad = await ask({ serial: 'OK1', exp: '301301' });
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/^application\/problem\+json/);
    expect(bad.body).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    expect(bad.body.detail).toMatch(/^exp: /);
    const gtinBad = await ask({ serial: 'OK1', gtin: '09506000134353' });
    expect(gtinBad.status).toBe(400);
    expect(gtinBad.body.detail).toMatch(/^gtin: .*check digit/);
    const context = await ask({ serial: 'OK1', query: { context: 'somethingElse' } });
    expect(context.body.detail).toMatch(/^context: /);
  });

  it('404 for a GTIN no participant registered', async () => {
    const foreign = gtin('0950700013435');
    const { status, body } = await ask({ serial: 'OK1', gtin: foreign });
    expect(status).toBe(404);
    expect(body.detail).toMatch(new RegExp(`^gtin: ${foreign} is not on this system`));
  });
});

describe('GET /vrs/checkConnectivity', () => {
  const check = (query: Record<string, string>, token?: string) =>
    fetch(`${app.url}/vrs/checkConnectivity?${new URLSearchParams(query).toString()}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('answers the responder GLN of the GTIN to a signed-in trading partner', async () => {
    const response = await check({ gtin: GTIN, reqGLN: pharmacy.id }, pharmacy.token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ responderGLN: maker.id });
  });

  it('401 / 403 / 404 / 400 as the standard says', async () => {
    expect((await check({ gtin: GTIN, reqGLN: pharmacy.id })).status).toBe(401);
    expect((await check({ gtin: GTIN, reqGLN: maker.id }, pharmacy.token)).status).toBe(403);
    expect(
      (await check({ gtin: gtin('0950700013435'), reqGLN: pharmacy.id }, pharmacy.token)).status,
    ).toBe(404);
    const bad = await check({ reqGLN: pharmacy.id }, pharmacy.token);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toBe('gtin: is required');
  });
});
