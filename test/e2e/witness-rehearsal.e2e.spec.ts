// The two-witness rehearsal of issue 14, done rather than scripted: one log in services
// mode on its own database, two CUSTOS_ROLE=witness apps each on a database of its own.
// A pharmacy's pack is commissioned, shipped and received in blocks both witnesses cosign;
// the operator takes a backup (pg_dump); the pack is dispensed, sealed and cosigned. Then
// the log's database is restored from that backup (pg_restore into a new database of the
// same name) and the log restarted: it no longer holds the DISPENSE, so without witnesses
// the pack would scan AUTHENTIC again. Both witnesses refuse the shorter tree (409 with
// their larger size), the CRITICAL LEDGER_ROLLBACK alert stands, custos_ledger_rollback is
// 1, and verifyPackage answers LEDGER_UNWITNESSED, never AUTHENTIC.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { gql } from 'graphql-request';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { hexToBytes } from '@custos/ledger/bytes';
import { encodeCosignerVkey } from '@custos/ledger/cosignature';
import { publicKeyOf } from '@custos/ledger/ed25519';
import { encodeVerifierKey } from '@custos/ledger/note';
import {
  COMPANY_PREFIX,
  gln,
  LedgerWorld,
  type Party,
  unitUri,
  sscc,
  ssccUri,
  VERIFY,
  type VerificationAnswer,
} from '../fixtures/ledger-world';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testDatabaseServerUrl,
  testQueuePrefix,
  testSecrets,
  type TestDatabase,
} from '../storage';
import { postAddCheckpoint } from '../witness/tessera-client';
import { verifyCosignatureIndependently } from '../witness/independent-cosignature-verifier';

const ORIGIN = 'custos.test/rehearsal';
const quiet = { logger: process.env.CUSTOS_TEST_LOGS ? undefined : (false as const) };
const CHECKPOINT = gql`
  {
    checkpoint {
      treeSize
      note
      witnessed
    }
  }
`;
interface CheckpointAnswer {
  checkpoint: { treeSize: number; note: string; witnessed: boolean };
}
const ALERTS = gql`
  {
    alerts(code: "LEDGER_ROLLBACK") {
      edges {
        node {
          code
          severity
          message
        }
      }
    }
  }
`;
interface AlertsAnswer {
  alerts: { edges: { node: { code: string; severity: string; message: string } }[] };
}

