// The key directory (docs/adr/0014) as the application writes it: every registration, key
// addition and revocation through GraphQL leaves its record and a new checkpoint signed
// by the sealing key, in the same transaction as the row; the directory opened from the
// tables by the pure code holds exactly the rows. A deleted directory refuses the start;
// the upgrade of a ledger from before it, on the operator's word, brings attested rows in
// and leaves out a row an insider planted, or, from before attestations, every row.
import { gql } from 'graphql-request';
import { Client } from 'pg';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { KeyDirectoryRepository } from '../../libs/participants/src/key-directory.repository';
import { KeyDirectoryService, RECHECK_MS } from '../../libs/participants/src/key-directory.service';
import { bytesToBase64Url } from '../../libs/ledger/src/bytes';
import { publicKeyOf, randomSecretKey } from '../../libs/ledger/src/ed25519';
import { attestKey } from '../../libs/ledger/src/key-attestation';
import { keyDirectoryOrigin, openKeyDirectory } from '../../libs/ledger/src/key-directory';
import { checkKeyListing } from '../../libs/ledger/src/key-listing';
import { type KeyRequest, signKeyRequest } from '../../libs/ledger/src/key-record';
import { parseVerifierKey } from '../../libs/ledger/src/note';
import {
  createTestDatabase,
  serverConfig,
  testQueuePrefix,
  testSealingSeed,
  type TestDatabase,
} from '../storage';
import { removeKeyRecordsInSql } from '../key-directory-sql';
import { gln, LedgerWorld, type Party } from '../fixtures/ledger-world';

const ADMIN_TOKEN = 'key-directory-e2e-admin-token-0123456789abcdef';
const ORIGIN = 'custos.keydir/log';

