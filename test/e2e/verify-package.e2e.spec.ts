// verifyPackage end to end (SPEC section 6): participants registered, signed in with their
// private keys, events submitted and sealed through GraphQL; every finding code checked
// through the API, the read rules, the once-a-day alert, the offline check of the answer,
// and tampering with stored rows behind the application's back.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { gql, type GraphQLClient } from 'graphql-request';
import { Client } from 'pg';
import { checkVerificationBundle } from '../../libs/ledger/src/verification-bundle';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testQueuePrefix,
  type TestDatabase,
} from '../storage';
import { MAIN } from '../product';
import { ParticipantService } from '../../libs/participants/src/participant.service';
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

const ADMIN_TOKEN = 'verify-package-e2e-admin-token-0123456789abcdef';

async function verify(client: GraphQLClient, code: string) {
  return (await client.request<VerificationAnswer>(VERIFY, { code })).verifyPackage;
}
const codes = (answer: VerificationAnswer['verifyPackage']) =>
  answer.findings.map((f) => f.code).sort();

interface World {
  db: TestDatabase;
  app: RunningApp;
  world: LedgerWorld;
  maker: Party;
  wholesaler: Party;
  pharmacy: Party;
  otherPharmacy: Party;
  regulator: Party;
}

async function startWorld(label: string, env: Record<string, string> = {}): Promise<World> {
  const db = await createTestDatabase(label);
  const app = await startApp(
    serverConfig(db, testQueuePrefix(label), {
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
      SEAL_MAX_WAIT_MS: '50',
      ...env,
    }),
    { logger: process.env.CUSTOS_TEST_LOGS ? undefined : false },
  );
  const world = new LedgerWorld(app.url, ADMIN_TOKEN);
  const maker = await world.register(
    gln('950600000000'),
    'Maker Pharma',
    ['MANUFACTURER'],
    [COMPANY_PREFIX],
  );
  const wholesaler = await world.register(gln('950600000001'), 'Wholesale Ltd', ['DISTRIBUTOR']);
  const pharmacy = await world.register(gln('950600000002'), 'Corner Pharmacy', ['DISPENSER']);
  const otherPharmacy = await world.register(gln('950600000003'), 'Other Pharmacy', ['DISPENSER']);
  const regulator = await world.register(gln('950600000004'), 'Medicines Agency', ['REGULATOR']);
  for (const party of [maker, wholesaler, pharmacy, otherPharmacy, regulator])
    await world.signIn(party);
  return { db, app, world, maker, wholesaler, pharmacy, otherPharmacy, regulator };
}

async function stopWorld(w: World | undefined): Promise<void> {
  await w?.app.stop();
  await w?.db.drop();
}

let boxes = 0;

/** Commission `serial` and move it maker → pharmacy through a case of its own. */
async function deliver(w: World, serial: string, lot = 'L1', expiry = '2030-12-31'): Promise<void> {
  const unit = unitUri(serial);
  boxes += 1;
  const box = ssccUri(sscc(`0${COMPANY_PREFIX}${String(boxes).padStart(9, '0')}`));
  const { world, maker, pharmacy } = w;
  await world.submit(maker, [
    world.signed(maker, 'COMMISSION', { items: [unit], lot, expiry }),
    world.signed(maker, 'PACK', { items: [unit], parent: box }),
    world.signed(maker, 'SHIP', { items: [box], to: pharmacy.id }),
  ]);
  await world.act(pharmacy, 'RECEIVE', { items: [box], from: maker.id });
  await world.act(pharmacy, 'UNPACK', { items: [unit], parent: box });
}

async function treeSizeNow(w: World): Promise<number> {
  const pg = new Client({ connectionString: w.db.url });
  await pg.connect();
  const { rows } = await pg.query<{ n: string }>('SELECT count(*)::text AS n FROM ledger_event');
  await pg.end();
  return Number(rows[0]!.n);
}

