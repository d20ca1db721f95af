// The log's witness client on the real PostgreSQL, against a scripted witness over HTTP:
// it retries a failing witness with back-off, resyncs on 409 and then sends a consistency
// proof that verifies, stores the cosignature and serves it in the checkpoint note, raises
// LEDGER_ROLLBACK when a witness holds a larger tree than the log, and never makes the
// caller wait.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { cosign, encodeCosignerVkey } from '@custos/ledger/cosignature';
import { parseCheckpoint } from '@custos/ledger/checkpoint';
import { publicKeyOf } from '@custos/ledger/ed25519';
import { verifyConsistency } from '@custos/ledger/merkle-verify';
import { type AddCheckpointRequest, parseAddCheckpointRequest } from '@custos/ledger/tlog-witness';
import { AlertRepository } from '@custos/store/alert.repository';
import { CosignatureRepository } from '@custos/store/cosignature.repository';
import { retryAfterMs } from '@custos/sdk/retry-after';
import { WitnessClient } from '@custos/witness/witness-client.service';
import { insertPending, shipEvent, testSigner } from '../sealing/fixture';
import { openSealer, type TestSealer } from '../sealing/sealer';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import { verifyCosignatureIndependently } from './independent-cosignature-verifier';

type Script = (request: AddCheckpointRequest) => {
  status: number;
  type?: string;
  body: string;
  headers?: Record<string, string>;
};

const witnessSigner = { name: 'witness.test/scripted', secretKey: new Uint8Array(32).fill(11) };
const vkey = encodeCosignerVkey(witnessSigner.name, publicKeyOf(witnessSigner.secretKey));
const cosigned = (request: AddCheckpointRequest) => ({
  status: 200,
  body: cosign(request.checkpoint, witnessSigner, Math.floor(Date.now() / 1000)),
});

