// Split views caught by custos monitor (SPEC section 9): a log key signs two different trees
// of the same size and offers one to each of two real witnesses (CUSTOS_ROLE=witness apps,
// each on its own database); both cosign, since each sees a consistent history. Put side
// by side, the two cosigned checkpoints prove the fork, and a monitor following the log's
// tiles catches a checkpoint that does not fit them. It also reports a participant's
// events and one signed in its name with a key it did not expect.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../apps/cli/src/main';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { bytesToHex } from '@custos/ledger/bytes';
import { encodeCosignerVkey } from '@custos/ledger/cosignature';
import { publicKeyOf } from '@custos/ledger/ed25519';
import { encodeVerifierKey } from '@custos/ledger/note';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testQueuePrefix,
  type TestDatabase,
} from '../storage';
import { postAddCheckpoint } from '../witness/tessera-client';
import { serveFolder, writeStaticLog } from '../witness/static-log';

const ORIGIN = 'custos.test/split';
const signer = { name: ORIGIN, secretKey: new Uint8Array(32).fill(5) };
const vkey = encodeVerifierKey(ORIGIN, publicKeyOf(signer.secretKey));
const entry = (fields: Record<string, string>, keyId = 'aaaa1111') =>
  new TextEncoder().encode(JSON.stringify({ event: fields, keyId, signature: 'x' }));

