// CUSTOS_ROLE=witness as an operator runs it: the built server, its own embedded storage,
// a generated key, and a log it knows only by its public key; spoken to over HTTP exactly
// as Tessera's witness client speaks (test/witness/tessera-client.ts), answers read the way
// that client reads them, cosignatures checked by the independent verifier.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { hexToBytes } from '@custos/ledger/bytes';
import { signCheckpoint } from '@custos/ledger/checkpoint';
import { encodeCosignerVkey } from '@custos/ledger/cosignature';
import { publicKeyOf } from '@custos/ledger/ed25519';
import { leafHash } from '@custos/ledger/merkle';
import { MemoryLog } from '@custos/ledger/merkle-memory-store';
import { encodeVerifierKey } from '@custos/ledger/note';
import { type Product, startProduct } from '../product';
import { createTestDatabase, tempDir } from '../storage';
import { verifyCosignatureIndependently } from '../witness/independent-cosignature-verifier';
import {
  type WitnessReply,
  postAddCheckpoint,
  postRaw,
  tesseraReading,
} from '../witness/tessera-client';

const origin = 'custos.test/log';
const logSigner = { name: origin, secretKey: new Uint8Array(32).fill(7) };
const logVkey = encodeVerifierKey(origin, publicKeyOf(logSigner.secretKey));
const tree = new MemoryLog();
tree.append(Array.from({ length: 40 }, (_, i) => leafHash(new Uint8Array([i, 1]))));
const note = (size: number, signer = logSigner, rootHash = tree.root(size)) =>
  signCheckpoint({ origin: signer.name, size, rootHash }, [signer]);