describe('the key directory, written with the key rows', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let world: LedgerWorld;
  let pg: Client;
  let maker: Party;
  let regulator: Party;

  /** The product on the test database: the one under test, or another replica beside it. */
  const startReplica = (env: Record<string, string> = {}) =>
    startApp(
      serverConfig(db, testQueuePrefix('keydir'), {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        CUSTOS_LOG_ORIGIN: ORIGIN,
        ...env,
      }),
      { logger: process.env.CUSTOS_TEST_LOGS ? undefined : false },
    );
  const start = async (env: Record<string, string> = {}) => {
    app = await startReplica(env);
    world = new LedgerWorld(app.url, ADMIN_TOKEN);
  };

  beforeAll(async () => {
    db = await createTestDatabase('keydir');
    await start();
    maker = await world.register(gln('950800000000'), 'Maker', ['MANUFACTURER'], ['9508000']);
    regulator = await world.register(gln('950800000004'), 'Agency', ['REGULATOR']);
    await world.signIn(regulator);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await app?.stop();
    await db?.drop();
  });

  const ledgerKey = async () =>
    (
      await world.admin.request<{ ledgerKey: string }>(gql`
        {
          ledgerKey
        }
      `)
    ).ledgerKey;

  async function directory() {
    const records = await pg.query<{ record: Buffer }>(
      'SELECT record FROM key_record ORDER BY leaf_index',
    );
    const latest = await pg.query<{ note: string }>(
      'SELECT note FROM key_checkpoint ORDER BY tree_size DESC LIMIT 1',
    );
    return openKeyDirectory({
      leafInputs: records.rows.map((r) => new Uint8Array(r.record)),
      checkpoint: latest.rows[0]?.note,
      verifier: parseVerifierKey(await ledgerKey()),
      origin: keyDirectoryOrigin(ORIGIN),
    });
  }

  async function keyRows() {
    const { rows } = await pg.query<{
      participant_id: string;
      key_id: string;
      public_key: Buffer;
      valid_from: Date | null;
      revoked_at: Date | null;
    }>('SELECT participant_id, key_id, public_key, valid_from, revoked_at FROM participant_key');
    return rows.map((r) => ({
      participantId: r.participant_id,
      keyId: r.key_id,
      publicKey: new Uint8Array(r.public_key),
      validFrom: r.valid_from,
      revokedAt: r.revoked_at,
    }));
  }

  const ADD_KEY = gql`
    mutation ($id: ID!, $key: PublicKeyInput!) {
      addParticipantKey(participantId: $id, key: $key) {
        id
      }
    }
  `;
  const REVOKE_KEY = gql`
    mutation ($id: ID!, $keyId: ID!) {
      revokeParticipantKey(participantId: $id, keyId: $keyId) {
        id
      }
    }
  `;
  const newKey = (keyId: string) => ({
    keyId,
    publicKey: bytesToBase64Url(publicKeyOf(randomSecretKey())),
  });

  it('registration, additions (concurrent ones too) and revocations are its records, in order', async () => {
    await Promise.all(
      ['k2', 'k3', 'k4', 'k5'].map((keyId) =>
        world.admin.request(ADD_KEY, { id: maker.id, key: newKey(keyId) }),
      ),
    );
    await regulator.client!.request(REVOKE_KEY, { id: maker.id, keyId: 'k3' });
    await world.admin.request(REVOKE_KEY, { id: maker.id, keyId: 'k3' }); // changes nothing

    const dir = await directory();
    expect(dir.broken).toBeUndefined();
    expect(dir.refused.size).toBe(0);
    const rows = await keyRows();
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(dir.whyNotOnRecord(row)).toBeUndefined();

    const mine = dir.recordsOf(maker.id).map((e) => e.record);
    expect(mine.map((r) => r.type)).toEqual([
      'PARTICIPANT_REGISTERED',
      'KEY_ADDED',
      'KEY_ADDED',
      'KEY_ADDED',
      'KEY_ADDED',
      'KEY_ADDED',
      'KEY_REVOKED',
    ]);
    expect(mine[0]!.authorisedBy).toEqual({ role: 'ADMIN' });
    expect(mine[6]!.authorisedBy).toEqual({ role: 'REGULATOR', participantId: regulator.id });
    const { rows: sizes } = await pg.query<{ n: string; sizes: string }>(
      `SELECT (SELECT count(*) FROM key_record)::text AS n,
              string_agg(tree_size::text, ',' ORDER BY tree_size) AS sizes FROM key_checkpoint`,
    );
    // One checkpoint per write: 2 registrations (2 records each), 4 additions, 1 revocation.
    expect(sizes[0]).toEqual({ n: '9', sizes: '2,4,5,6,7,8,9' });
  });

  it('a refused change leaves no record', async () => {
    const before = (await directory()).size;
    await expect(world.admin.request(ADD_KEY, { id: maker.id, key: newKey('k2') })).rejects.toThrow(
      /KEY_EXISTS|already has a key/,
    );
    await expect(
      world.register(gln('950800000005'), 'Second maker', ['MANUFACTURER'], ['9508000']),
    ).rejects.toThrow(/company prefix/);
    expect((await directory()).size).toBe(before);
  });

  it('a participant adds and revokes its own keys with requests signed by a current key', async () => {
    const maker2 = await world.register(gln('950800000006'), 'Self-service maker', [
      'MANUFACTURER',
    ]);
    const client = await world.signIn(maker2);
    const fresh = randomSecretKey();
    const add: KeyRequest = {
      type: 'KEY_ADDED',
      participantId: maker2.id,
      keyId: 'k-self',
      publicKey: publicKeyOf(fresh),
      validFrom: null,
    };
    const key = { keyId: 'k-self', publicKey: bytesToBase64Url(publicKeyOf(fresh)) };
    const SIGNED_ADD = gql`
      mutation ($id: ID!, $key: PublicKeyInput!, $signedBy: ID, $signature: String) {
        addParticipantKey(
          participantId: $id
          key: $key
          signedBy: $signedBy
          signature: $signature
        ) {
          id
        }
      }
    `;
    const SIGNED_REVOKE = gql`
      mutation ($id: ID!, $keyId: ID!, $signedBy: ID, $signature: String) {
        revokeParticipantKey(
          participantId: $id
          keyId: $keyId
          signedBy: $signedBy
          signature: $signature
        ) {
          id
        }
      }
    `;
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: unknown) => JSON.stringify(e),
      );
    // Without a signature a participant may not; nor with a signature by another key, nor
    // over another request.
    expect(await fail(client.request(ADD_KEY, { id: maker2.id, key }))).toMatch(/FORBIDDEN/);
    const byFresh = bytesToBase64Url(signKeyRequest(add, fresh));
    expect(
      await fail(
        client.request(SIGNED_ADD, { id: maker2.id, key, signedBy: 'k1', signature: byFresh }),
      ),
    ).toMatch(/BAD_SIGNATURE/);
    const otherRequest = bytesToBase64Url(
      signKeyRequest({ ...add, keyId: 'k-other' }, maker2.secretKey),
    );
    expect(
      await fail(
        client.request(SIGNED_ADD, { id: maker2.id, key, signedBy: 'k1', signature: otherRequest }),
      ),
    ).toMatch(/BAD_SIGNATURE/);
    expect(await fail(client.request(SIGNED_ADD, { id: maker2.id, key, signedBy: 'k1' }))).toMatch(
      /BAD_USER_INPUT/,
    );
    // A regulator cannot add one either, signed or not.
    expect(await fail(regulator.client!.request(ADD_KEY, { id: maker2.id, key }))).toMatch(
      /FORBIDDEN/,
    );
    expect((await keyRows()).some((r) => r.keyId === 'k-self')).toBe(false);

    const signature = bytesToBase64Url(signKeyRequest(add, maker2.secretKey));
    await client.request(SIGNED_ADD, { id: maker2.id, key, signedBy: 'k1', signature });
    // k-self revokes k1 (the old key); k1 can then sign nothing, not even a revocation.
    const revoke: KeyRequest = { type: 'KEY_REVOKED', participantId: maker2.id, keyId: 'k1' };
    await client.request(SIGNED_REVOKE, {
      id: maker2.id,
      keyId: 'k1',
      signedBy: 'k-self',
      signature: bytesToBase64Url(signKeyRequest(revoke, fresh)),
    });
    const revokeSelf: KeyRequest = { ...revoke, keyId: 'k-self' };
    expect(
      await fail(
        world.admin.request(SIGNED_REVOKE, {
          id: maker2.id,
          keyId: 'k-self',
          signedBy: 'k1',
          signature: bytesToBase64Url(signKeyRequest(revokeSelf, maker2.secretKey)),
        }),
      ),
    ).toMatch(/UNKNOWN_KEY.*not a current key/);

    const dir = await directory();
    expect(dir.broken).toBeUndefined();
    expect(dir.refused.size).toBe(0);
    for (const row of await keyRows()) expect(dir.whyNotOnRecord(row)).toBeUndefined();
    const mine = dir.recordsOf(maker2.id).map((e) => e.record);
    expect(mine.map((r) => [r.type, r.authorisedBy.role])).toEqual([
      ['PARTICIPANT_REGISTERED', 'ADMIN'],
      ['KEY_ADDED', 'ADMIN'],
      ['KEY_ADDED', 'PARTICIPANT'],
      ['KEY_REVOKED', 'PARTICIPANT'],
    ]);
    // Its listing, checked offline: every record proven in the signed checkpoint (the
    // session of k1 ended with k1; any signed-in caller may list).
    const { participantKeys } = await regulator.client!.request<{
      participantKeys: {
        participantId: string;
        origin: string;
        treeSize: number;
        checkpoint: string;
        records: { leafIndex: number; leafInput: string; inclusionProof: string[]; type: string }[];
      };
    }>(
      gql`
        query ($id: ID!) {
          participantKeys(participantId: $id) {
            participantId
            origin
            treeSize
            checkpoint
            records {
              leafIndex
              leafInput
              inclusionProof
              type
            }
          }
        }
      `,
      { id: maker2.id },
    );
    expect(participantKeys.origin).toBe(keyDirectoryOrigin(ORIGIN));
    const checked = checkKeyListing(
      {
        participantId: participantKeys.participantId,
        checkpoint: participantKeys.checkpoint,
        records: participantKeys.records.map((r) => ({
          leafIndex: r.leafIndex,
          leafInput: new Uint8Array(Buffer.from(r.leafInput, 'base64')),
          proof: r.inclusionProof.map((h) => new Uint8Array(Buffer.from(h, 'base64'))),
        })),
      },
      parseVerifierKey(await ledgerKey()),
      keyDirectoryOrigin(ORIGIN),
    );
    expect(checked.checkpoint.size).toBe(participantKeys.treeSize);
    expect(checked.keys.map((k) => [k.keyId, k.addedBy.role, k.revokedBy?.role ?? null])).toEqual([
      ['k1', 'ADMIN', 'PARTICIPANT'],
      ['k-self', 'PARTICIPANT', null],
    ]);

    // The new key signs in; the old one does not.
    await world.signIn({ ...maker2, keyId: 'k-self', secretKey: fresh });
    expect(await fail(world.signIn({ ...maker2 }))).toMatch(/KEY_REVOKED/);
  });

  it("a check reads only the latest checkpoint while nothing changed, and sees another replica's append at once", async () => {
    const service = app.app.get(KeyDirectoryService);
    const repository = app.app.get(KeyDirectoryRepository);
    const fingerprints = jest.spyOn(repository, 'fingerprint');
    const notes = jest.spyOn(repository, 'latestNote');
    const replica = await startReplica();
    try {
      const first = await service.current();
      fingerprints.mockClear();
      notes.mockClear();
      for (let i = 0; i < 20; i++) expect(await service.current()).toBe(first);
      // Within RECHECK_MS of the last fingerprint; a slow machine may pass it once or twice.
      expect(notes.mock.calls.length).toBeGreaterThanOrEqual(18);
      expect(fingerprints.mock.calls.length).toBeLessThanOrEqual(2);

      // Registered through the other replica: the very next check here holds the new key.
      const other = new LedgerWorld(replica.url, ADMIN_TOKEN);
      const added = await other.register(
        gln('950800000100'),
        'Late maker',
        ['MANUFACTURER'],
        ['9508001'],
      );
      const after = await service.current();
      expect(after).not.toBe(first);
      expect(after.recordsOf(added.id).map((e) => e.record.type)).toEqual([
        'PARTICIPANT_REGISTERED',
        'KEY_ADDED',
      ]);
    } finally {
      fingerprints.mockRestore();
      notes.mockRestore();
      await replica.stop();
    }
  });

  it("a check begun after another replica's append never gets a read begun before it", async () => {
    const service = app.app.get(KeyDirectoryService);
    const repository = app.app.get(KeyDirectoryRepository);
    const recheck = () => new Promise((resolve) => setTimeout(resolve, RECHECK_MS + 50));
    await recheck();
    await service.current(); // the fingerprint kept is the one now
    await recheck(); // and the next check computes it again
    // The first full read takes its fingerprint and then stalls until released.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const real = repository.fingerprint.bind(repository);
    const fingerprints = jest.spyOn(repository, 'fingerprint').mockImplementationOnce(async () => {
      const fingerprint = await real();
      await released;
      return fingerprint;
    });
    const replica = await startReplica();
    try {
      const before = service.current(); // begun before the append
      while (fingerprints.mock.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
      const added = await new LedgerWorld(replica.url, ADMIN_TOKEN).register(
        gln('950800000200'),
        'Later maker',
        ['MANUFACTURER'],
        ['9508002'],
      );
      const after = service.current(); // begun after it
      release();
      expect((await after).recordsOf(added.id).map((e) => e.record.type)).toEqual([
        'PARTICIPANT_REGISTERED',
        'KEY_ADDED',
      ]);
      expect((await before).recordsOf(added.id)).toEqual([]);
      // The later read stays: the earlier one, finishing last, does not replace it.
      expect((await service.current()).recordsOf(added.id)).toHaveLength(2);
    } finally {
      release();
      fingerprints.mockRestore();
      await replica.stop();
    }
  });

  it("a record deleted behind the application's back is seen within RECHECK_MS, and its return too", async () => {
    const service = app.app.get(KeyDirectoryService);
    expect((await service.current()).broken).toBeUndefined();
    const removed = await removeKeyRecordsInSql(pg, 'leaf_index = 0');
    expect(removed.count).toBe(1);
    const deleted = performance.now();
    while ((await service.current()).broken === undefined) {
      // No append happened, so only the fingerprint, computed again after RECHECK_MS, sees it.
      expect(performance.now() - deleted).toBeLessThan(RECHECK_MS + 5_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await removed.restore();
    // A broken directory is read again at every check: whole at once when restored.
    expect((await service.current()).broken).toBeUndefined();
  });

  const IMPORT = { CUSTOS_KEY_DIRECTORY_IMPORT: 'true' };
  const deleteDirectory = () => pg.query('DELETE FROM key_record; DELETE FROM key_checkpoint');

  it('a deleted directory refuses the start, and nothing stored changes', async () => {
    await app.stop();
    const rows = await keyRows();
    const participants = (await pg.query('SELECT id FROM participant')).rowCount;
    await deleteDirectory();
    await expect(startReplica()).rejects.toThrow(
      new RegExp(
        `^the key directory is empty but ${participants} participant\\(s\\) are stored: .*CUSTOS_KEY_DIRECTORY_IMPORT=true.*restore key_record and key_checkpoint from a backup`,
      ),
    );
    expect(await keyRows()).toEqual(rows);
    expect((await pg.query('SELECT leaf_index FROM key_record')).rowCount).toBe(0);
  });

  it('on the operator’s word, the upgrade brings attested rows in once, and leaves a planted row out', async () => {
    const planted = newKey('planted');
    await pg.query(
      `INSERT INTO participant_key (participant_id, key_id, public_key) VALUES ($1, 'planted', $2)`,
      [maker.id, Buffer.from(planted.publicKey, 'base64url')],
    );
    // The database as a version before the directory left it: rows attested by the
    // sealing key (docs/adr/0013), but for the planted one, and the setting that says so.
    for (const row of await keyRows()) {
      if (row.keyId === 'planted') continue;
      await pg.query(
        'UPDATE participant_key SET attestation = $3 WHERE participant_id = $1 AND key_id = $2',
        [row.participantId, row.keyId, Buffer.from(attestKey(row, testSealingSeed(db.name)))],
      );
    }
    await pg.query(
      `INSERT INTO system_setting (key, value) VALUES ('key-attestation-backfill', now()::text)`,
    );
    await start(IMPORT);
    const dir = await directory();
    expect(dir.broken).toBeUndefined();
    const rows = await keyRows();
    const notOnRecord = rows.filter((r) => !dir.holds(r)).map((r) => r.keyId);
    expect(notOnRecord).toEqual(['planted']);
    const upgraded = dir.recordsOf(maker.id).map((e) => [e.record.type, e.record.authorisedBy]);
    expect(upgraded).toContainEqual(['KEY_REVOKED', { role: 'UPGRADE' }]);

    // Once: a second start, with or without the word, appends nothing.
    const size = dir.size;
    await app.stop();
    await start(IMPORT);
    await app.stop();
    await start();
    expect((await directory()).size).toBe(size);
  });

  it('the upgrade of a ledger from before attestations brings every row in as stored', async () => {
    await app.stop();
    await deleteDirectory();
    await pg.query(`UPDATE participant_key SET attestation = NULL;
                    DELETE FROM system_setting WHERE key = 'key-attestation-backfill'`);
    await start(IMPORT);
    const dir = await directory();
    expect(dir.broken).toBeUndefined();
    const rows = await keyRows();
    expect(rows.map((r) => r.keyId)).toContain('planted');
    // Nothing shows which row the application wrote: the operator's word covers them all.
    expect(rows.filter((r) => !dir.holds(r))).toEqual([]);
  });
});
