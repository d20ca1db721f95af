// The `custos` CLI end to end, as a user runs it: `node bin/custos.cjs` (what npx custos
// and npm run custos run) as child processes against a spawned product in embedded mode.
// Keys, registration with the admin token the server generated, login, sign, submit
// (NDJSON, stdin, a rejection reported by line), verify with --save, the offline check,
// checkpoint, trace, alerts --follow, audit, and the unreachable server.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { COMPANY_PREFIX, gln, GTIN, sscc, ssccUri, unitUri } from '../fixtures/ledger-world';
import { type Product, startProduct } from '../product';
import { tempDir } from '../storage';

const LAUNCHER = join(__dirname, '..', '..', 'bin', 'custos.cjs');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('custos CLI end to end', () => {
  const data = tempDir('cli-e2e-data');
  const work = tempDir('cli-e2e-work');
  let product: Product;
  let env: Record<string, string>;

  const custos = (
    args: string[],
    options: { stdin?: string; session?: string } = {},
  ): Promise<Ran> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [LAUNCHER, ...args], {
        cwd: work.path,
        env: { ...env, ...(options.session ? { CUSTOS_SESSION_FILE: options.session } : {}) },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdin.end(options.stdin ?? '');
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  const ok = async (args: string[], options?: { stdin?: string; session?: string }) => {
    const ran = await custos(args, options);
    if (ran.code !== 0)
      throw new Error(`custos ${args.join(' ')} → ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
    return ran.stdout;
  };

  beforeAll(async () => {
    product = await startProduct({ CUSTOS_DATA_DIR: data.path, SEAL_MAX_WAIT_MS: '100' });
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CUSTOS_URL: product.url,
      CUSTOS_DATA_DIR: data.path, // where the embedded server keeps the admin token
    };
  });
  afterAll(async () => {
    await product?.stop();
    data.remove();
    work.remove();
  });

  it('runs a small supply chain from the command line', async () => {
    const maker = gln('950600000301');
    const pharmacy = gln('950600000302');
    const regulator = gln('950600000303');
    const license = [
      '--license-number',
      'L-1',
      '--license-authority',
      'Test Agency',
      '--license-valid-until',
      '2099-12-31',
    ];
    for (const name of ['maker', 'pharmacy', 'regulator'])
      await ok(['keygen', '--out', `${name}.json`]);
    await ok([
      'register',
      '--id',
      maker,
      '--name',
      'CLI Maker',
      '--role',
      'MANUFACTURER',
      '--prefix',
      COMPANY_PREFIX,
      '--key',
      'maker.json',
      '--valid-from',
      '2020-01-01T00:00:00Z',
      ...license,
    ]);
    await ok([
      'register',
      '--id',
      pharmacy,
      '--name',
      'CLI Pharmacy',
      '--role',
      'DISPENSER',
      '--key',
      'pharmacy.json',
      ...license,
    ]);
    const registered = JSON.parse(
      await ok([
        'register',
        '--json',
        '--id',
        regulator,
        '--name',
        'CLI Agency',
        '--role',
        'regulator',
        '--key',
        'regulator.json',
        ...license,
      ]),
    ) as { id: string; roles: string[] };
    expect(registered).toMatchObject({ id: regulator, roles: ['REGULATOR'] });
    // register wrote the participant into each key file: login needs nothing else.
    expect(JSON.parse(readFileSync(join(work.path, 'maker.json'), 'utf8'))).toMatchObject({
      participantId: maker,
    });

    const sessions = {
      maker: join(work.path, 'maker-session.json'),
      pharmacy: join(work.path, 'pharmacy-session.json'),
      regulator: join(work.path, 'regulator-session.json'),
    };
    expect(await ok(['login', '--key', 'maker.json'], { session: sessions.maker })).toContain(
      `signed in to ${product.url} as ${maker}`,
    );
    await ok(['login', '--key', 'pharmacy.json'], { session: sessions.pharmacy });
    await ok(['login', '--key', 'regulator.json'], { session: sessions.regulator });

    const units = Array.from({ length: 12 }, (_, i) => unitUri(`CLI${i}`));
    const box = ssccUri(sscc(`0${COMPANY_PREFIX}000000301`));
    const eventTime = new Date(Date.now() - 10_000).toISOString();
    const unsigned = [
      ...units.map((u) => ({
        type: 'COMMISSION',
        eventTime,
        items: [u],
        lot: 'CLI1',
        expiry: '2030-12-31',
      })),
      { type: 'PACK', eventTime, items: units, parent: box },
      { type: 'SHIP', eventTime, items: [box], to: pharmacy },
    ];
    writeFileSync(
      join(work.path, 'events.ndjson'),
      unsigned.map((e) => JSON.stringify(e)).join('\n') + '\n',
    );
    const signed = await ok(['sign', 'events.ndjson', '--key', 'maker.json']);
    writeFileSync(join(work.path, 'signed.ndjson'), signed);

    // A tampered event on line 3 rejects its batch; the report names the line.
    const lines = signed.trim().split('\n');
    const third = JSON.parse(lines[2]!) as { event: { lot: string } };
    third.event.lot = 'OTHER';
    writeFileSync(
      join(work.path, 'tampered.ndjson'),
      [lines[0], lines[1], JSON.stringify(third)].join('\n') + '\n',
    );
    const tampered = await custos(['submit', 'tampered.ndjson'], { session: sessions.maker });
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^✗ line 3: BAD_SIGNATURE — /m);

    const submitted = JSON.parse(
      await ok(['submit', 'signed.ndjson', '--batch-size', '5', '--json'], {
        session: sessions.maker,
      }),
    ) as { ok: boolean; submitted: number; accepted: number; batches: number };
    expect(submitted).toMatchObject({ ok: true, submitted: 14, accepted: 14, batches: 3 });
    // Again: safe, everything is already stored.
    expect(await ok(['submit', 'signed.ndjson'], { session: sessions.maker })).toContain(
      '0 accepted, 14 already stored, 0 rejected',
    );

    // Unsigned events from standard input, signed on the way with --key.
    await ok(['submit', '-', '--key', 'pharmacy.json'], {
      session: sessions.pharmacy,
      stdin: JSON.stringify([{ type: 'RECEIVE', items: [box], from: maker }]),
    });

    const checkpoint = JSON.parse(
      await ok(['checkpoint', '--json'], { session: sessions.pharmacy }),
    ) as { treeSize: number; ledgerKey: string };
    expect(checkpoint.ledgerKey).toMatch(/^custos\.local\/log\+[0-9a-f]{8}\+/);
    for (let i = 0; i < 100 && checkpoint.treeSize < 15; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      checkpoint.treeSize = (
        JSON.parse(await ok(['checkpoint', '--json'], { session: sessions.pharmacy })) as {
          treeSize: number;
        }
      ).treeSize;
    }
    expect(checkpoint.treeSize).toBe(15);
    expect(
      await ok(['checkpoint', '--key', checkpoint.ledgerKey], { session: sessions.pharmacy }),
    ).toContain('✓ signature: signed by custos.local/log');

    const code = `(01)${GTIN}(21)CLI4`;
    const verified = await ok(['verify', code, '--save', 'answer.json'], {
      session: sessions.pharmacy,
    });
    expect(verified).toMatch(new RegExp(`^AUTHENTIC  ${units[4]!.replace(/[/.]/g, '\\$&')}$`, 'm'));
    expect(verified).toContain(`status: ACTIVE, with CLI Pharmacy (${pharmacy})`);
    expect(await ok(['verify-bundle', 'answer.json', '--key', checkpoint.ledgerKey])).toMatch(
      /^OK: \d+ checks passed$/m,
    );

    // The regulator follows alerts while the pharmacy dispenses one unit twice.
    const follow = custos(
      ['alerts', '--follow', '--max', '1', '--code', 'ALREADY_DISPENSED', '--json'],
      { session: sessions.regulator },
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const dispense = JSON.stringify({ type: 'DISPENSE', items: [units[4]] });
    await ok(['submit', '--key', 'pharmacy.json'], { session: sessions.pharmacy, stdin: dispense });
    await ok(['submit', '--key', 'pharmacy.json'], { session: sessions.pharmacy, stdin: dispense });
    const followed = await follow;
    expect(followed.code).toBe(0);
    const alert = JSON.parse(followed.stdout.trim().split('\n').pop()!) as {
      code: string;
      identifier: string;
    };
    expect(alert).toMatchObject({ code: 'ALREADY_DISPENSED', identifier: units[4] });

    const counterfeit = await custos(['verify', units[4]!], { session: sessions.pharmacy });
    expect(counterfeit.code).toBe(1);
    expect(counterfeit.stdout).toMatch(/^COUNTERFEIT /);
    expect(counterfeit.stdout).toContain('ALREADY_DISPENSED');

    const trace = JSON.parse(
      await ok(['trace', GTIN, 'CLI1', '--json'], { session: sessions.regulator }),
    ) as { totalUnits: number; byStatus: { status: string; count: number }[] };
    expect(trace.totalUnits).toBe(12);
    expect(trace.byStatus).toEqual(
      expect.arrayContaining([
        { status: 'DISPENSED', count: 1 },
        { status: 'ACTIVE', count: 11 },
      ]),
    );

    const audit = await custos(['audit'], { session: sessions.regulator });
    expect([audit.code, audit.stdout]).toEqual([
      0,
      expect.stringMatching(
        /^audit \S+ COMPLETED: \d+ of \d+ entries checked, .* 0 discrepancies$/m,
      ),
    ]);
  }, 240_000);

  it('keys add, revoke and list: a participant rotates its key itself and checks the proofs', async () => {
    const me = gln('950600000304');
    const session = join(work.path, 'rotating-session.json');
    await ok(['keygen', '--out', 'rot-k1.json', '--participant', me]);
    await ok(['keygen', '--out', 'rot-k2.json', '--participant', me, '--key-id', 'k2']);
    await ok([
      'register',
      '--id',
      me,
      '--name',
      'Rotating Pharmacy',
      '--role',
      'DISPENSER',
      '--key',
      'rot-k1.json',
      '--license-number',
      'L-4',
      '--license-authority',
      'Test Agency',
      '--license-valid-until',
      '2099-12-31',
    ]);
    await ok(['login', '--key', 'rot-k1.json'], { session });
    // Unsigned, a participant may not add a key: that takes the admin token.
    const unsigned = await custos(
      ['keys', 'add', '--new', 'rot-k2.json', '--participant', me, '--token', 'not-admin'],
      { session },
    );
    expect(unsigned.code).toBe(1);
    expect(
      await ok(['keys', 'add', '--new', 'rot-k2.json', '--signer', 'rot-k1.json'], { session }),
    ).toMatch(/added key k2 to .* \(signed by k1\)/);
    expect(await ok(['keys', 'revoke', 'k1', '--signer', 'rot-k2.json'], { session })).toMatch(
      /revoked key k1/,
    );
    // Over the same session file, whose token ended with k1: login sends no token.
    await ok(['login', '--key', 'rot-k2.json'], { session });
    const { ledgerKey } = JSON.parse(await ok(['checkpoint', '--json'], { session })) as {
      ledgerKey: string;
    };
    const listed = JSON.parse(
      await ok(['keys', 'list', '--json', '--vkey', ledgerKey], { session }),
    ) as { keys: { keyId: string; addedBy: string; revokedBy: string | null }[] };
    expect(listed.keys.map((k) => [k.keyId, k.addedBy, k.revokedBy])).toEqual([
      ['k1', 'ADMIN', 'PARTICIPANT'],
      ['k2', 'PARTICIPANT', null],
    ]);
    // Checked with another ledger key, the proofs do not verify.
    const otherKey = ledgerKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    const wrong = await custos(['keys', 'list', '--vkey', otherKey], { session });
    expect(wrong.code).not.toBe(0);
  }, 240_000);

  it('says when the server cannot be reached', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const free = (server.address() as AddressInfo).port;
        server.close(() => resolve(free));
      });
    });
    const ran = await custos([
      'checkpoint',
      '--server',
      `http://127.0.0.1:${port}`,
      '--token',
      't',
    ]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(
      `cannot reach the Custos server at http://127.0.0.1:${port} (ECONNREFUSED): is it running?`,
    );
  });
});
