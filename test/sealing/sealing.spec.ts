// The sealer on the real PostgreSQL: when it seals, what a block holds, how it refuses a
// tampered event, where its key comes from, and a ledger that verifies end to end after
// many random batches.
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { leafInput, signEvent, type EventObject } from '../../libs/ledger/src/events';
import { SEAL_LOCK_KEY } from '../../libs/sealing/src/sealing.repository';
import { ALERT_CHANNEL } from '../../libs/store/src/alert.repository';
import { revokeKeysInSql } from '../key-directory-sql';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import { insertPending, shipEvent, testSigner } from './fixture';
import { checkLedger } from './ledger-check';
import { openSealer, type TestSealer } from './sealer';
import { until } from '../until';

describe('sealing on PostgreSQL', () => {
  let db: TestDatabase;
  let pg: Client;
  const prefix = testQueuePrefix('sealing');
  const a = testSigner('9506000000003');
  const b = testSigner('9506000000010');
  const opened: TestSealer[] = [];

  async function sealer(env: Record<string, string> = {}, migrate = false): Promise<TestSealer> {
    const s = await openSealer(serverConfig(db, prefix, env), { migrate });
    opened.push(s);
    return s;
  }

  beforeAll(async () => {
    db = await createTestDatabase('sealing');
    await (await sealer({}, true)).close();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  beforeEach(async () => {
    await pg.query('TRUNCATE ledger_event, block, tree_node, alert, system_setting CASCADE');
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  const ship = (n: number) => Array.from({ length: n }, (_, i) => shipEvent(a, b.gln, `S${i}`));

  it('seals at SEAL_MAX_EVENTS at once, and a smaller batch once its oldest has waited SEAL_MAX_WAIT_MS', async () => {
    const s = await sealer({ SEAL_MAX_EVENTS: '10', SEAL_MAX_WAIT_MS: '3000' });
    await insertPending(pg, ship(4));
    const early = await s.sealing.sealDue();
    expect(early.blocks).toHaveLength(0);
    expect(early.nextDueMs).toBeGreaterThan(0);
    expect(early.nextDueMs).toBeLessThanOrEqual(3000);

    await insertPending(pg, ship(21));
    const full = await s.sealing.sealDue();
    expect(full.blocks.map((blk) => blk.eventCount)).toEqual([10, 10]);
    expect(full.nextDueMs).toBeDefined(); // 5 left, not yet due

    await new Promise((r) => setTimeout(r, 3050));
    const late = await s.sealing.sealDue();
    expect(late.blocks.map((blk) => [blk.height, blk.firstLeafIndex, blk.eventCount])).toEqual([
      [2, 20, 5],
    ]);
    expect(late.nextDueMs).toBeUndefined();
    expect(await checkLedger(s, pg)).toEqual({ blocks: 3, entries: 25, pending: 0 });
  });

  it('after many random batches and seals, every proof verifies and the naive root is the signed root', async () => {
    const s = await sealer({ SEAL_MAX_EVENTS: '37', SEAL_MAX_WAIT_MS: '1' });
    let total = 0;
    for (let round = 0; round < 40; round++) {
      const n = Math.floor(Math.random() * 60);
      total += n;
      await insertPending(pg, ship(n));
      if (Math.random() < 0.6) await s.sealing.sealDue();
    }
    await new Promise((r) => setTimeout(r, 5));
    await s.sealing.sealDue();
    const summary = await checkLedger(s, pg);
    expect(summary.entries).toBe(total);
    expect(summary.pending).toBe(0);
    expect(summary.blocks).toBeGreaterThanOrEqual(Math.ceil(total / 37));
  }, 180_000); // 40 rounds of random batches and seals, each proof checked

  it('never seals an event whose stored content no longer matches its hash: it stops before it and alerts once', async () => {
    const s = await sealer({ SEAL_MAX_EVENTS: '100', SEAL_MAX_WAIT_MS: '1' });
    // alertRaised subscribers hear of the sealer's alert (issue 12: it was inserted unannounced).
    const listener = new Client({ connectionString: db.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(`${n.channel}:${n.payload ?? ''}`));
    await listener.query(`LISTEN ${ALERT_CHANNEL}`);
    const rows = ship(10);
    await insertPending(pg, rows);
    const tampered = rows[6]!;
    await pg.query(
      `UPDATE ledger_event SET event_json = replace(event_json, 'SHIP', 'SHIP ') WHERE event_id = $1`,
      [tampered.eventId],
    );
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 2; i++) {
      const outcome = await s.sealing.sealDue();
      expect(outcome.halted).toBe(true);
    }
    const counts = await pg.query<{ sealed: string; pending: string }>(
      'SELECT count(leaf_index) AS sealed, count(*) - count(leaf_index) AS pending FROM ledger_event',
    );
    expect(counts.rows[0]).toEqual({ sealed: '6', pending: '4' });
    const alerts = await pg.query('SELECT id, code, severity, event_id FROM alert');
    expect(alerts.rows).toEqual([
      {
        id: expect.any(String),
        code: 'INTEGRITY_FAILURE',
        severity: 'CRITICAL',
        event_id: tampered.eventId,
      },
    ]);
    for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await listener.end();
    expect(heard).toEqual([`${ALERT_CHANNEL}:${String(alerts.rows[0].id)}`]);
    // Restored from the submitter's copy: sealing resumes, in order.
    await pg.query('UPDATE ledger_event SET event_json = $1 WHERE event_id = $2', [
      tampered.eventJson,
      tampered.eventId,
    ]);
    expect((await s.sealing.sealDue()).halted).toBe(false);
    expect(await checkLedger(s, pg)).toEqual({ blocks: 2, entries: 10, pending: 0 });

    // A sealed row edited afterwards: entry answers INTEGRITY_FAILURE instead of the edit.
    await pg.query(`UPDATE ledger_event SET key_id = 'k2' WHERE leaf_index = 3`);
    await expect(s.query.entry(3, { kind: 'admin' })).rejects.toMatchObject({
      code: 'INTEGRITY_FAILURE',
    });
  });

  it('a backlog with a forged signature deep in a later batch: every event before it sealed, none after, one CRITICAL alert', async () => {
    // 250 pending, 10 per block, 10 blocks per transaction: the first transaction reads
    // 100 and verifies the next 100 ahead, where event 137 is signed over other bytes
    // (its content hash matches: only the signature tells). The second transaction's
    // blocks are written, its verdicts come in, the write is taken back and redone up to 136.
    const s = await sealer({ SEAL_MAX_EVENTS: '10', SEAL_MAX_WAIT_MS: '1' });
    const rows = ship(250);
    const forged = shipEvent(a, b.gln, 'F137', (event, secretKey) =>
      signEvent({ ...event, to: a.gln }, secretKey),
    );
    rows[137] = forged;
    await insertPending(pg, rows);
    const first = await s.sealing.sealBlocks(10);
    expect([first.blocks.length, first.refused]).toEqual([10, undefined]);
    const second = await s.sealing.sealBlocks(10);
    expect(second.blocks.map((blk) => blk.eventCount)).toEqual([10, 10, 10, 7]);
    expect(second.refused).toEqual({
      eventId: forged.eventId,
      reason: `has a signature that does not verify with key k1 of ${a.gln}`,
    });
    expect((await s.sealing.sealBlocks(10)).blocks).toHaveLength(0);
    const counts = await pg.query<{ sealed: string; pending: string; last: string }>(
      `SELECT count(leaf_index) AS sealed, count(*) - count(leaf_index) AS pending,
              max(leaf_index)::text AS last FROM ledger_event`,
    );
    expect(counts.rows[0]).toEqual({ sealed: '137', pending: '113', last: '136' });
    const alerts = await pg.query('SELECT code, severity, event_id FROM alert');
    expect(alerts.rows).toEqual([
      { code: 'INTEGRITY_FAILURE', severity: 'CRITICAL', event_id: forged.eventId },
    ]);
    expect(await checkLedger(s, pg)).toEqual({ blocks: 14, entries: 137, pending: 113 });
    // Signed again by its actor: sealing resumes where it stopped, in order.
    const signature = signEvent(JSON.parse(forged.eventJson) as EventObject, a.secretKey);
    const input = leafInput({
      event: JSON.parse(forged.eventJson) as EventObject,
      keyId: 'k1',
      signature,
    });
    await pg.query(
      'UPDATE ledger_event SET signature = $1, content_hash = $2 WHERE event_id = $3',
      [signature, createHash('sha256').update(input).digest(), forged.eventId],
    );
    while ((await s.sealing.sealBlocks(10)).blocks.length > 0);
    expect(await checkLedger(s, pg)).toEqual({ blocks: 26, entries: 250, pending: 0 });
  });

  it('a key revoked while a seal waits for the sequencer lock: the event it signs after is refused, not sealed', async () => {
    // The key directory is read once the lock is held and the pending events are read:
    // a directory read before the wait would still hold the key, and its row (never
    // marked revoked, as a row restored from a backup) would pass.
    const s = await sealer({ SEAL_MAX_EVENTS: '10', SEAL_MAX_WAIT_MS: '1' });
    await insertPending(pg, ship(1));
    expect((await s.sealing.sealBlocks(1)).blocks).toHaveLength(1);
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [SEAL_LOCK_KEY.toString()]);
      const sealing = s.sealing.sealBlocks(1);
      await until(
        'the seal waits for the sequencer lock',
        async () =>
          (
            await pg.query(
              "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            )
          ).rowCount === 1,
      );
      await revokeKeysInSql(pg, [{ participantId: a.gln, keyId: a.keyId }]);
      const late = shipEvent(a, b.gln, 'AFTER-REVOCATION');
      await insertPending(pg, [late]);
      await holder.query('COMMIT');
      const result = await sealing;
      expect(result.blocks).toHaveLength(0);
      expect(result.refused).toEqual({
        eventId: late.eventId,
        reason: `is signed with key k1 of ${a.gln}, which the key directory does not hold as stored (docs/adr/0014)`,
      });
    } finally {
      await holder.end();
    }
    const sealed = await pg.query<{ leaf_index: string | null }>(
      'SELECT leaf_index::text FROM ledger_event ORDER BY seq',
    );
    expect(sealed.rows.map((r) => r.leaf_index)).toEqual(['0', null]);
  });

  it('uses CUSTOS_SEALING_KEY when set, else (CUSTOS_GENERATE_SECRETS=database) generates one key once and keeps it in the database', async () => {
    const seed = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
    const fixed = await sealer({ CUSTOS_SEALING_KEY: seed, CUSTOS_LOG_ORIGIN: 'custos.test/log' });
    // RFC 8032 test 1: this seed's public key is d75a9801...511a.
    const publicKey = Buffer.from(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      'hex',
    );
    const vkeyTail = Buffer.concat([Buffer.from([1]), publicKey]).toString('base64');
    expect(await fixed.query.ledgerKey()).toMatch(
      new RegExp(`^custos\\.test/log\\+[0-9a-f]{8}\\+${vkeyTail.replace(/[+/]/g, '\\$&')}$`),
    );
    const generating = { CUSTOS_SEALING_KEY: '', CUSTOS_GENERATE_SECRETS: 'database' };
    const first = await (await sealer(generating)).query.ledgerKey();
    const second = await (await sealer(generating)).query.ledgerKey();
    expect(second).toBe(first);
    expect(first).not.toBe(await fixed.query.ledgerKey());
    const kept = await pg.query(`SELECT key FROM system_setting WHERE key = 'secret.sealing-key'`);
    expect(kept.rowCount).toBe(1);
  });
});