describe('verifyPackage through GraphQL', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('verify');
  });
  afterAll(() => stopWorld(w));

  it('AUTHENTIC for a unit delivered through a case, with a proof that checks offline', async () => {
    await deliver(w, 'AUTH1');
    await w.world.sealedUpTo(w.regulator.client!, await treeSizeNow(w));
    const answer = await verify(w.pharmacy.client!, `(01)${GTIN}(21)AUTH1(10)L1(17)301231`);
    expect(answer).toMatchObject({
      identifier: unitUri('AUTH1'),
      verdict: 'AUTHENTIC',
      findings: [],
      status: 'ACTIVE',
      product: { gtin: GTIN, lot: 'L1', expiry: '2030-12-31' },
      custodian: { id: w.pharmacy.id, name: 'Corner Pharmacy' },
    });
    expect(answer.trail.map((t) => t.type)).toEqual([
      'COMMISSION',
      'PACK',
      'SHIP',
      'RECEIVE',
      'UNPACK',
    ]);
    expect(answer.trail.every((t) => t.sealed && t.leafIndex !== null)).toBe(true);
    expect(answer.proof?.entries).toHaveLength(5);

    const { ledgerKey } = await w.world.anonymous().request<{ ledgerKey: string }>(gql`
      {
        ledgerKey
      }
    `);
    const report = checkVerificationBundle(answer, [ledgerKey]);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);

    // The offline verifier, as an auditor runs it: the built CLI on the saved answer.
    const dir = tempDir('bundle');
    const file = join(dir.path, 'answer.json');
    writeFileSync(file, JSON.stringify({ data: { verifyPackage: answer } }));
    const cli = join(MAIN, '..', '..', '..', 'cli', 'src', 'main.js');
    const output = execFileSync(
      process.execPath,
      [cli, 'verify-bundle', file, '--key', ledgerKey],
      { encoding: 'utf8' },
    );
    expect(output).toMatch(/^OK: \d+ checks passed$/m);
    answer.trail[0]!.actor = w.otherPharmacy.id;
    writeFileSync(file, JSON.stringify(answer));
    expect(() =>
      execFileSync(process.execPath, [cli, 'verify-bundle', file, '--key', ledgerKey], {
        stdio: 'pipe',
      }),
    ).toThrow(/Command failed/);
    dir.remove();
  });

  it('reads the custodian only when the query asks for it, through fragments too', async () => {
    const reads = jest.spyOn(w.app.app.get(ParticipantService), 'findMany');
    const code = unitUri('AUTH1');
    const verdictOnly = await w.pharmacy.client!.request<{
      verifyPackage: { verdict: string; proof: { entries: unknown[] } };
    }>(
      `query ($code: String!) { verifyPackage(code: $code) { verdict proof { entries { leafIndex } } } }`,
      {
        code,
      },
    );
    expect(verdictOnly.verifyPackage.verdict).toBe('AUTHENTIC');
    expect(verdictOnly.verifyPackage.proof.entries).toHaveLength(5);
    expect(reads).not.toHaveBeenCalled();
    const viaFragment = await w.pharmacy.client!.request<{
      verifyPackage: { verdict: string; custodian: { id: string; name: string } };
    }>(
      `query ($code: String!) { verifyPackage(code: $code) { ...Held } }
       fragment Held on Verification { verdict ... on Verification { custodian { id name } } }`,
      { code },
    );
    expect(viaFragment.verifyPackage).toEqual({
      verdict: 'AUTHENTIC',
      custodian: { id: w.pharmacy.id, name: 'Corner Pharmacy' },
    });
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
  });

  it('gives every signed-in scanner the verdict, but the trail only to those it passed through', async () => {
    const other = await verify(w.otherPharmacy.client!, unitUri('AUTH1'));
    expect(other).toMatchObject({
      verdict: 'SUSPECT',
      status: 'ACTIVE',
      custodian: null,
      trail: [],
      proof: null,
    });
    expect(codes(other)).toEqual(['NOT_IN_YOUR_CUSTODY']);
    const regulator = await verify(w.regulator.client!, unitUri('AUTH1'));
    expect(regulator).toMatchObject({ verdict: 'AUTHENTIC', findings: [] });
    expect(regulator.trail).toHaveLength(5);
    await expect(w.world.anonymous().request(VERIFY, { code: unitUri('AUTH1') })).rejects.toThrow(
      /UNAUTHENTICATED|sign in/,
    );
  });

  it('UNKNOWN_IDENTIFIER (COUNTERFEIT) for a serial never commissioned, with one alert a day', async () => {
    const answer = await verify(w.pharmacy.client!, `]d201${GTIN}21NOPE99`);
    expect(answer).toMatchObject({ verdict: 'COUNTERFEIT', identifier: unitUri('NOPE99') });
    expect(codes(answer)).toEqual(['UNKNOWN_IDENTIFIER']);
    await verify(w.pharmacy.client!, unitUri('NOPE99'));
    const pg = new Client({ connectionString: w.db.url });
    await pg.connect();
    const { rows } = await pg.query(
      `SELECT code, participant_id FROM alert WHERE identifier = $1`,
      [unitUri('NOPE99')],
    );
    await pg.end();
    expect(rows).toEqual([{ code: 'UNKNOWN_IDENTIFIER', participant_id: w.pharmacy.id }]);
  });

  it('PRODUCT_MISMATCH when the scanned lot or expiry differs from the commissioned one', async () => {
    expect(codes(await verify(w.pharmacy.client!, `${unitUri('AUTH1')}?10=L2`))).toEqual([
      'PRODUCT_MISMATCH',
    ]);
    expect(codes(await verify(w.pharmacy.client!, `(01)${GTIN}(17)291231(10)L1(21)AUTH1`))).toEqual(
      ['PRODUCT_MISMATCH'],
    );
  });

  it('ALREADY_DISPENSED after dispensing, and the second DISPENSE is flagged too', async () => {
    await deliver(w, 'DISP1');
    await w.world.act(w.pharmacy, 'DISPENSE', { items: [unitUri('DISP1')] });
    const once = await verify(w.pharmacy.client!, unitUri('DISP1'));
    expect(once).toMatchObject({ verdict: 'COUNTERFEIT', status: 'DISPENSED' });
    expect(codes(once)).toContain('ALREADY_DISPENSED');
    expect(codes(once).filter((c) => c !== 'ALREADY_DISPENSED' && c !== 'UNSEALED_EVENTS')).toEqual(
      [],
    );
    const second = await w.world.act(w.pharmacy, 'DISPENSE', { items: [unitUri('DISP1')] });
    const twice = await verify(w.regulator.client!, unitUri('DISP1'));
    expect(twice.findings.some((f) => f.code === 'ALREADY_DISPENSED' && f.eventId === second)).toBe(
      true,
    );
  });

  it('DECOMMISSIONED (COUNTERFEIT) once reported stolen', async () => {
    await deliver(w, 'STOLEN1');
    await w.world.act(w.pharmacy, 'DECOMMISSION', {
      items: [unitUri('STOLEN1')],
      reason: 'STOLEN',
    });
    const answer = await verify(w.pharmacy.client!, unitUri('STOLEN1'));
    expect(answer).toMatchObject({ verdict: 'COUNTERFEIT', status: 'DECOMMISSIONED' });
    expect(codes(answer)).toContain('DECOMMISSIONED');
  });

  it('CUSTODY_BREAK when a party that does not hold the unit ships it; custody does not move', async () => {
    await deliver(w, 'BREAK1');
    const foreign = await w.world.act(w.wholesaler, 'SHIP', {
      items: [unitUri('BREAK1')],
      to: w.otherPharmacy.id,
    });
    const answer = await verify(w.pharmacy.client!, unitUri('BREAK1'));
    expect(answer).toMatchObject({
      verdict: 'SUSPECT',
      custodian: { id: w.pharmacy.id },
      status: 'ACTIVE',
    });
    expect(answer.findings.find((f) => f.code === 'CUSTODY_BREAK')?.eventId).toBe(foreign);
  });

  it('CONFLICTING_CUSTODY for a second COMMISSION of a serial', async () => {
    await deliver(w, 'TWIN1');
    await w.world.act(w.maker, 'COMMISSION', {
      items: [unitUri('TWIN1')],
      lot: 'L1',
      expiry: '2030-12-31',
    });
    expect(codes(await verify(w.pharmacy.client!, unitUri('TWIN1')))).toContain(
      'CONFLICTING_CUSTODY',
    );
  });

  it('RECALLED once its lot is recalled; EXPIRED past its expiry', async () => {
    await deliver(w, 'RCL1', 'L9');
    await w.world.act(w.maker, 'RECALL', { gtin: GTIN, lot: 'L9' });
    expect(codes(await verify(w.pharmacy.client!, unitUri('RCL1')))).toContain('RECALLED');
    await deliver(w, 'OLD1', 'L1', '2021-01-31');
    const old = await verify(w.pharmacy.client!, unitUri('OLD1'));
    expect(codes(old)).toContain('EXPIRED');
    expect(old.verdict).toBe('SUSPECT');
  });

  it('IN_TRANSIT (INFO) while shipped and not yet received; the recipient may scan it', async () => {
    const unit = unitUri('SHIP1');
    await w.world.submit(w.maker, [
      w.world.signed(w.maker, 'COMMISSION', { items: [unit], lot: 'L1', expiry: '2030-12-31' }),
      w.world.signed(w.maker, 'SHIP', { items: [unit], to: w.wholesaler.id }),
    ]);
    const answer = await verify(w.wholesaler.client!, unit);
    expect(answer).toMatchObject({
      verdict: 'AUTHENTIC',
      status: 'IN_TRANSIT',
      custodian: { id: w.maker.id },
    });
    expect(codes(answer).filter((c) => c !== 'UNSEALED_EVENTS')).toEqual(['IN_TRANSIT']);
  });

  it('refuses a code that is not a package, naming the field', async () => {
    await expect(verify(w.pharmacy.client!, `(01)${GTIN}`)).rejects.toThrow(
      /code: a package is a unit/,
    );
    await expect(verify(w.pharmacy.client!, '(01)09506000134353(21)X')).rejects.toThrow(
      /code: .*check digit/,
    );
  });
});