describe('CUSTOS_ROLE=witness (C2SP tlog-witness)', () => {
  const data = tempDir('witness');
  let witness: Product;
  let vkey: string;

  const start = async () => {
    witness = await startProduct({
      CUSTOS_ROLE: 'witness',
      CUSTOS_DATA_DIR: data.path,
      CUSTOS_WITNESS_NAME: 'witness.test/w1',
      CUSTOS_WITNESS_LOGS: logVkey,
    });
    // The vkey line follows the "listening" line that startProduct waits for.
    for (let i = 0; i < 100 && !/witness vkey: \S+\n/.test(witness.output()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    vkey = /witness vkey: (\S+)\n/.exec(witness.output())![1]!;
  };

  beforeAll(start, 120_000);
  afterAll(async () => {
    await witness?.stop();
    data.remove();
  });

  it('prints its vkey and needs none of the log secrets', () => {
    // base64(0x04 ‖ 32-byte key): 44 characters, the first 'B' (0x04 = 000001|00…).
    expect(vkey).toMatch(/^witness\.test\/w1\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$/);
    // It made no ledger secret: no admin token, no sealing key, only its own key.
    expect(existsSync(join(data.path, 'secrets'))).toBe(false);
    expect(existsSync(join(data.path, 'witness-key'))).toBe(true);
    expect(witness.output()).toContain('POST /add-checkpoint for custos.test/log');
  });

  it('cosigns the first checkpoint (old 0) and a consistent extension; 409 resyncs', async () => {
    const first = await postAddCheckpoint(witness.url, 0, [], note(5));
    expect(tesseraReading(first)).toBe('cosigned');
    expect(first.body).toMatch(/^\u2014 witness\.test\/w1 \S+\n$/);
    const cosigned = verifyCosignatureIndependently(note(5) + first.body, { vkey });
    expect(Math.abs(cosigned.timestamp - Date.now() / 1000)).toBeLessThan(60);

    const stale = await postAddCheckpoint(witness.url, 0, [], note(12));
    expect(stale).toEqual({ status: 409, contentType: 'text/x.tlog.size', body: '5\n' });
    expect(tesseraReading(stale)).toBe('stale 5');

    const next = await postAddCheckpoint(witness.url, 5, tree.consistencyProof(5, 12), note(12));
    expect(tesseraReading(next)).toBe('cosigned');
    expect(() => verifyCosignatureIndependently(note(12) + next.body, { vkey })).not.toThrow();
    // The cosignature is on size 12, not on anything else.
    expect(() => verifyCosignatureIndependently(note(11) + next.body, { vkey })).toThrow();

    // The same size again is cosigned afresh (omniwitness does so too).
    const again = await postAddCheckpoint(witness.url, 12, [], note(12));
    expect(tesseraReading(again)).toBe('cosigned');
  });

  it('refuses with the statuses the reference witnesses use', async () => {
    const stranger = { name: 'other.test/log', secretKey: new Uint8Array(32).fill(3) };
    const impostor = { name: origin, secretKey: new Uint8Array(32).fill(4) };
    const cases: [string, Promise<WitnessReply>][] = [
      ['unknown log', postAddCheckpoint(witness.url, 0, [], note(3, stranger))],
      ['no valid signature', postAddCheckpoint(witness.url, 12, [], note(12, impostor))],
      ['old size invalid', postAddCheckpoint(witness.url, 13, [], note(12))],
      ['old size invalid', postRaw(witness.url, 'old 012\n\n' + note(12))],
      ['old size invalid', postRaw(witness.url, 'garbage')],
      [
        'invalid proof',
        postAddCheckpoint(witness.url, 12, tree.consistencyProof(11, 20), note(20)),
      ],
      // A different tree of the same size, properly signed by the log: a fork.
      ['root mismatch', postAddCheckpoint(witness.url, 12, [], note(12, logSigner, tree.root(13)))],
    ];
    for (const [reading, reply] of cases) {
      const answer = await reply;
      expect([reading, tesseraReading(answer)]).toEqual([reading, reading]);
      if (reading === 'root mismatch') expect(answer.body).toBe('');
      else expect(answer.body).toMatch(/\S/); // a sentence saying what is wrong
    }
    // None of them moved the witness: it still holds 12.
    expect(tesseraReading(await postAddCheckpoint(witness.url, 0, [], note(20)))).toBe('stale 12');
  });

  it('check and persist are atomic: of concurrent extensions from one size, one wins', async () => {
    const sizes = [14, 17, 21, 26, 30];
    const replies = await Promise.all(
      sizes.map((size) =>
        postAddCheckpoint(witness.url, 12, tree.consistencyProof(12, size), note(size)),
      ),
    );
    const won = replies.flatMap((r, i) => (r.status === 200 ? [sizes[i]!] : []));
    expect(won).toHaveLength(1);
    for (const reply of replies.filter((r) => r.status !== 200)) {
      expect(tesseraReading(reply)).toBe(`stale ${won[0]}`);
    }
  });

  it('keeps its key and state across a restart', async () => {
    const before = vkey;
    const held = Number((await postAddCheckpoint(witness.url, 0, [], note(40))).body.trim());
    await witness.stop();
    await start();
    expect(vkey).toBe(before);
    expect(tesseraReading(await postAddCheckpoint(witness.url, 0, [], note(40)))).toBe(
      `stale ${held}`,
    );
    const reply = await postAddCheckpoint(
      witness.url,
      held,
      tree.consistencyProof(held, 40),
      note(40),
    );
    expect(() => verifyCosignatureIndependently(note(40) + reply.body, { vkey })).not.toThrow();
  }, 120_000);

  it('runs on its own PostgreSQL (DATABASE_URL) with no ledger secret set', async () => {
    const db = await createTestDatabase('witness-pg');
    const own = tempDir('witness-pg');
    const onPg = await startProduct({
      CUSTOS_ROLE: 'witness',
      DATABASE_URL: db.url,
      CUSTOS_DATA_DIR: own.path,
      CUSTOS_WITNESS_NAME: 'witness.test/pg',
      CUSTOS_WITNESS_KEY: 'ef'.repeat(32),
      CUSTOS_WITNESS_LOGS: logVkey,
    });
    try {
      const first = await postAddCheckpoint(onPg.url, 0, [], note(7));
      expect(tesseraReading(first)).toBe('cosigned');
      const pgVkey = encodeCosignerVkey(
        'witness.test/pg',
        publicKeyOf(hexToBytes('ef'.repeat(32))),
      );
      expect(verifyCosignatureIndependently(note(7) + first.body, { vkey: pgVkey }).name).toBe(
        'witness.test/pg',
      );
      const client = new Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query<{ origin: string; tree_size: string }>(
        'SELECT origin, tree_size::text FROM witness_log_state',
      );
      await client.end();
      expect(rows).toEqual([{ origin, tree_size: '7' }]);
    } finally {
      await onPg.stop();
      own.remove();
      await db.drop();
    }
  }, 120_000);
});
