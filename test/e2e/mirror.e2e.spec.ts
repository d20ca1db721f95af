// custos mirror (SPEC section 9): a folder followed from a log's /log/ reproduces every leaf
// and root (the tree rebuilt from the mirrored entry bundles gives each served checkpoint),
// serves as a mirror itself from a plain static web server, and refuses — writing nothing —
// a log that forked from it, shows a split view of the same size, or was rolled back.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gql } from 'graphql-request';
import { run } from '../../apps/cli/src/main';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { bytesToHex, hexToBytes } from '@custos/ledger/bytes';
import { openCheckpoint } from '@custos/ledger/checkpoint';
import { encodeCosignerVkey } from '@custos/ledger/cosignature';
import { publicKeyOf } from '@custos/ledger/ed25519';
import { leafHash, rootOfLeafHashes } from '@custos/ledger/merkle';
import { parseVerifierKey } from '@custos/ledger/note';
import { parseEntryBundle, tilePath } from '@custos/ledger/tiles';
import { COMPANY_PREFIX, gln, LedgerWorld, type Party, unitUri } from '../fixtures/ledger-world';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testQueuePrefix,
  testSecrets,
  type TestDatabase,
} from '../storage';
import { serveFolder, writeStaticLog } from '../witness/static-log';

const ORIGIN = 'custos.test/mirrored';

/** Every file below `dir` with its bytes, as relative path → hex. */
function contents(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path).toString('hex'));
    }
  };
  walk(dir);
  return files;
}