interface RehearsalWitness {
  readonly name: string;
  readonly vkey: string;
  readonly db: TestDatabase;
  app: RunningApp;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 300) {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('rehearsal: a log restored from a backup, two witnesses', () => {
  const dumps = tempDir('rehearsal-dump');
  const witnesses: RehearsalWitness[] = [];
  let logDb: TestDatabase;
  let log: RunningApp | undefined;
  let world: LedgerWorld;
  let maker: Party;
  let pharmacy: Party;
  const prefix = testQueuePrefix('rehearsal');

  beforeAll(async () => {
    logDb = await createTestDatabase('rehearsal-log');
    const logVkey = encodeVerifierKey(
      ORIGIN,
      publicKeyOf(hexToBytes(testSecrets(logDb).CUSTOS_SEALING_KEY!)),
    );
    for (const [i, name] of ['witness.test/pharma-coop', 'witness.test/regulator'].entries()) {
      const seed = String(i + 1).repeat(64);
      const db = await createTestDatabase(`rehearsal-w${i + 1}`);
      const app = await startApp(
        serverConfig(db, testQueuePrefix(`rehearsal-w${i + 1}`), {
          CUSTOS_ROLE: 'witness',
          CUSTOS_WITNESS_NAME: name,
          CUSTOS_WITNESS_KEY: seed,
          CUSTOS_WITNESS_LOGS: logVkey,
        }),
        quiet,
      );
      witnesses.push({
        name,
        vkey: encodeCosignerVkey(name, publicKeyOf(hexToBytes(seed))),
        db,
        app,
      });
    }
    await startLog();
    world = new LedgerWorld(log!.url, testSecrets(logDb).CUSTOS_ADMIN_TOKEN!);
    maker = await world.register(gln('950600000900'), 'Maker', ['MANUFACTURER'], [COMPANY_PREFIX]);
    pharmacy = await world.register(gln('950600000901'), 'Pharmacy', ['DISPENSER']);
  }, 120_000);

  afterAll(async () => {
    await log?.stop();
    for (const w of witnesses) await w.app.stop();
    await logDb?.drop();
    for (const w of witnesses) await w.db.drop();
    dumps.remove();
  });

  /** The log as its operator runs it: services mode, both witnesses, quorum all. */
  async function startLog(): Promise<void> {
    log = await startApp(
      serverConfig(logDb, prefix, {
        CUSTOS_LOG_ORIGIN: ORIGIN,
        SEAL_MAX_WAIT_MS: '50',
        CUSTOS_WITNESSES: witnesses.map((w) => `${w.vkey} ${w.app.url}`).join(';'),
      }),
      quiet,
    );
    world = new LedgerWorld(log.url, testSecrets(logDb).CUSTOS_ADMIN_TOKEN!);
  }

  /** The log's checkpoint once it is `size` and cosigned by both witnesses. */
  const cosignedAt = (size: number) =>
    until(`a checkpoint of size ${size} cosigned by both witnesses`, async () => {
      const { checkpoint } = await world.admin.request<CheckpointAnswer>(CHECKPOINT);
      const both = witnesses.every((w) => checkpoint.note.includes(`\u2014 ${w.name} `));
      return checkpoint.treeSize === size && both && checkpoint.witnessed ? checkpoint : undefined;
    });
  const verify = async (code: string) =>
    (await world.admin.request<VerificationAnswer>(VERIFY, { code })).verifyPackage;
  const rollbackGauge = async () =>
    /^custos_ledger_rollback (\d+)$/m.exec(await (await fetch(`${log!.url}/metrics`)).text())?.[1];
  const psql = (sql: string) => execFileSync('psql', [testDatabaseServerUrl, '-qAtc', sql]);

  it('both witnesses refuse the restored log, which never answers AUTHENTIC', async () => {
    const unit = unitUri('REH1');
    const box = ssccUri(sscc(`0${COMPANY_PREFIX}000000901`));
    await world.submit(maker, [
      world.signed(maker, 'COMMISSION', { items: [unit], lot: 'L1', expiry: '2030-12-31' }),
    ]);
    await cosignedAt(1);
    await world.submit(maker, [
      world.signed(maker, 'PACK', { items: [unit], parent: box }),
      world.signed(maker, 'SHIP', { items: [box], to: pharmacy.id }),
    ]);
    await cosignedAt(3);
    await world.act(pharmacy, 'RECEIVE', { items: [box], from: maker.id });
    await world.act(pharmacy, 'UNPACK', { items: [unit], parent: box });
    const backedUp = await cosignedAt(5);
    for (const w of witnesses)
      expect(verifyCosignatureIndependently(backedUp.note, { vkey: w.vkey }).name).toBe(w.name);
    expect((await verify(unit)).verdict).toBe('AUTHENTIC');

    // The nightly backup, taken from the running log as operators take it.
    const dump = join(dumps.path, 'log.dump');
    execFileSync('pg_dump', ['--format=custom', `--file=${dump}`, logDb.url]);

    await world.act(pharmacy, 'DISPENSE', { items: [unit] });
    const dispensed = await cosignedAt(6);
    expect(dispensed.witnessed).toBe(true);
    const before = await verify(unit);
    expect(before.verdict).not.toBe('AUTHENTIC');
    expect(before.findings.map((f) => f.code)).toContain('ALREADY_DISPENSED');

    // The insider (or the careless restore): the database goes back to the backup.
    await log!.stop();
    log = undefined;
    psql(`DROP DATABASE "${logDb.name}" WITH (FORCE)`);
    psql(`CREATE DATABASE "${logDb.name}"`);
    execFileSync('pg_restore', ['--no-owner', `--dbname=${logDb.url}`, dump]);
    const restored = new Client({ connectionString: logDb.url });
    await restored.connect();
    try {
      const { rows } = await restored.query<{ n: string }>(
        'SELECT count(*) AS n FROM ledger_event',
      );
      expect(Number(rows[0]!.n)).toBe(5); // the DISPENSE is gone
    } finally {
      await restored.end();
    }
    await startLog();
    // Sessions were the old process's: the parties sign in again.
    for (const party of [maker, pharmacy]) {
      party.client = undefined;
      party.token = undefined;
    }

    // The log submits its head at start; each witness holds size 6 and says so.
    await until('the LEDGER_ROLLBACK alert', async () =>
      (await rollbackGauge()) === '1' ? true : undefined,
    );
    const { checkpoint } = await world.admin.request<CheckpointAnswer>(CHECKPOINT);
    expect(checkpoint.treeSize).toBe(5);
    for (const w of witnesses) {
      const answer = await postAddCheckpoint(w.app.url, 5, [], checkpoint.note);
      expect(answer).toEqual({ status: 409, contentType: 'text/x.tlog.size', body: '6\n' });
    }
    const alerts = await until('one alert per witness', async () => {
      const { alerts } = await world.admin.request<AlertsAnswer>(ALERTS);
      return alerts.edges.length >= 2 ? alerts.edges.map((e) => e.node) : undefined;
    });
    expect(alerts.map((a) => a.severity)).toEqual(['CRITICAL', 'CRITICAL']);
    for (const w of witnesses)
      expect(alerts.map((a) => a.message).join('\n')).toMatch(
        new RegExp(
          `${w.name.replace('/', '\\/')}\\+[0-9a-f]{8} has cosigned a tree of size 6, larger than this log's 5`,
        ),
      );

    // The pack's DISPENSE is lost; the answer still may not be AUTHENTIC.
    const after = await verify(unit);
    expect(after.findings.map((f) => f.code)).not.toContain('ALREADY_DISPENSED');
    expect(after.verdict).toBe('SUSPECT');
    expect(after.findings.find((f) => f.code === 'LEDGER_UNWITNESSED')?.message).toMatch(
      /a witness has seen a larger tree/,
    );

    // Sealing on top of the restored tail does not win the witnesses back: a new block
    // at size 6 has another root than the one they cosigned.
    await world.submit(maker, [
      world.signed(maker, 'COMMISSION', {
        items: [unitUri('REH2')],
        lot: 'L1',
        expiry: '2030-12-31',
      }),
    ]);
    await world.sealedUpTo(world.admin, 6);
    const forked = await world.admin.request<CheckpointAnswer>(CHECKPOINT);
    expect(forked.checkpoint.treeSize).toBe(6);
    for (const w of witnesses) expect(forked.checkpoint.note).not.toContain(`\u2014 ${w.name} `);
    expect((await verify(unit)).verdict).toBe('SUSPECT');
    expect(await rollbackGauge()).toBe('1');
  }, 240_000);
});