describe('verifyPackage with no worker running', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('unsealed', { CUSTOS_ROLE: 'api' });
  });
  afterAll(() => stopWorld(w));

  it('UNSEALED_EVENTS (INFO) while events are accepted but not yet in a block', async () => {
    await deliver(w, 'NEW1');
    const answer = await verify(w.pharmacy.client!, unitUri('NEW1'));
    expect(answer).toMatchObject({ verdict: 'AUTHENTIC', proof: null });
    expect(codes(answer)).toEqual(['UNSEALED_EVENTS']);
    expect(answer.trail.every((t) => !t.sealed)).toBe(true);
  });
});

describe('verifyPackage after rows were changed behind the application', () => {
  let w: World;
  let pg: Client;
  beforeAll(async () => {
    w = await startWorld('tamper');
    for (const serial of ['T1', 'T2', 'T3', 'T4']) await deliver(w, serial);
    await w.world.sealedUpTo(w.regulator.client!, await treeSizeNow(w));
    pg = new Client({ connectionString: w.db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await stopWorld(w);
  });

  const integrity = async (serial: string) => {
    const answer = await verify(w.regulator.client!, unitUri(serial));
    return {
      verdict: answer.verdict,
      failed: answer.findings.filter((f) => f.code === 'INTEGRITY_FAILURE'),
    };
  };

  it('all four verify before tampering', async () => {
    for (const serial of ['T1', 'T2', 'T3', 'T4'])
      expect((await integrity(serial)).verdict).toBe('AUTHENTIC');
  });

  it('an edited stored event is an INTEGRITY_FAILURE of that package', async () => {
    await pg.query(
      `UPDATE ledger_event SET event_json = replace(event_json, '"L1"', '"L7"')
        WHERE event_id = (SELECT e.event_id FROM ledger_event e JOIN event_item i ON i.event_seq = e.seq
                           WHERE i.identifier = $1 AND e.type = 'COMMISSION')`,
      [unitUri('T1')],
    );
    const t1 = await integrity('T1');
    expect(t1.verdict).toBe('COUNTERFEIT');
    expect(t1.failed.map((f) => f.message).join()).toMatch(/stored content differs/);
  });

  it('an edited stored node hash breaks the inclusion proofs that use it', async () => {
    const { rows } = await pg.query<{ leaf_index: string }>(
      `SELECT e.leaf_index::text FROM ledger_event e JOIN event_item i ON i.event_seq = e.seq
        WHERE i.identifier = $1 AND e.type = 'COMMISSION'`,
      [unitUri('T2')],
    );
    const leaf = Number(rows[0]!.leaf_index);
    // The leaf's sibling at level 0 is on every proof of this leaf.
    await pg.query(
      `UPDATE tree_node SET hash = decode(repeat('ab', 32), 'hex') WHERE level = 0 AND index = $1`,
      [leaf ^ 1],
    );
    const t2 = await integrity('T2');
    expect(t2.verdict).toBe('COUNTERFEIT');
    expect(t2.failed.map((f) => f.message).join()).toMatch(/inclusion in the signed checkpoint/);
  });

  it('an edited block row is an INTEGRITY_FAILURE of the packages sealed in it', async () => {
    const { rows } = await pg.query<{ block_height: number }>(
      `SELECT e.block_height FROM ledger_event e JOIN event_item i ON i.event_seq = e.seq
        WHERE i.identifier = $1 AND e.type = 'UNPACK'`,
      [unitUri('T4')],
    );
    await pg.query(`UPDATE block SET sealed_at = '2001-01-01T00:00:00Z' WHERE height = $1`, [
      rows[0]!.block_height,
    ]);
    const t4 = await integrity('T4');
    expect(t4.verdict).toBe('COUNTERFEIT');
    expect(t4.failed.map((f) => f.message).join()).toMatch(/does not hash to its recorded hash/);
  });
});