describe('custos mirror', () => {
  const folders = tempDir('mirror');
  const mirror = join(folders.path, 'a');
  let db: TestDatabase;
  let app: RunningApp;
  let world: LedgerWorld;
  let maker: Party;
  let vkey: string;
  let admin: string;
  let serial = 0;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('mirror');
    admin = testSecrets(db).CUSTOS_ADMIN_TOKEN!;
    app = await startApp(
      serverConfig(db, testQueuePrefix('mirror'), {
        CUSTOS_LOG_ORIGIN: ORIGIN,
        SEAL_MAX_WAIT_MS: '50',
        CUSTOS_GRAPHQL_MAX_LIST: '20000',
      }),
      { logger: false },
    );
    world = new LedgerWorld(app.url, admin);
    vkey = (
      await world.admin.request<{ ledgerKey: string }>(gql`
        {
          ledgerKey
        }
      `)
    ).ledgerKey;
    maker = await world.register(gln('950600000950'), 'Maker', ['MANUFACTURER'], [COMPANY_PREFIX]);
  }, 60_000);
  afterAll(async () => {
    for (const close of closers) await close();
    await app?.stop();
    await db?.drop();
    folders.remove();
  });

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(argv, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      stdin: process.stdin,
      env: {},
      cwd: folders.path,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const commission = async (count: number) => {
    const events = Array.from({ length: count }, () =>
      world.signed(maker, 'COMMISSION', {
        items: [unitUri(`M${++serial}`)],
        lot: 'L1',
        expiry: '2030-12-31',
      }),
    );
    await world.submit(maker, events);
    await world.sealedUpTo(world.admin, serial, 60_000);
  };
  const served = async () =>
    (
      await world.admin.request<{ checkpoint: { treeSize: number; rootHash: string } }>(gql`
        {
          checkpoint {
            treeSize
            rootHash
          }
        }
      `)
    ).checkpoint;
  /** The tree rebuilt from nothing but the folder's entry bundles, and its checkpoint. */
  const rebuilt = (dir: string) => {
    const { checkpoint } = openCheckpoint(
      readFileSync(join(dir, 'checkpoint'), 'utf8'),
      [parseVerifierKey(vkey)],
      ORIGIN,
    );
    const entries: Uint8Array[] = [];
    for (let index = 0; entries.length < checkpoint.size; index++) {
      const width = Math.min(256, checkpoint.size - index * 256);
      const path = tilePath({ level: 'entries', index, width });
      entries.push(...parseEntryBundle(readFileSync(join(dir, path))));
    }
    return {
      size: checkpoint.size,
      root: bytesToHex(checkpoint.rootHash),
      entries,
      rebuiltRoot: bytesToHex(rootOfLeafHashes(entries.map((e) => leafHash(e)))),
    };
  };
  const logSigner = () => ({
    name: ORIGIN,
    secretKey: hexToBytes(testSecrets(db).CUSTOS_SEALING_KEY!),
  });
  const serve = async (dir: string) => {
    const server = await serveFolder(dir);
    closers.push(() => server.close());
    return server.url;
  };

  it('follows the log: every leaf and every root reproduced from the mirrored bundles', async () => {
    await commission(10);
    const first = await cli(
      'mirror',
      app.url,
      'a',
      '--vkey',
      vkey,
      '--entries',
      '--token',
      admin,
      '--once',
    );
    expect(first).toMatchObject({ code: 0, err: '' });
    const head1 = await served();
    expect(first.out).toMatch(
      new RegExp(`^size 0 → ${head1.treeSize} \\(root ${head1.rootHash}\\)`),
    );
    const one = rebuilt(mirror);
    expect(one).toMatchObject({
      size: head1.treeSize,
      root: head1.rootHash,
      rebuiltRoot: head1.rootHash,
    });

    // Past one full tile: level-1 tiles appear; what the folder held is extended, not rewritten.
    const before = contents(mirror);
    await commission(290);
    const second = await cli(
      'mirror',
      app.url,
      'a',
      '--vkey',
      vkey,
      '--entries',
      '--token',
      admin,
      '--max-rounds',
      '2',
      '--interval',
      '1',
    );
    expect(second.code).toBe(0);
    const head2 = await served();
    expect(second.out.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^size ${head1.treeSize} → ${head2.treeSize} `)) as unknown,
      `up to date at size ${head2.treeSize}`,
    ]);
    const two = rebuilt(mirror);
    expect(two).toMatchObject({ size: 300, root: head2.rootHash, rebuiltRoot: head2.rootHash });
    expect(two.entries.slice(0, one.size)).toEqual(one.entries);
    const after = contents(mirror);
    for (const [path, bytes] of before)
      if (path !== 'checkpoint') expect([path, after.get(path)]).toEqual([path, bytes]);
    expect(after.has('tile/1/000.p/1')).toBe(true);
    expect(after.has('tile/0/000')).toBe(true);
    expect(after.has('tile/entries/000')).toBe(true);
    // Each served tile is what the mirror holds, byte for byte.
    for (const path of ['tile/0/000', 'tile/0/001.p/44', 'tile/1/000.p/1'])
      expect(
        Buffer.from(await (await fetch(`${app.url}/log/${path}`)).arrayBuffer()).toString('hex'),
      ).toBe(after.get(path));
  });

  it('the folder, served by a plain static web server, is a mirror; without a token no bundles', async () => {
    const url = await serve(mirror);
    const copy = await cli('mirror', `${url}/log`, 'b', '--vkey', vkey, '--once');
    expect(copy.code).toBe(0);
    const b = contents(join(folders.path, 'b'));
    const a = contents(mirror);
    expect(b.get('checkpoint')).toBe(a.get('checkpoint'));
    expect([...b.keys()].filter((p) => p.startsWith('tile/entries'))).toEqual([]);
    for (const [path, bytes] of b) expect([path, bytes]).toEqual([path, a.get(path)]);
  });

  it('a forked, a split or a rolled-back log is refused and the folder left as it was', async () => {
    const real = rebuilt(mirror).entries;
    const other = (i: number) => new TextEncoder().encode(`forged entry ${i}`);
    const cases: [string, Uint8Array[], RegExp][] = [
      [
        'fork',
        [...real.slice(0, 10), ...Array.from({ length: 400 }, (_, i) => other(i))],
        /inconsistent: the log's tree of size 410 does not extend the tree of size 300/,
      ],
      [
        'split',
        real.map((e, i) => (i === 299 ? other(0) : e)),
        /split view: the log serves size 300 with root [0-9a-f]{64}, this mirror holds root/,
      ],
      [
        'rollback',
        real.slice(0, 100),
        /smaller than the 300 this mirror holds: rolled back or forked/,
      ],
    ];
    const held = contents(mirror);
    for (const [name, entries, why] of cases) {
      const dir = join(folders.path, `log-${name}`);
      writeStaticLog(dir, entries, logSigner());
      const answer = await cli(
        'mirror',
        await serve(dir),
        'a',
        '--vkey',
        vkey,
        '--entries',
        '--token',
        admin,
        '--once',
      );
      expect([name, answer.code]).toEqual([name, 1]);
      expect(answer.err).toMatch(why);
      expect(answer.err).toMatch(/^✗ refused, a left as it was: /);
      expect(contents(mirror)).toEqual(held);
    }
    // A checkpoint not signed by the log's key, and one without the witnesses asked for.
    const stranger = join(folders.path, 'log-stranger');
    writeStaticLog(stranger, real, { name: ORIGIN, secretKey: new Uint8Array(32).fill(9) });
    const unsigned = await cli('mirror', await serve(stranger), 'a', '--vkey', vkey, '--once');
    expect(unsigned).toMatchObject({
      code: 1,
      err: expect.stringMatching(/the served checkpoint: /) as unknown,
    });
    const witness = encodeCosignerVkey('witness.test/m1', publicKeyOf(new Uint8Array(32).fill(3)));
    const unwitnessed = await cli(
      'mirror',
      app.url,
      'a',
      '--vkey',
      vkey,
      '--witness',
      witness,
      '--once',
    );
    expect(unwitnessed.code).toBe(1);
    expect(unwitnessed.err).toMatch(
      /not witnessed: 0 of 1 witnesses vouched freshly, quorum 1 not met \(witness.test\/m1: no cosignature\)/,
    );
    expect(contents(mirror)).toEqual(held);
    // Bad options name the option.
    expect((await cli('mirror', app.url, 'a', '--vkey', 'nonsense', '--once')).err).toMatch(
      /--vkey: /,
    );
    expect((await cli('mirror', app.url, 'a', '--vkey', vkey, '--entries', '--once')).err).toMatch(
      /--entries: .*--token/,
    );
  });
});