describe('WitnessClient', () => {
  let db: TestDatabase;
  let pg: Client;
  let server: Server;
  let url: string;
  let script: Script[] = [];
  const seen: AddCheckpointRequest[] = [];
  const seenAt: number[] = [];
  const prefix = testQueuePrefix('wclient');
  const a = testSigner('9506000000003');
  let sealer: TestSealer;
  let client: WitnessClient;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = parseAddCheckpointRequest(Buffer.concat(chunks));
        seen.push(request);
        seenAt.push(Date.now());
        const step = script.shift();
        if (!step) return; // never answers: the client's timeout must end it
        const answer = step(request);
        res.writeHead(answer.status, {
          ...(answer.type ? { 'content-type': answer.type } : {}),
          ...answer.headers,
        });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    db = await createTestDatabase('wclient');
    const config = serverConfig(db, prefix, { CUSTOS_WITNESSES: `${vkey} ${url}` });
    sealer = await openSealer(config);
    client = new WitnessClient(
      config,
      sealer.query,
      new CosignatureRepository(sealer.storage),
      new AlertRepository(sealer.storage),
      { requestTimeoutMs: 500, submissionBudgetMs: 3000, firstBackoffMs: 20, refreshMs: 3_600_000 },
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await client?.stop();
    server?.closeAllConnections();
    server?.close();
    await sealer?.close();
    await pg?.end();
    await db?.drop();
  });

  const seal = async (n: number) => {
    await insertPending(
      pg,
      Array.from({ length: n }, () => shipEvent(a, '9506000000010', `S${Math.random()}`)),
    );
    const { block } = await sealer.sealing.sealBlock();
    return block!;
  };

  it('retries a failing witness, stores the cosignature, serves it in the note', async () => {
    await seal(3);
    script = [() => ({ status: 503, body: 'busy' }), cosigned];
    client.start();
    await client.idle();
    expect(seen.map((r) => r.oldSize)).toEqual([0, 0]);
    const { note, treeSize } = await sealer.query.checkpoint();
    expect(treeSize).toBe(3);
    expect(verifyCosignatureIndependently(note, { vkey }).name).toBe(witnessSigner.name);
  });

  it('discovers the size a witness holds from its 409, then sends a proof that verifies', async () => {
    seen.length = 0;
    const old = parseCheckpoint((await sealer.query.checkpoint()).note.split('\n\n')[0]! + '\n');
    await seal(5);
    script = [() => ({ status: 409, type: 'text/x.tlog.size', body: '3\n' }), cosigned];
    // A fresh client (a restarted worker) knows nothing of the witness: it starts at old 0.
    const fresh = new WitnessClient(
      sealer.config,
      sealer.query,
      new CosignatureRepository(sealer.storage),
      new AlertRepository(sealer.storage),
      { requestTimeoutMs: 500, submissionBudgetMs: 3000, firstBackoffMs: 20 },
    );
    fresh.start();
    await fresh.idle();
    await fresh.stop();
    expect(seen.map((r) => r.oldSize)).toEqual([0, 3]);
    const last = seen[1]!;
    const now = parseCheckpoint(last.checkpoint.split('\n\n')[0]! + '\n');
    expect(now.size).toBe(8);
    expect(() => verifyConsistency(3, 8, last.proof, old.rootHash, now.rootHash)).not.toThrow();
    const served = (await sealer.query.checkpoint()).note;
    expect(verifyCosignatureIndependently(served, { vkey }).name).toBe(witnessSigner.name);
  });

  it('a witness holding a larger tree raises LEDGER_ROLLBACK', async () => {
    await seal(1);
    script = [() => ({ status: 409, type: 'text/x.tlog.size', body: '1000\n' })];
    client.blocksSealed();
    await client.idle();
    const { rows } = await pg.query<{ code: string; severity: string; message: string }>(
      `SELECT code, severity::text, message FROM alert WHERE code = 'LEDGER_ROLLBACK'`,
    );
    expect(rows).toEqual([
      {
        code: 'LEDGER_ROLLBACK',
        severity: 'CRITICAL',
        message: expect.stringContaining("size 1000, larger than this log's 9"),
      },
    ]);
  });

  it('never makes the sealer wait: a witness that does not answer costs the caller nothing', async () => {
    await seal(1);
    script = []; // the scripted witness now hangs
    const started = performance.now();
    client.blocksSealed();
    expect(performance.now() - started).toBeLessThan(20);
    const sealedMeanwhile = await seal(2);
    expect(sealedMeanwhile.treeSize).toBe(12);
    await client.idle(); // ends within the submission budget, after request timeouts
  });

  it('429 push-back: waits the Retry-After the witness asks for, then is cosigned', async () => {
    await client.idle();
    seen.length = 0;
    seenAt.length = 0;
    const block = await seal(1);
    script = [() => ({ status: 429, body: 'busy\n', headers: { 'retry-after': '1' } }), cosigned];
    client.blocksSealed();
    await client.idle();
    expect(seen).toHaveLength(2);
    // firstBackoffMs is 20 here: the second try waited for the witness, not for the back-off.
    expect(seenAt[1]! - seenAt[0]!).toBeGreaterThanOrEqual(950);
    const { note, treeSize } = await sealer.query.checkpoint();
    expect(treeSize).toBe(block.treeSize);
    expect(verifyCosignatureIndependently(note, { vkey }).name).toBe(witnessSigner.name);
  });

  it('a Retry-After beyond the submission budget ends the round at once (bounded)', async () => {
    seen.length = 0;
    await seal(1);
    script = [() => ({ status: 429, body: 'busy\n', headers: { 'retry-after': '3600' } })];
    const started = Date.now();
    client.blocksSealed();
    await client.idle();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(seen).toHaveLength(1);
  });
});

describe('retryAfterMs (RFC 9110 Retry-After)', () => {
  it('reads delay-seconds and HTTP-dates; anything else is no hint', () => {
    const now = Date.parse('2026-12-02T04:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Wed, 02 Dec 2026 04:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 02 Dec 2026 03:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-1', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
