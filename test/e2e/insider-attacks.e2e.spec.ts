// Issue 13: an insider with write access to the database, and nothing else. Each attack is
// SQL run behind the application's back on a genuine, sealed history; then verifyPackage
// and a full audit (both through GraphQL, as a regulator) must each see it. None of the
// secrets (sealing key, session secret, admin token) is used by the attacker.
import { randomUUID } from 'node:crypto';
import { gql, type GraphQLClient } from 'graphql-request';
import { Client } from 'pg';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { bytesToBase64Url } from '../../libs/ledger/src/bytes';
import { publicKeyOf, randomSecretKey } from '../../libs/ledger/src/ed25519';
import { leafInput, signEvent } from '../../libs/ledger/src/events';
import { canonicalJson } from '../../libs/ledger/src/jcs';
import { sha256 } from '../../libs/ledger/src/sha256';
import { RECHECK_MS } from '../../libs/participants/src/key-directory.service';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import { removeKeyRecordsInSql } from '../key-directory-sql';
import { until } from '../until';
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

const ADMIN_TOKEN = 'insider-e2e-admin-token-0123456789abcdef0123';

interface Discrepancy {
  kind: string;
  blockHeight: number | null;
  leafIndex: number | null;
  message: string;
}

describe('insider attacks (SQL behind the application): verifyPackage and the audit see each', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let world: LedgerWorld;
  let pg: Client;
  let maker: Party;
  let pharmacy: Party;
  let regulator: Party;
  let boxes = 0;
  const box = () => ssccUri(sscc(`0${COMPANY_PREFIX}${String(++boxes).padStart(9, '0')}`));

  beforeAll(async () => {
    db = await createTestDatabase('insider');
    app = await startApp(
      serverConfig(db, testQueuePrefix('insider'), {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        SEAL_MAX_WAIT_MS: '50',
      }),
      { logger: process.env.CUSTOS_TEST_LOGS ? undefined : false },
    );
    world = new LedgerWorld(app.url, ADMIN_TOKEN);
    maker = await world.register(gln('950700000000'), 'Maker', ['MANUFACTURER'], [COMPANY_PREFIX]);
    pharmacy = await world.register(gln('950700000002'), 'Pharmacy', ['DISPENSER']);
    regulator = await world.register(gln('950700000004'), 'Agency', ['REGULATOR']);
    for (const party of [maker, pharmacy, regulator]) await world.signIn(party);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await app?.stop();
    await db?.drop();
  });

  const verify = async (code: string) =>
    (await regulator.client!.request<VerificationAnswer>(VERIFY, { code })).verifyPackage;
  /**
   * Waits until every stored event is sealed and the checkpoint covers it. Not a count of
   * rows: (d) deletes a sealed row, after which the rows are one fewer than the log.
   */
  const sealAll = async () => {
    await until('every stored event sealed', async () => {
      const { rows } = await pg.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM ledger_event WHERE leaf_index IS NULL',
      );
      return rows[0]!.n === '0';
    });
    const { rows } = await pg.query<{ size: string }>(
      'SELECT (coalesce(max(leaf_index), -1) + 1)::text AS size FROM ledger_event',
    );
    await world.sealedUpTo(regulator.client!, Number(rows[0]!.size));
  };
  const seqOf = async (eventId: string) =>
    (
      await pg.query<{ seq: string }>('SELECT seq::text FROM ledger_event WHERE event_id = $1', [
        eventId,
      ])
    ).rows[0]!.seq;
  const leafOf = async (eventId: string) =>
    Number(
      (
        await pg.query<{ leaf: string }>(
          'SELECT leaf_index::text AS leaf FROM ledger_event WHERE event_id = $1',
          [eventId],
        )
      ).rows[0]!.leaf,
    );

  /** A full audit, started by the regulator, to its end. */
  async function audit(): Promise<Discrepancy[]> {
    const client: GraphQLClient = regulator.client!;
    const { startAudit } = await client.request<{ startAudit: { id: string } }>(gql`
      mutation {
        startAudit {
          id
        }
      }
    `);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { auditRun } = await client.request<{
        auditRun: { status: string; error: string | null; discrepancies: Discrepancy[] };
      }>(
        gql`
          query ($id: ID!) {
            auditRun(id: $id) {
              status
              error
              discrepancies(first: 500) {
                kind
                blockHeight
                leafIndex
                message
              }
            }
          }
        `,
        { id: startAudit.id },
      );
      if (auditRun.status === 'COMPLETED') return auditRun.discrepancies;
      if (auditRun.status === 'FAILED') throw new Error(`audit failed: ${auditRun.error}`);
      if (Date.now() > deadline) throw new Error(`audit still ${auditRun.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Commissioned, packed, shipped to the pharmacy, received, unpacked, dispensed; sealed. */
  async function dispensed(serial: string): Promise<{ unit: string; dispense: string }> {
    const unit = unitUri(serial);
    const caseId = box();
    await world.submit(maker, [
      world.signed(maker, 'COMMISSION', { items: [unit], lot: 'L1', expiry: '2030-12-31' }),
      world.signed(maker, 'PACK', { items: [unit], parent: caseId }),
      world.signed(maker, 'SHIP', { items: [caseId], to: pharmacy.id }),
    ]);
    await world.act(pharmacy, 'RECEIVE', { items: [caseId], from: maker.id });
    await world.act(pharmacy, 'UNPACK', { items: [unit], parent: caseId });
    const dispense = await world.act(pharmacy, 'DISPENSE', { items: [unit] });
    await sealAll();
    const before = await verify(unit);
    expect(before.verdict).not.toBe('AUTHENTIC');
    expect(before.findings.map((f) => f.code)).toContain('ALREADY_DISPENSED');
    return { unit, dispense };
  }

  const integrity = (answer: VerificationAnswer['verifyPackage']) =>
    answer.findings.filter((f) => f.code === 'INTEGRITY_FAILURE');
  /** An INTEGRITY_FAILURE finding, hence a COUNTERFEIT verdict (SPEC section 6). */
  const expectIntegrityFailure = (answer: VerificationAnswer['verifyPackage']) => {
    expect(answer.verdict).toBe('COUNTERFEIT');
    expect(integrity(answer)).not.toEqual([]);
  };

  it('(a) deleting the event_item rows of a sealed DISPENSE', async () => {
    const { unit, dispense } = await dispensed('INS-A');
    await pg.query('DELETE FROM event_item WHERE event_seq = $1', [await seqOf(dispense)]);

    const after = await verify(unit);
    expectIntegrityFailure(after);
    expect(
      integrity(after)
        .map((f) => f.message)
        .join(' '),
    ).toMatch(/index records/);

    const found = await audit();
    expect(found).toContainEqual(
      expect.objectContaining({ kind: 'INDEX', leafIndex: await leafOf(dispense) }),
    );
  });

  it('(b) retargeting them to another unit', async () => {
    const { unit, dispense } = await dispensed('INS-B');
    const other = unitUri('INS-B-OTHER');
    await world.act(maker, 'COMMISSION', { items: [other], lot: 'L1', expiry: '2030-12-31' });
    await sealAll();
    expect((await verify(other)).verdict).toBe('AUTHENTIC');
    await pg.query('UPDATE event_item SET identifier = $2 WHERE event_seq = $1', [
      await seqOf(dispense),
      other,
    ]);

    // The dispensed pack misses its DISPENSE; the other one holds a DISPENSE that names
    // another unit: both are integrity failures (COUNTERFEIT), neither is AUTHENTIC.
    const mine = await verify(unit);
    expectIntegrityFailure(mine);
    const theirs = await verify(other);
    expectIntegrityFailure(theirs);
    expect(integrity(theirs).some((f) => f.eventId === dispense)).toBe(true);

    const found = await audit();
    expect(found).toContainEqual(
      expect.objectContaining({ kind: 'INDEX', leafIndex: await leafOf(dispense) }),
    );
  });

  it('(c) deleting a recall row', async () => {
    const unit = unitUri('INS-C');
    await world.act(maker, 'COMMISSION', { items: [unit], lot: 'LC', expiry: '2030-12-31' });
    const recall = await world.act(maker, 'RECALL', { gtin: GTIN, lot: 'LC' });
    await sealAll();
    expect((await verify(unit)).findings.map((f) => f.code)).toContain('RECALLED');
    await pg.query('DELETE FROM recall WHERE event_seq = $1', [await seqOf(recall)]);

    const after = await verify(unit);
    expectIntegrityFailure(after);
    expect(
      integrity(after)
        .map((f) => f.message)
        .join(' '),
    ).toMatch(`recall:${GTIN}`);

    const found = await audit();
    expect(found).toContainEqual(
      expect.objectContaining({ kind: 'INDEX', leafIndex: await leafOf(recall) }),
    );
  });

  it("(d) deleting a sealed DISPENSE event's row", async () => {
    const { unit, dispense } = await dispensed('INS-D');
    const leaf = await leafOf(dispense);
    const seq = await seqOf(dispense);
    await pg.query('DELETE FROM event_item WHERE event_seq = $1', [seq]);
    await pg.query('DELETE FROM ledger_event WHERE seq = $1', [seq]);

    const after = await verify(unit);
    expectIntegrityFailure(after);

    const found = await audit();
    expect(found).toContainEqual(
      expect.objectContaining({ kind: 'LEAF_MISSING', leafIndex: leaf }),
    );
  });
  it('a regulator cannot give itself a key of a manufacturer; the admin can', async () => {
    const ADD = gql`
      mutation ($id: ID!, $key: PublicKeyInput!) {
        addParticipantKey(participantId: $id, key: $key) {
          id
        }
      }
    `;
    const key = {
      keyId: 'regulator-made',
      publicKey: bytesToBase64Url(publicKeyOf(randomSecretKey())),
    };
    const refused = await regulator
      .client!.request(ADD, { id: maker.id, key })
      .catch((e: unknown) => e);
    expect(JSON.stringify(refused)).toMatch(/FORBIDDEN/);
    const { rows } = await pg.query('SELECT 1 FROM participant_key WHERE key_id = $1', [key.keyId]);
    expect(rows).toEqual([]);
    await world.admin.request(ADD, { id: maker.id, key });
    expect(
      (await pg.query('SELECT 1 FROM participant_key WHERE key_id = $1', [key.keyId])).rows,
    ).toHaveLength(1);
  });

  it('a company prefix cannot be claimed twice, nor one that overlaps it', async () => {
    for (const [body, prefix] of [
      ['950700000010', COMPANY_PREFIX],
      ['950700000011', `${COMPANY_PREFIX}1`],
      ['950700000012', COMPANY_PREFIX.slice(0, 6)],
    ] as const) {
      const err = await world
        .register(gln(body), 'Second maker', ['MANUFACTURER'], [prefix])
        .catch((e: unknown) => e);
      expect(JSON.stringify(err)).toMatch(/CONFLICT/);
      expect(JSON.stringify(err)).toContain(`input.companyPrefixes[0]: company prefix ${prefix}`);
      expect(JSON.stringify(err)).toContain(maker.id);
    }
    // Through the regulator too; another prefix is fine.
    const other = await world.register(
      gln('950700000013'),
      'Other maker',
      ['MANUFACTURER'],
      ['9508000'],
    );
    expect(other.id).toBe(gln('950700000013'));
  });

  // Units of another GTIN than the one (c) left with a deleted recall row.
  const KEY_GTIN = gtin(`0${COMPANY_PREFIX}22222`);
  const keyUnit = (serial: string) => unitUri(serial, KEY_GTIN);

  /**
   * A pending event signed by `keyId` of the maker, with its index rows, inserted in SQL as
   * ingest would have stored it.
   */
  async function plantPending(keyId: string, secretKey: Uint8Array, serial: string) {
    const unit = keyUnit(serial);
    const event = {
      eventId: randomUUID(),
      type: 'COMMISSION',
      actor: maker.id,
      eventTime: new Date(Date.now() - 1000).toISOString(),
      items: [unit],
      lot: 'L1',
      expiry: '2030-12-31',
    };
    const signature = signEvent(event, secretKey);
    const contentHash = Buffer.from(sha256(leafInput({ event, keyId, signature })));
    await pg.query(
      `INSERT INTO ledger_event (event_id, type, actor, key_id, signature, event_json, content_hash, event_time)
       VALUES ($1, 'COMMISSION', $2, $3, $4, $5, $6, $7)`,
      [
        event.eventId,
        maker.id,
        keyId,
        signature,
        canonicalJson(event),
        contentHash,
        event.eventTime,
      ],
    );
    const seq = await seqOf(event.eventId);
    await pg.query(`INSERT INTO event_item (identifier, event_seq, role) VALUES ($1, $2, 'ITEM')`, [
      unit,
      seq,
    ]);
    await pg.query('INSERT INTO item_tally (key, event_count, last_seq) VALUES ($1, 1, $2)', [
      unit,
      seq,
    ]);
    return { unit, eventId: event.eventId, seq };
  }

  /** The sealer refuses it: one CRITICAL INTEGRITY_FAILURE alert, and it stays unsealed. */
  async function expectRefusedBySealer(eventId: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    let alert: { code: string; severity: string; event_id: string } | undefined;
    while (!alert && Date.now() < deadline) {
      alert = (
        await pg.query<{ code: string; severity: string; event_id: string }>(
          'SELECT code, severity::text, event_id FROM alert WHERE event_id = $1',
          [eventId],
        )
      ).rows[0];
      if (!alert) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(alert).toEqual({ code: 'INTEGRITY_FAILURE', severity: 'CRITICAL', event_id: eventId });
    const sealed = await pg.query<{ leaf_index: string | null }>(
      'SELECT leaf_index::text FROM ledger_event WHERE event_id = $1',
      [eventId],
    );
    expect(sealed.rows[0]!.leaf_index).toBeNull();
  }

  /** What an operator does once it has seen the alert: the planted row goes. */
  async function removePending(planted: { unit: string; seq: string }): Promise<void> {
    await pg.query('DELETE FROM event_item WHERE event_seq = $1', [planted.seq]);
    await pg.query('DELETE FROM item_tally WHERE key = $1', [planted.unit]);
    await pg.query('DELETE FROM ledger_event WHERE seq = $1', [planted.seq]);
  }

  /** `keyId` of the maker, held by `secretKey`, can neither sign in nor submit. */
  async function expectRefusedAtTheDoor(keyId: string, secretKey: Uint8Array): Promise<void> {
    const holder: Party = { id: maker.id, name: maker.name, keyId, secretKey };
    const signIn = await world.signIn(holder).catch((e: unknown) => e);
    expect(JSON.stringify(signIn)).toMatch(/UNKNOWN_KEY/);
    expect(JSON.stringify(signIn)).toMatch(/not on record/);
    const submit = await world
      .submit({ ...holder, client: maker.client! }, [
        world.signed(holder, 'COMMISSION', {
          items: [keyUnit(`DOOR-${keyId}`)],
          lot: 'L1',
          expiry: '2030-12-31',
        }),
      ])
      .catch((e: unknown) => e);
    expect(String(submit)).toMatch(/UNKNOWN_KEY/);
    expect(String(submit)).toMatch(/not on record/);
  }

  const onRecordFailure = (answer: VerificationAnswer['verifyPackage']) =>
    integrity(answer)
      .map((f) => f.message)
      .join(' ');

  it('(e) planting a key row and a pending event signed by it: refused, never sealed', async () => {
    const forger = randomSecretKey();
    await pg.query(
      'INSERT INTO participant_key (participant_id, key_id, public_key) VALUES ($1, $2, $3)',
      [maker.id, 'planted', Buffer.from(publicKeyOf(forger))],
    );
    await expectRefusedAtTheDoor('planted', forger);
    const planted = await plantPending('planted', forger, 'INS-E-FORGED');
    await expectRefusedBySealer(planted.eventId);

    const answer = await verify(planted.unit);
    expectIntegrityFailure(answer);
    expect(onRecordFailure(answer)).toMatch(/not on record/);

    const found = await audit();
    expect(found).toContainEqual(
      expect.objectContaining({
        kind: 'KEY_NOT_ON_RECORD',
        message: expect.stringMatching(/key planted of .*no record adds key planted/),
      }),
    );
    await removePending(planted);
  });

  it('(f) restoring a revoked key row from a backup: the directory says revoked', async () => {
    const old = randomSecretKey();
    const ADD = gql`
      mutation ($id: ID!, $key: PublicKeyInput!) {
        addParticipantKey(participantId: $id, key: $key) {
          id
        }
      }
    `;
    await world.admin.request(ADD, {
      id: maker.id,
      key: { keyId: 'k-old', publicKey: bytesToBase64Url(publicKeyOf(old)) },
    });
    // Signed by k-old while it was current, sealed: AUTHENTIC.
    const holder: Party = { id: maker.id, name: maker.name, keyId: 'k-old', secretKey: old };
    const earlier = keyUnit('INS-F-EARLIER');
    await world.submit({ ...holder, client: maker.client! }, [
      world.signed(holder, 'COMMISSION', { items: [earlier], lot: 'L1', expiry: '2030-12-31' }),
    ]);
    await sealAll();
    expect((await verify(earlier)).verdict).toBe('AUTHENTIC');
    await world.admin.request(
      gql`
        mutation ($id: ID!) {
          revokeParticipantKey(participantId: $id, keyId: "k-old") {
            id
          }
        }
      `,
      { id: maker.id },
    );
    // The backup's copy of the row: not revoked.
    await pg.query(
      `UPDATE participant_key SET revoked_at = NULL WHERE participant_id = $1 AND key_id = 'k-old'`,
      [maker.id],
    );
    await expectRefusedAtTheDoor('k-old', old);
    const planted = await plantPending('k-old', old, 'INS-F-REPLAYED');
    await expectRefusedBySealer(planted.eventId);
    const answer = await verify(planted.unit);
    expectIntegrityFailure(answer);
    expect(onRecordFailure(answer)).toMatch(/records revoke key k-old/);
    // Every event the key signed: the row it was checked against is not the record's.
    expectIntegrityFailure(await verify(earlier));

    const found = await audit();
    expect(found).toContainEqual(
      expect.objectContaining({
        kind: 'KEY_NOT_ON_RECORD',
        message: expect.stringMatching(/key k-old of .*records revoke key k-old/),
      }),
    );
    await removePending(planted);
  });

  it('(g) deleting a key directory record: the directory holds no key until it is restored', async () => {
    const unit = keyUnit('INS-G');
    await world.act(maker, 'COMMISSION', { items: [unit], lot: 'L1', expiry: '2030-12-31' });
    await sealAll();
    expect((await verify(unit)).verdict).toBe('AUTHENTIC');
    const removed = await removeKeyRecordsInSql(pg, `participant_id = $1 AND key_id = 'k1'`, [
      pharmacy.id,
    ]);
    expect(removed.count).toBe(1);
    // No append announces it: the process sees it when it next computes the directory's
    // fingerprint, within RECHECK_MS (libs/participants/src/key-directory.service.ts), and
    // reads a broken directory again at every check from then on.
    const deleted = performance.now();
    while (integrity(await verify(unit)).length === 0) {
      expect(performance.now() - deleted).toBeLessThan(RECHECK_MS + 5_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const pharmacist: Party = { ...pharmacy, token: undefined, client: undefined };
    const signIn = await world.signIn(pharmacist).catch((e: unknown) => e);
    expect(JSON.stringify(signIn)).toMatch(/not on record: the key directory is not whole/);
    const submit = await world
      .act(maker, 'DECOMMISSION', { items: [unit], reason: 'DESTROYED' })
      .catch((e: unknown) => e);
    expect(String(submit)).toMatch(/UNKNOWN_KEY/);
    const answer = await verify(unit);
    expectIntegrityFailure(answer);
    expect(onRecordFailure(answer)).toMatch(/not on record/);
    const found = await audit();
    expect(found).toContainEqual(
      expect.objectContaining({
        kind: 'KEY_DIRECTORY_MISMATCH',
        message: expect.stringMatching(/do not give its checkpoint root|covers/),
      }),
    );

    await removed.restore();
    expect((await verify(unit)).verdict).toBe('AUTHENTIC');
  });
});
