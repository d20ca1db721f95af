// The ledger's public surface through the assembled service (API and worker in one
// process) on PostgreSQL and Redis: the worker seals on its own, the GraphQL queries
// answer what SPEC section 7 names, with its access rules and clear argument errors,
// and /metrics reports the sealer.
import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { Client } from 'pg';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { SessionService } from '../../libs/core/src/auth/session.service';
import { base64ToBytes, hexToBytes } from '../../libs/ledger/src/bytes';
import { openCheckpoint } from '../../libs/ledger/src/checkpoint';
import { leafHash } from '../../libs/ledger/src/merkle';
import { verifyConsistency, verifyInclusion } from '../../libs/ledger/src/merkle-verify';
import { parseVerifierKey } from '../../libs/ledger/src/note';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import { insertPending, shipEvent, testSigner } from './fixture';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef0123456789';
const A = '9506000000003';
const B = '9506000000010';
const C = '9506000000027';
const R = '9506000000034';

interface CheckpointData {
  origin: string;
  treeSize: number;
  rootHash: string;
  note: string;
}

describe('ledger queries on the running service', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let pg: Client;
  const url = () => `${running.url}/graphql`;
  const as = (token?: string) =>
    new GraphQLClient(url(), token ? { headers: { authorization: `Bearer ${token}` } } : {});
  let admin: GraphQLClient;
  const errorCode = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ClientError);
    const error = (err as ClientError).response.errors?.[0];
    return { code: error?.extensions?.['code'], message: error?.message };
  };

  beforeAll(async () => {
    db = await createTestDatabase('ledger_e2e');
    running = await startApp(
      serverConfig(db, testQueuePrefix('ledger_e2e'), {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        SEAL_MAX_EVENTS: '20',
        SEAL_MAX_WAIT_MS: '100',
        CUSTOS_LOG_ORIGIN: 'custos.e2e/log',
      }),
      { logger: false },
    );
    admin = as(ADMIN_TOKEN);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await running?.stop();
    await pg?.end();
    await db?.drop();
  });

  it('seals on its own timer (no seal job enqueued) and serves checkpoints, blocks, entries and proofs that verify', async () => {
    const signer = testSigner(A);
    const rows = Array.from({ length: 45 }, (_, i) => shipEvent(signer, B, `E${i}`));
    await insertPending(pg, rows);
    const until = Date.now() + 20_000;
    let head: CheckpointData;
    for (;;) {
      ({ checkpoint: head } = await admin.request<{ checkpoint: CheckpointData }>(gql`
        {
          checkpoint {
            origin
            treeSize
            rootHash
            note
          }
        }
      `));
      if (head.treeSize === 45 || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(head.treeSize).toBe(45);

    // ledgerKey needs no token; the checkpoint note verifies with it.
    const { ledgerKey } = await as().request<{ ledgerKey: string }>(gql`
      {
        ledgerKey
      }
    `);
    const opened = openCheckpoint(head.note, [parseVerifierKey(ledgerKey)], 'custos.e2e/log');
    expect(opened.checkpoint.size).toBe(45);
    expect(Buffer.from(opened.checkpoint.rootHash).toString('hex')).toBe(head.rootHash);
    expect(head.origin).toBe('custos.e2e/log');

    const { block } = await admin.request<{ block: Record<string, unknown> }>(
      gql`
        query ($h: Int!) {
          block(height: $h) {
            height
            prevHash
            firstLeafIndex
            eventCount
            treeSize
            rootHash
            sealedAt
            hash
          }
        }
      `,
      { h: 0 },
    );
    expect(block).toMatchObject({ height: 0, prevHash: '0'.repeat(64), firstLeafIndex: 0 });
    expect(block['hash']).toMatch(/^[0-9a-f]{64}$/);

    const { entry } = await admin.request<{
      entry: { leafIndex: number; leafInput: string; eventId: string; blockHeight: number };
    }>(
      gql`
        query ($i: Int!) {
          entry(leafIndex: $i) {
            leafIndex
            leafInput
            eventId
            blockHeight
          }
        }
      `,
      { i: 30 },
    );
    expect(entry.eventId).toBe(rows[30]!.eventId);
    const { inclusionProof } = await admin.request<{ inclusionProof: string[] }>(
      gql`
        query ($i: Int!, $n: Int!) {
          inclusionProof(leafIndex: $i, treeSize: $n)
        }
      `,
      { i: 30, n: 45 },
    );
    verifyInclusion(
      30,
      45,
      leafHash(base64ToBytes(entry.leafInput)),
      inclusionProof.map((h) => hexToBytes(h)),
      opened.checkpoint.rootHash,
    );
    const { block: first } = await admin.request<{ block: { treeSize: number; rootHash: string } }>(
      gql`
        {
          block(height: 0) {
            treeSize
            rootHash
          }
        }
      `,
    );
    const { consistencyProof } = await admin.request<{ consistencyProof: string[] }>(
      gql`
        query ($m: Int!, $n: Int!) {
          consistencyProof(fromSize: $m, toSize: $n)
        }
      `,
      { m: first.treeSize, n: 45 },
    );
    verifyConsistency(
      first.treeSize,
      45,
      consistencyProof.map((h) => hexToBytes(h)),
      hexToBytes(first.rootHash),
      opened.checkpoint.rootHash,
    );

    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/custos_events_sealed_total 45/);
    expect(metrics).toMatch(/custos_pending_events 0/);
    expect(metrics).toMatch(/custos_accept_to_sealed_seconds_count 45/);
    expect(metrics).toMatch(/custos_seal_duration_seconds_count \d+/);
  });

  it('follows the read rules: proofs for the signed-in, entries for the parties named and regulators', async () => {
    // Sessions are only honoured for registered participants.
    for (const [id, role] of [
      [A, 'DISTRIBUTOR'],
      [B, 'DISTRIBUTOR'],
      [C, 'DISTRIBUTOR'],
      [R, 'REGULATOR'],
    ] as const) {
      await pg.query(
        `INSERT INTO participant (id, name, roles, company_prefixes, license_number, license_authority, license_valid_until)
         VALUES ($1, $1, ARRAY[$2]::participant_role[], '{}', 'L-1', 'Authority', now() + interval '1 year')
         ON CONFLICT (id) DO UPDATE SET roles = excluded.roles`,
        [id, role],
      );
    }
    const sessions = running.app.get(SessionService);
    const token = async (id: string, roles: ('DISTRIBUTOR' | 'REGULATOR')[]) =>
      (await sessions.issue(id, roles)).token;
    const entryQuery = gql`
      {
        entry(leafIndex: 0) {
          eventId
        }
      }
    `;
    // Anonymous: everything but ledgerKey is refused.
    expect((await errorCode(as().request(entryQuery))).code).toBe('UNAUTHENTICATED');
    expect(
      (
        await errorCode(
          as().request(gql`
            {
              checkpoint {
                treeSize
              }
            }
          `),
        )
      ).code,
    ).toBe('UNAUTHENTICATED');
    // The sender (actor) and recipient (`to`) read it; a third party does not; a regulator does.
    await expect(as(await token(A, ['DISTRIBUTOR'])).request(entryQuery)).resolves.toBeTruthy();
    await expect(as(await token(B, ['DISTRIBUTOR'])).request(entryQuery)).resolves.toBeTruthy();
    const denied = await errorCode(as(await token(C, ['DISTRIBUTOR'])).request(entryQuery));
    expect(denied.code).toBe('FORBIDDEN');
    expect(denied.message).toMatch(/regulators and the parties its event names/);
    await expect(as(await token(R, ['REGULATOR'])).request(entryQuery)).resolves.toBeTruthy();
    // Proofs are open to any signed-in participant.
    await expect(
      as(await token(C, ['DISTRIBUTOR'])).request(gql`
        {
          inclusionProof(leafIndex: 0, treeSize: 2)
        }
      `),
    ).resolves.toEqual({ inclusionProof: [expect.stringMatching(/^[0-9a-f]{64}$/)] });
  });

  it('answers bad arguments with BAD_USER_INPUT and the reason', async () => {
    const cases: [string, RegExp][] = [
      ['{ inclusionProof(leafIndex: -1, treeSize: 2) }', /leafIndex must be a non-negative/],
      ['{ inclusionProof(leafIndex: 0, treeSize: 4000) }', /treeSize 4000 is beyond the tree/],
      ['{ inclusionProof(leafIndex: 5, treeSize: 5) }', /not in a tree of size 5/],
      ['{ consistencyProof(fromSize: 9, toSize: 3) }', /fromSize 9 is greater than toSize 3/],
      ['{ consistencyProof(fromSize: 0, toSize: 3) }', /fromSize must be at least 1/],
      ['{ consistencyProof(fromSize: 3, toSize: 4000) }', /toSize 4000 is beyond the tree/],
      ['{ block(height: -2) { hash } }', /height must be a non-negative/],
      ['{ entry(leafIndex: -1) { eventId } }', /leafIndex must be a non-negative/],
    ];
    for (const [query, message] of cases) {
      const error = await errorCode(admin.request(query));
      expect({ query, ...error }).toEqual({
        query,
        code: 'BAD_USER_INPUT',
        message: expect.stringMatching(message),
      });
    }
    await expect(admin.request('{ block(height: 999) { hash } }')).resolves.toEqual({
      block: null,
    });
    await expect(admin.request('{ consistencyProof(fromSize: 3, toSize: 3) }')).resolves.toEqual({
      consistencyProof: [],
    });
  });
});