describe('split view', () => {
  const dir = tempDir('split');
  const witnesses: { name: string; vkey: string; db: TestDatabase; app: RunningApp }[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    for (const [i, name] of ['witness.test/s1', 'witness.test/s2'].entries()) {
      const seed = bytesToHex(new Uint8Array(32).fill(40 + i));
      const db = await createTestDatabase(`split-w${i + 1}`);
      const app = await startApp(
        serverConfig(db, testQueuePrefix(`split-w${i + 1}`), {
          CUSTOS_ROLE: 'witness',
          CUSTOS_WITNESS_NAME: name,
          CUSTOS_WITNESS_KEY: seed,
          CUSTOS_WITNESS_LOGS: vkey,
        }),
        { logger: false },
      );
      const key = encodeCosignerVkey(name, publicKeyOf(new Uint8Array(32).fill(40 + i)));
      witnesses.push({ name, vkey: key, db, app });
    }
  }, 60_000);
  afterAll(async () => {
    for (const close of closers) await close();
    for (const w of witnesses) await w.app.stop();
    for (const w of witnesses) await w.db.drop();
    dir.remove();
  });

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(argv, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      stdin: process.stdin,
      env: {},
      cwd: dir.path,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const witnessArgs = () => witnesses.flatMap((w) => ['--witness', w.vkey]);

  // Tree A: what the pharmacy's side is shown; tree B: the same size, one SHIP rewritten.
  const events = Array.from({ length: 20 }, (_, i) =>
    entry({ type: 'COMMISSION', actor: '9506000009507', eventId: `e${i}` }),
  );
  events[7] = entry({ type: 'SHIP', actor: '9506000009507', to: '9506000009514', eventId: 'e7' });
  const forged = events.map((e, i) =>
    i === 7
      ? entry({ type: 'SHIP', actor: '9506000009507', to: '9506000009521', eventId: 'e7' })
      : e,
  );

  it('two witnesses cosign two trees of the same size: the cosigned checkpoints prove it', async () => {
    const a = writeStaticLog(join(dir.path, 'log-a'), events, signer);
    const b = writeStaticLog(join(dir.path, 'log-b'), forged, signer);
    const cosigned: string[] = [];
    for (const [i, note] of [a, b].entries()) {
      const answer = await postAddCheckpoint(witnesses[i]!.app.url, 0, [], note);
      expect(answer.status).toBe(200);
      cosigned.push(note + answer.body);
      writeFileSync(join(dir.path, `w${i + 1}.note`), note + answer.body);
    }
    const caught = await cli(
      'monitor',
      '--vkey',
      vkey,
      ...witnessArgs(),
      '--checkpoint',
      'w1.note',
      '--checkpoint',
      'w2.note',
    );
    expect(caught.code).toBe(1);
    expect(caught.out).toMatch(
      /^✗ split view: w1\.note \(size 20, root [0-9a-f]{64}, cosigned by witness\.test\/s1\) and w2\.note \(size 20, root [0-9a-f]{64}, cosigned by witness\.test\/s2\)$/,
    );

    // verify-bundle given the other view: its bundle's checkpoint is one side of the split.
    writeFileSync(
      join(dir.path, 'bundle.json'),
      JSON.stringify({ proof: { checkpoint: { note: cosigned[0] }, entries: [] } }),
    );
    const bundle = await cli(
      'verify-bundle',
      'bundle.json',
      '--key',
      vkey,
      ...witnessArgs(),
      '--checkpoint',
      'w2.note',
    );
    expect(bundle.code).toBe(1);
    expect(bundle.out).toMatch(
      /^✗ no split view between the bundle's checkpoint and 1 --checkpoint note\(s\) — split view: bundle\.json \(size 20, root [0-9a-f]{64}, cosigned by witness\.test\/s1\) and w2\.note /m,
    );
    const agreeing = await cli(
      'verify-bundle',
      'bundle.json',
      '--key',
      vkey,
      '--checkpoint',
      'w1.note',
    );
    expect(agreeing.out).toMatch(
      /^✓ no split view between the bundle's checkpoint and 1 --checkpoint note\(s\)$/m,
    );

    // The same tree seen twice is no split view.
    writeFileSync(join(dir.path, 'again.note'), cosigned[0]!);
    const same = await cli(
      'monitor',
      '--vkey',
      vkey,
      '--checkpoint',
      'w1.note',
      '--checkpoint',
      'again.note',
    );
    expect(same).toMatchObject({ code: 0, out: '✓ 2 checkpoints, no split view' });
    // A note not signed by the log is reported, not compared.
    writeFileSync(
      join(dir.path, 'stranger.note'),
      writeStaticLog(join(dir.path, 'log-s'), events, {
        name: ORIGIN,
        secretKey: new Uint8Array(32).fill(6),
      }),
    );
    const stranger = await cli(
      'monitor',
      '--vkey',
      vkey,
      '--checkpoint',
      'w1.note',
      '--checkpoint',
      'stranger.note',
    );
    expect(stranger.code).toBe(1);
    expect(stranger.out).toMatch(/✗ stranger\.note: not a checkpoint signed by the log: /);
  });

  it('following the log, a checkpoint that does not fit its tiles is caught', async () => {
    const served = await serveFolder(join(dir.path, 'log-a'));
    closers.push(() => served.close());
    // An earlier, smaller checkpoint of the forged tree: another history than the log's.
    writeFileSync(
      join(dir.path, 'small.note'),
      writeStaticLog(join(dir.path, 'log-b10'), forged.slice(0, 10), signer),
    );
    const caught = await cli(
      'monitor',
      served.url,
      '--vkey',
      vkey,
      '--state',
      'm1',
      '--once',
      '--checkpoint',
      'w2.note',
      '--checkpoint',
      'small.note',
    );
    expect(caught.code).toBe(1);
    expect(caught.out).toMatch(/^log at size 20 \(was 0\), root [0-9a-f]{64}$/m);
    expect(caught.out).toMatch(
      /✗ split view: w2\.note \(size 20, .*\) is not consistent with http:\/\/127\.0\.0\.1:\d+ \(size 20/,
    );
    expect(caught.out).toMatch(/✗ split view: small\.note \(size 10, .*\) is not consistent with/);
    const fine = await cli(
      'monitor',
      served.url,
      '--vkey',
      vkey,
      '--state',
      'm2',
      '--once',
      '--checkpoint',
      'w1.note',
    );
    expect(fine.code).toBe(0);
  });

  it("reports a participant's events, and one signed with a key it did not expect", async () => {
    const log = join(dir.path, 'log-p');
    writeStaticLog(
      log,
      [
        ...events,
        entry({ type: 'DECOMMISSION', actor: '9506000009507', eventId: 'e20' }, 'bbbb2222'),
      ],
      signer,
    );
    const served = await serveFolder(log);
    closers.push(() => served.close());
    const args = ['monitor', served.url, '--vkey', vkey, '--token', 'regulator-token', '--once'];
    const receiver = await cli(...args, '--state', 'p1', '--participant', '9506000009514');
    expect(receiver).toMatchObject({ code: 0 });
    expect(receiver.out.split('\n').slice(1)).toEqual([
      '• leaf 7: SHIP to you from 9506000009507 (event e7, key aaaa1111)',
    ]);
    const maker = await cli(
      ...args,
      '--state',
      'p2',
      '--participant',
      '9506000009507',
      '--expect-key',
      'aaaa1111',
    );
    expect(maker.code).toBe(1);
    expect(maker.out).toContain('• leaf 7: SHIP by you (event e7, key aaaa1111)');
    expect(maker.out).toContain(
      '✗ leaf 20: DECOMMISSION by you (event e20, key bbbb2222): signed with a key you did not expect',
    );
    expect(
      (await cli('monitor', served.url, '--vkey', vkey, '--participant', 'x', '--once')).err,
    ).toMatch(/--participant: .*--token/);
  });
});
