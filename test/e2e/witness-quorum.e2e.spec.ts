// LEDGER_UNWITNESSED end to end (SPEC sections 6 and 9): a ledger with two witnesses
// (scripted over HTTP, quorum 1) answers SUSPECT with LEDGER_UNWITNESSED while no witness
// has cosigned its checkpoint, AUTHENTIC once one has, SUSPECT again (GraphQL and VRS)
// while a witness's larger tree stands as an unresolved LEDGER_ROLLBACK, whatever the other
// witness cosigns, with custos_ledger_rollback at 1; the admin's resolve clears it.
// Stale cosignatures (older than CUSTOS_WITNESS_MAX_AGE_SECONDS) do not count.
import { gql } from 'graphql-request';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { checkProof } from '../../apps/web/src/proof';
import {
  COMPANY_PREFIX,
  GTIN,
  gln,
  LedgerWorld,
  type Party,
  unitUri,
  VERIFY,
  type VerificationAnswer,
} from '../fixtures/ledger-world';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import { type ScriptedWitness, startScriptedWitness } from '../witness/scripted-witness';

const ADMIN_TOKEN = 'witness-quorum-e2e-admin-token-0123456789abcdef';
const CHECKPOINT = gql`
  {
    checkpoint {
      treeSize
      note
      witnessed
      cosignatures {
        name
        keyId
        timestamp
      }
    }
  }
`;
interface CheckpointAnswer {
  checkpoint: {
    treeSize: number;
    note: string;
    witnessed: boolean;
    cosignatures: { name: string; keyId: string; timestamp: string }[];
  };
}
const RESOLVE = gql`
  mutation ($reason: String!) {
    resolveLedgerRollback(reason: $reason)
  }
`;
const refuse = () => ({ status: 403, body: 'unknown log key\n' });

