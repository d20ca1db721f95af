// Issue 12, the ledger-core items, through GraphQL: a unit's trail holds only the events
// that concern it (not a recall of another lot of its GTIN); a genuine case or pallet
// verifies like a unit; a caller kept from the trail learns no party from the findings;
// reading is not scanning (regulators, the admin and package(code) raise no alert); and
// one scanner cannot flood the alert feed.
import { gql, type GraphQLClient } from 'graphql-request';
import { Client } from 'pg';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { ALERT_BUDGET } from '../../libs/verification/src/verification-alerts.service';
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
  VERIFY,
  type VerificationAnswer,
} from '../fixtures/ledger-world';

const ADMIN_TOKEN = 'verify-hardening-e2e-admin-token-0123456789abcdef';
const PACKAGE = gql`
  query ($code: String!) {
    package(code: $code) {
      identifier
      status
      custodian {
        id
      }
      trail {
        eventId
        type
      }
    }
  }
`;

async function verify(client: GraphQLClient, code: string) {
  return (await client.request<VerificationAnswer>(VERIFY, { code })).verifyPackage;
}
const codes = (answer: VerificationAnswer['verifyPackage']) =>
  answer.findings.map((f) => f.code).sort();

describe('verifyPackage: issue 12 (ledger core)', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let world: LedgerWorld;
  let pg: Client;
  let maker: Party;
  let wholesaler: Party;
  let pharmacy: Party;
  let stranger: Party;
  let regulator: Party;
  let boxes = 0;
  const box = () => ssccUri(sscc(`0${COMPANY_PREFIX}${String(++boxes).padStart(9, '0')}`));

  beforeAll(async () => {
    db = await createTestDatabase('verify-hardening');
    app = await startApp(
      serverConfig(db, testQueuePrefix('verify-hardening'), {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        SEAL_MAX_WAIT_MS: '50',
      }),
      { logger: process.env.CUSTOS_TEST_LOGS ? undefined : false },
    );
    world = new LedgerWorld(app.url, ADMIN_TOKEN);
    maker = await world.register(gln('950600000000'), 'Maker', ['MANUFACTURER'], [COMPANY_PREFIX]);
    wholesaler = await world.register(gln('950600000001'), 'Wholesale', ['DISTRIBUTOR']);
    pharmacy = await world.register(gln('950600000002'), 'Pharmacy', ['DISPENSER']);
    stranger = await world.register(gln('950600000003'), 'Other Pharmacy', ['DISPENSER']);
    regulator = await world.register(gln('950600000004'), 'Agency', ['REGULATOR']);
    for (const party of [maker, wholesaler, pharmacy, stranger, regulator])
      await world.signIn(party);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await app?.stop();
    await db?.drop();
  });

  const alertsOf = async (identifier: string) =>
    (
      await pg.query<{ code: string; participant_id: string | null }>(
        'SELECT code, participant_id FROM alert WHERE identifier = $1 ORDER BY id',
        [identifier],
      )
    ).rows;
  const sealAll = async () => {
    const { rows } = await pg.query<{ n: string }>('SELECT count(*)::text AS n FROM ledger_event');
    await world.sealedUpTo(regulator.client!, Number(rows[0]!.n));
  };

  /** Commission `serial` of `lot`, pack it in a case, ship the case to the pharmacy, receive, unpack. */
  async function deliver(serial: string, lot: string): Promise<string> {
    const unit = unitUri(serial);
    const caseId = box();
    await world.submit(maker, [
      world.signed(maker, 'COMMISSION', { items: [unit], lot, expiry: '2030-12-31' }),
      world.signed(maker, 'PACK', { items: [unit], parent: caseId }),
      world.signed(maker, 'SHIP', { items: [caseId], to: pharmacy.id }),
    ]);
    await world.act(pharmacy, 'RECEIVE', { items: [caseId], from: maker.id });
    await world.act(pharmacy, 'UNPACK', { items: [unit], parent: caseId });
    return unit;
  }

  it('a recall of one lot is not in the trail or proof of a unit of another lot of the GTIN', async () => {
    const mine = await deliver('LOTA1', 'LA');
    const theirs = await deliver('LOTB1', 'LB');
    const recall = await world.act(maker, 'RECALL', { gtin: GTIN, lot: 'LB' });
    await sealAll();

    const a = await verify(regulator.client!, mine);
    expect(a.verdict).toBe('AUTHENTIC');
    expect(a.trail.map((t) => t.type)).toEqual(['COMMISSION', 'PACK', 'SHIP', 'RECEIVE', 'UNPACK']);
    expect(a.proof!.entries.map((e) => e.eventId)).not.toContain(recall);

    const b = await verify(regulator.client!, theirs);
    expect(codes(b)).toEqual(['RECALLED']);
    expect(b.trail.at(-1)).toMatchObject({ type: 'RECALL', eventId: recall });
    expect(b.proof!.entries.map((e) => e.eventId)).toContain(recall);
  });

  it('a genuine case, then a pallet, verify like a unit: own history, custody, no alert', async () => {
    const unit = unitUri('CASE1');
    const caseId = box();
    const pallet = box();
    await world.submit(maker, [
      world.signed(maker, 'COMMISSION', { items: [unit], lot: 'L1', expiry: '2030-12-31' }),
      world.signed(maker, 'PACK', { items: [unit], parent: caseId }),
      world.signed(maker, 'SHIP', { items: [caseId], to: wholesaler.id }),
    ]);
    await world.act(wholesaler, 'RECEIVE', { items: [caseId], from: maker.id });
    await sealAll();

    const received = await verify(wholesaler.client!, caseId);
    expect(received).toMatchObject({
      identifier: caseId,
      verdict: 'AUTHENTIC',
      status: 'ACTIVE',
      custodian: { id: wholesaler.id },
      product: null,
    });
    expect(received.findings).toEqual([]);
    expect(received.trail.map((t) => t.type)).toEqual(['PACK', 'SHIP', 'RECEIVE']);
    expect(received.proof!.entries).toHaveLength(3);

    // Packed on a pallet and shipped on: the case is in transit with it (inherited custody).
    await world.submit(wholesaler, [
      world.signed(wholesaler, 'PACK', { items: [caseId], parent: pallet }),
      world.signed(wholesaler, 'SHIP', { items: [pallet], to: pharmacy.id }),
    ]);
    await world.act(pharmacy, 'RECEIVE', { items: [pallet], from: wholesaler.id });
    await sealAll();
    const onPallet = await verify(pharmacy.client!, caseId);
    expect(onPallet).toMatchObject({
      verdict: 'AUTHENTIC',
      status: 'ACTIVE',
      custodian: { id: pharmacy.id },
    });
    expect(onPallet.trail.map((t) => t.type)).toEqual([
      'PACK',
      'SHIP',
      'RECEIVE',
      'PACK',
      'SHIP',
      'RECEIVE',
    ]);
    const palletAnswer = await verify(pharmacy.client!, pallet);
    expect(palletAnswer).toMatchObject({ verdict: 'AUTHENTIC', status: 'ACTIVE' });
    expect(palletAnswer.trail.map((t) => t.type)).toEqual(['PACK', 'SHIP', 'RECEIVE']);
    const unitAnswer = await verify(pharmacy.client!, unit);
    expect(unitAnswer).toMatchObject({ verdict: 'AUTHENTIC', custodian: { id: pharmacy.id } });

    const read = await regulator.client!.request<{
      package: { status: string; custodian: { id: string }; trail: unknown[] };
    }>(PACKAGE, { code: caseId });
    expect(read.package).toMatchObject({ status: 'ACTIVE', custodian: { id: pharmacy.id } });
    expect(read.package.trail).toHaveLength(6);
    expect(await alertsOf(caseId)).toEqual([]);
    expect(await alertsOf(pallet)).toEqual([]);
  });

  it('a caller kept from the trail learns no party and no event id from the findings', async () => {
    const unit = await deliver('LEAK1', 'L1');
    await world.act(pharmacy, 'DISPENSE', { items: [unit] });
    const shipped = unitUri('LEAK2');
    await world.submit(maker, [
      world.signed(maker, 'COMMISSION', { items: [shipped], lot: 'L1', expiry: '2030-12-31' }),
      world.signed(maker, 'SHIP', { items: [shipped], to: wholesaler.id }),
    ]);
    const parties = [maker.id, wholesaler.id, pharmacy.id];
    for (const code of [unit, shipped]) {
      const hidden = await verify(stranger.client!, code);
      expect(hidden.trail).toEqual([]);
      expect(hidden.findings.length).toBeGreaterThan(0);
      for (const f of hidden.findings) {
        for (const id of parties) expect(f.message).not.toContain(id);
        expect(f.eventId).toBeNull();
      }
      // The regulator reads the whole story: parties and event ids.
      const full = await verify(regulator.client!, code);
      expect(full.findings.map((f) => f.message).join(' ')).toMatch(
        new RegExp(`${pharmacy.id}|${wholesaler.id}`),
      );
      expect(full.findings.some((f) => f.eventId !== null)).toBe(true);
    }
    expect(codes(await verify(stranger.client!, unit))).toContain('ALREADY_DISPENSED');
  });

  it('reading is not scanning: regulators, the admin and package(code) raise no alert', async () => {
    const never = unitUri('NEVER-R1');
    expect((await verify(regulator.client!, never)).verdict).toBe('COUNTERFEIT');
    expect((await verify(world.admin, never)).verdict).toBe('COUNTERFEIT');
    const dispensed = await deliver('READ1', 'L1');
    await world.act(pharmacy, 'DISPENSE', { items: [dispensed] });
    await regulator.client!.request(PACKAGE, { code: dispensed });
    await pharmacy.client!.request(PACKAGE, { code: dispensed });
    expect(await alertsOf(never)).toEqual([]);
    expect(await alertsOf(dispensed)).toEqual([]);
    // A trading partner's scan still does.
    await verify(pharmacy.client!, dispensed);
    expect(await alertsOf(dispensed)).toEqual([
      { code: 'ALREADY_DISPENSED', participant_id: pharmacy.id },
    ]);
  });

  it(`one scanner of random codes raises at most ${ALERT_BUDGET} alerts, then one flood alert`, async () => {
    const prober = await world.register(gln('950600000009'), 'Prober', ['DISPENSER']);
    await world.signIn(prober);
    for (let i = 0; i < ALERT_BUDGET + 15; i++) {
      expect((await verify(prober.client!, unitUri(`RANDOM${i}`))).verdict).toBe('COUNTERFEIT');
    }
    const { rows } = await pg.query<{ code: string; n: string; message: string }>(
      `SELECT code, count(*)::text AS n, max(message) AS message FROM alert
        WHERE participant_id = $1 GROUP BY code ORDER BY code`,
      [prober.id],
    );
    expect(rows.map((r) => [r.code, Number(r.n)])).toEqual([
      ['UNKNOWN_IDENTIFIER', ALERT_BUDGET],
      ['VERIFICATION_FLOOD', 1],
    ]);
    expect(rows[1]!.message).toMatch(new RegExp(`${prober.id} reached ${ALERT_BUDGET} `));
    // Another scanner is not held back by the prober's flood.
    await verify(stranger.client!, unitUri('NEVER-S1'));
    expect(await alertsOf(unitUri('NEVER-S1'))).toEqual([
      { code: 'UNKNOWN_IDENTIFIER', participant_id: stranger.id },
    ]);
  });
});