describe('LEDGER_UNWITNESSED: quorum, freshness, rollback', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let world: LedgerWorld;
  let maker: Party;
  let pharmacy: Party;
  let w1: ScriptedWitness;
  let w2: ScriptedWitness;
  let serial = 0;

  beforeAll(async () => {
    w1 = await startScriptedWitness('witness.test/q1', 21);
    w2 = await startScriptedWitness('witness.test/q2', 22);
    w1.answer = refuse;
    w2.answer = refuse;
    db = await createTestDatabase('wquorum');
    app = await startApp(
      serverConfig(db, testQueuePrefix('wquorum'), {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        SEAL_MAX_WAIT_MS: '50',
        CUSTOS_WITNESSES: `${w1.entry};${w2.entry}`,
        CUSTOS_WITNESS_QUORUM: '1',
        CUSTOS_WITNESS_MAX_AGE_SECONDS: '600',
      }),
      { logger: process.env.CUSTOS_TEST_LOGS ? undefined : false },
    );
    world = new LedgerWorld(app.url, ADMIN_TOKEN);
    // The scan page's in-browser check fetches /graphql relative to the page.
    const fetchOf = globalThis.fetch;
    globalThis.fetch = (input, init) =>
      fetchOf(typeof input === 'string' && input.startsWith('/') ? app.url + input : input, init);
    maker = await world.register(gln('950600000700'), 'Maker', ['MANUFACTURER'], [COMPANY_PREFIX]);
    pharmacy = await world.register(gln('950600000701'), 'Pharmacy', ['DISPENSER']);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await w1?.close();
    await w2?.close();
    await db?.drop();
  });

  /** Commissions a new unit, waits for its block to be sealed and sent to both witnesses. */
  async function commission(): Promise<{
    code: string;
    serial: string;
    note: string;
    checkpoint: CheckpointAnswer['checkpoint'];
  }> {
    const s = `Q${++serial}`;
    const before = w1.seen.length + w2.seen.length;
    await world.submit(maker, [
      world.signed(maker, 'COMMISSION', { items: [unitUri(s)], lot: 'L1', expiry: '2030-12-31' }),
    ]);
    // Each witness is sent the new head once its block is sealed (and answers at once).
    for (let i = 0; i < 200; i++) {
      const sizes = [...w1.seen, ...w2.seen].slice(before).map((r) => treeSizeOf(r.checkpoint));
      if (sizes.filter((n) => n === serial).length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The client stores the cosignature after the witness answers: wait for the note.
    let note = '';
    let checkpoint: CheckpointAnswer['checkpoint'] | undefined;
    for (let i = 0; i < 100; i++) {
      ({ checkpoint } = await world.admin.request<CheckpointAnswer>(CHECKPOINT));
      note = checkpoint.note;
      const expected = [w1, w2].filter((w) => w.answer !== refuse).map((w) => w.name);
      if (treeSizeOf(note) === serial && expected.every((name) => note.includes(`\u2014 ${name} `)))
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { code: unitUri(s), serial: s, note, checkpoint: checkpoint! };
  }
  const verify = async (code: string) =>
    (await world.admin.request<VerificationAnswer>(VERIFY, { code })).verifyPackage;
  const unwitnessed = (answer: VerificationAnswer['verifyPackage']) =>
    answer.findings.find((f) => f.code === 'LEDGER_UNWITNESSED');
  const rollbackGauge = async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    return /^custos_ledger_rollback (\d+)$/m.exec(text)?.[1];
  };

  it('no cosignature: SUSPECT with LEDGER_UNWITNESSED naming the quorum', async () => {
    const unit = await commission();
    const answer = await verify(unit.code);
    expect(answer.verdict).toBe('SUSPECT');
    expect(unit.checkpoint).toMatchObject({ witnessed: false, cosignatures: [] });
    expect(unwitnessed(answer)).toMatchObject({ severity: 'WARNING' });
    expect(unwitnessed(answer)!.message).toMatch(
      /lacks a quorum .* 0 of 2 witnesses vouched freshly, quorum 1 not met .*witness.test\/q1: no cosignature/,
    );
    // The in-browser check agrees, since the answer says so itself…
    const inPage = await checkProof(answer);
    expect(inPage).toMatchObject({ kind: 'checked' });
    expect(inPage.kind === 'checked' && inPage.checkpoint).toMatch(
      /; not witnessed: 0 of 2 witnesses vouched freshly/,
    );
    // …and a server that hid the finding is not believed.
    const hidden = { ...answer, findings: [] };
    expect(await checkProof(hidden)).toMatchObject({
      kind: 'failed',
      failed: [expect.stringMatching(/^checkpoint cosigned by a quorum of witnesses: 0 of 2/)],
    });
  });

  it('a fresh cosignature by one witness (quorum 1): AUTHENTIC', async () => {
    w1.answer = (r) => w1.cosign(r);
    const unit = await commission();
    expect(unit.note).toContain('\u2014 witness.test/q1 ');
    expect(unit.checkpoint.witnessed).toBe(true);
    expect(unit.checkpoint.cosignatures).toEqual([
      {
        name: 'witness.test/q1',
        keyId: w1.vkey.split('+')[1],
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as unknown,
      },
    ]);
    const age = Date.now() - Date.parse(unit.checkpoint.cosignatures[0]!.timestamp);
    expect(age).toBeGreaterThanOrEqual(-1000);
    expect(age).toBeLessThan(60_000);
    const answer = await verify(unit.code);
    expect(unwitnessed(answer)).toBeUndefined();
    expect(answer.verdict).toBe('AUTHENTIC');
    const inPage = await checkProof(answer);
    expect(inPage.kind === 'checked' && inPage.checkpoint).toMatch(
      /; witnessed: 1 of 2 witnesses vouched \(quorum 1\): witness.test\/q1 \d+ s ago/,
    );
    expect(await rollbackGauge()).toBe('0');
  });

  it('a cosignature older than CUSTOS_WITNESS_MAX_AGE_SECONDS does not count', async () => {
    w1.answer = (r) => w1.cosign(r, Math.floor(Date.now() / 1000) - 601);
    const unit = await commission();
    expect(unit.note).toContain('\u2014 witness.test/q1 ');
    expect(unit.checkpoint.witnessed).toBe(false);
    expect(unit.checkpoint.cosignatures.map((c) => c.name)).toEqual(['witness.test/q1']);
    const answer = await verify(unit.code);
    expect(answer.verdict).toBe('SUSPECT');
    expect(unwitnessed(answer)!.message).toMatch(/q1: cosigned 6\d\d s ago, more than the 600 s/);
  });

  it('a witness holding a larger tree: LEDGER_ROLLBACK, SUSPECT everywhere until resolved', async () => {
    w1.answer = (r) => w1.cosign(r);
    w2.answer = () => ({ status: 409, type: 'text/x.tlog.size', body: '1000\n' });
    const unit = await commission();
    for (let i = 0; i < 100 && (await rollbackGauge()) !== '1'; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await rollbackGauge()).toBe('1');
    // w1 cosigned freshly, quorum 1 is met: the rollback alone makes it unwitnessed.
    expect(unit.note).toContain('\u2014 witness.test/q1 ');
    const answer = await verify(unit.code);
    expect(answer.verdict).toBe('SUSPECT');
    expect(unwitnessed(answer)!.message).toMatch(
      /a witness has seen a larger tree .* witness.test\/q2\+[0-9a-f]{8} has cosigned a tree of size 1000/,
    );

    // VRS (SPEC 10) rests on the same verification: verified, but Suspect, never plain.
    const exp = '301231';
    const vrs = await fetch(
      `${app.url}/vrs/verify/gtin/${GTIN}/lot/L1/ser/${unit.serial}?exp=${exp}&linkType=verificationService&context=dscsaSaleableReturn&reqGLN=${pharmacy.id}&corrUUID=5f7b6c1e-8a4d-4d3b-9b1e-2c6f0a9d7e31`,
      { headers: { authorization: `Bearer ${pharmacy.token ?? (await signedIn(pharmacy))}` } },
    );
    const body = (await vrs.json()) as { data?: { verified: boolean; additionalInfo?: string } };
    expect(vrs.status).toBe(200);
    expect(body.data).toEqual({ verified: true, additionalInfo: 'Suspect' });

    // Only the admin resolves; a reason is required.
    await expect(
      (pharmacy.client ?? (await world.signIn(pharmacy))).request(RESOLVE, { reason: 'x' }),
    ).rejects.toThrow(/FORBIDDEN|not allowed|admin/i);
    await expect(world.admin.request(RESOLVE, { reason: '  ' })).rejects.toThrow(/reason/);
    // The witness is dealt with (here: it cosigns again), then the operator resolves.
    w2.answer = (r) => w2.cosign(r);
    expect(
      (
        await world.admin.request<{ resolveLedgerRollback: boolean }>(RESOLVE, {
          reason: 'witness q2 was restored from a wrong backup; re-registered',
        })
      ).resolveLedgerRollback,
    ).toBe(true);
    expect(
      (await world.admin.request<{ resolveLedgerRollback: boolean }>(RESOLVE, { reason: 'again' }))
        .resolveLedgerRollback,
    ).toBe(false);
    expect(await rollbackGauge()).toBe('0');
    const after = await commission();
    expect((await verify(after.code)).verdict).toBe('AUTHENTIC');
    expect((await verify(unit.code)).verdict).toBe('AUTHENTIC');
  }, 60_000);

  async function signedIn(party: Party): Promise<string> {
    await world.signIn(party);
    return party.token!;
  }
});

function treeSizeOf(note: string): number {
  return Number(note.split('\n')[1]);
}
