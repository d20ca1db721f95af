import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { cosign, encodeCosignerVkey } from '@custos/ledger/cosignature';
import { publicKeyOf } from '@custos/ledger/ed25519';
import { verifySignedEvent } from '@custos/sdk/events';
import { loadKey } from '@custos/sdk/key-file';
import { makeBundle, vkey } from '../../../test/fixtures/verification-bundle';
import { run } from './main';

const dir = mkdtempSync(join(tmpdir(), 'custos-cli-'));

async function cli(argv: string[], stdin = '', env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    stdin: Readable.from([stdin]),
    env: { CUSTOS_SESSION_FILE: join(dir, 'no-session.json'), ...env },
    cwd: dir,
  });
  return { code, output: out.join('\n'), errors: err.join('\n') };
}

describe('custos: help and exit codes', () => {
  const commands = [
    'keygen',
    'register',
    'login',
    'sign',
    'submit',
    'verify',
    'verify-bundle',
    'checkpoint',
    'trace',
    'alerts',
    'audit',
    'demo',
  ];

  it('--help exits 0 everywhere and lists every command', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const name of commands) expect(top.output).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(top.output).toContain('Exit codes: 0 ok, 1 a check failed');
    for (const name of commands) {
      const help = await cli([name, '--help']);
      expect([name, help.code]).toEqual([name, 0]);
      expect(help.output).toContain(`Usage: custos ${name}`);
    }
    const viaHelp = await cli(['help', 'submit']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.output).toContain('Usage: custos submit');
    expect((await cli(['help', 'keys', 'add'])).output).toContain('Usage: custos keys add');
    expect((await cli(['help'])).output).toContain('Usage: custos [options] [command]');
  });

  it('help exits 0 whatever exit code the embedding process has already set', async () => {
    // Commander's own help command took process.exitCode as its exit code: a jest worker
    // that had set one turned `custos help submit` into a usage error.
    const before = process.exitCode;
    process.exitCode = 1;
    try {
      expect((await cli(['help', 'submit'])).code).toBe(0);
      expect((await cli(['submit', '--help'])).code).toBe(0);
    } finally {
      process.exitCode = before;
    }
  });

  it('help names a command it does not know, and exits 2', async () => {
    const unknown = await cli(['help', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.errors).toContain("unknown command 'frobnicate'");
  });

  it('exits 2 on a usage error, with the help hint', async () => {
    expect((await cli([])).code).toBe(2);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.errors).toMatch(/unknown command 'frobnicate'/);
    expect((await cli(['verify'])).code).toBe(2);
    expect((await cli(['keygen', '--nope'])).code).toBe(2);
    const missing = await cli(['login']);
    expect(missing.code).toBe(2);
    expect(missing.errors).toContain("required option '--key <file>' not specified");
    expect((await cli(['submit', '--batch-size', '0', '--token', 't'])).code).toBe(2);
  });

  it('says the server cannot be reached, and exits 1', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const result = await cli([
      'checkpoint',
      '--server',
      `http://127.0.0.1:${port}`,
      '--token',
      't',
    ]);
    expect(result.code).toBe(1);
    expect(result.errors).toContain(
      `cannot reach the Custos server at http://127.0.0.1:${port} (ECONNREFUSED): is it running?`,
    );
  });

  it('asks for a login before a command that needs one', async () => {
    const result = await cli(['verify', 'x', '--server', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.errors).toContain(
      'not signed in to http://127.0.0.1:9: run `custos login --key <key file>` first',
    );
  });
});

/**
 * A Custos API on 127.0.0.1 as far as the CLI's session and alert commands go: sign-in
 * (every token it issues is live until `expire`), and `alerts` paged newest first from
 * `alerts`, refusing a page larger than `maxPage` as the server's cost limit does.
 */
function fakeServer(alerts: { id: string; raisedAt: string }[] = [], maxPage = 384) {
  const live = new Set<string>();
  const fake = {
    url: '',
    live,
    signIns: 0,
    pages: [] as number[],
    server: undefined as unknown as Server,
  };
  fake.server = createHttpServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const { query, variables: v } = JSON.parse(text) as {
        query: string;
        variables: Record<string, unknown>;
      };
      const answer = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const refuse = (code: string) =>
        answer({ data: null, errors: [{ message: code, extensions: { code } }] });
      const bearer = req.headers.authorization?.replace(/^Bearer /, '');
      if (bearer !== undefined && !live.has(bearer)) return refuse('UNAUTHENTICATED');
      if (query.includes('requestChallenge'))
        return answer({ data: { requestChallenge: { nonce: 'n', expiresAt: 'x' } } });
      if (query.includes('signIn(')) {
        const token = `t${++fake.signIns}`;
        live.add(token);
        return answer({
          data: { signIn: { token, expiresAt: `2099-01-0${fake.signIns}T00:00:00Z` } },
        });
      }
      if (!bearer) return refuse('UNAUTHENTICATED');
      const first = (v.first as number | undefined) ?? 50;
      if (first > maxPage) return refuse('QUERY_TOO_COMPLEX');
      fake.pages.push(first);
      const since = v.since as string | undefined;
      const matching = alerts.filter((a) => !since || a.raisedAt >= since);
      const start = v.after ? matching.findIndex((a) => a.id === v.after) + 1 : 0;
      const page = matching.slice(start, start + first);
      answer({
        data: {
          alerts: {
            edges: page.map((a) => ({
              cursor: a.id,
              node: {
                ...a,
                code: 'C',
                severity: 'WARNING',
                message: 'm',
                identifier: null,
                eventId: null,
              },
            })),
            pageInfo: {
              hasNextPage: start + first < matching.length,
              endCursor: page.length ? page[page.length - 1]!.id : null,
            },
          },
        },
      });
    });
  });
  return fake;
}

async function listening(fake: ReturnType<typeof fakeServer>) {
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

describe('custos: the stored session', () => {
  it('stores the token it signed in to again when the stored one had expired', async () => {
    const fake = await listening(fakeServer());
    try {
      const session = join(dir, 'renewed-session.json');
      const env = { CUSTOS_SESSION_FILE: session };
      await cli(['keygen', '--out', 'renewing.json', '--participant', '0950600000019'], '', env);
      expect(
        (await cli(['login', '--key', 'renewing.json', '--server', fake.url], '', env)).code,
      ).toBe(0);
      fake.live.clear(); // the session expired
      expect((await cli(['alerts'], '', env)).code).toBe(0);
      expect(JSON.parse(readFileSync(session, 'utf8'))).toMatchObject({
        token: 't2',
        expiresAt: '2099-01-02T00:00:00Z',
        participantId: '0950600000019',
        keyFile: join(dir, 'renewing.json'),
      });
      // The next command starts from the stored token: no sign-in.
      expect((await cli(['alerts'], '', env)).code).toBe(0);
      expect(fake.signIns).toBe(2);
    } finally {
      await new Promise((resolve) => fake.server.close(resolve));
    }
  });
});

describe('custos alerts', () => {
  const alerts = Array.from({ length: 1000 }, (_, i) => ({
    id: `a${1000 - i}`,
    raisedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 1000 - i)).toISOString(),
  }));

  it('--first more than a page: reads pages the server accepts, newest first', async () => {
    for (const [maxPage, pages] of [
      [384, [384, 116]],
      [100, [96, 96, 96, 96, 96, 20]], // a server with lower limits: 384 and 192 refused
    ] as const) {
      const fake = await listening(fakeServer(alerts, maxPage));
      try {
        fake.live.add('t');
        const ran = await cli(['alerts', '--first', '500', '--json', '--server', fake.url], '', {
          CUSTOS_TOKEN: 't',
        });
        expect(ran.code).toBe(0);
        const ids = ran.output.split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
        expect(ids).toEqual(alerts.slice(0, 500).map((a) => a.id));
        expect(fake.pages).toEqual(pages);
      } finally {
        await new Promise((resolve) => fake.server.close(resolve));
      }
    }
  });

  it('says in --help how many alerts one page holds', async () => {
    const help = await cli(['alerts', '--help']);
    expect(help.output.replace(/\s+/g, ' ')).toContain(
      "more than 384 (the largest page the server's default query cost limit lets one request ask for) are read in pages",
    );
  });
});

describe('custos keygen and sign', () => {
  it('keygen prints a 32-byte seed and its public key, base64url', async () => {
    const { code, output } = await cli(['keygen']);
    expect(code).toBe(0);
    expect(output).toMatch(
      /private key \(keep it secret\): [A-Za-z0-9_-]{43}\npublic key \(register it\): +[A-Za-z0-9_-]{43}/,
    );
  });

  it('keygen --out writes a key file of mode 0600, and will not overwrite one', async () => {
    const result = await cli([
      'keygen',
      '--out',
      'maker.json',
      '--participant',
      '0950600000019',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.output) as { publicKey: string };
    const key = loadKey(join(dir, 'maker.json'));
    expect(key).toMatchObject({
      participantId: '0950600000019',
      keyId: 'k1',
      publicKey: printed.publicKey,
    });
    expect(statSync(join(dir, 'maker.json')).mode & 0o777).toBe(0o600);
    const again = await cli(['keygen', '--out', 'maker.json']);
    expect(again.code).toBe(2);
    expect(again.errors).toContain('maker.json exists: pass --force');
  });

  it('sign fills eventId, eventTime and actor, and signs exactly what it prints', async () => {
    await cli(['keygen', '--out', 'signer.json', '--participant', '0950600000019']);
    const key = loadKey(join(dir, 'signer.json'));
    const ndjson =
      '{"type":"SHIP","items":["a"],"to":"0950600000026"}\n\n{"type":"RECEIVE","items":["b"],"from":"0950600000026","eventId":"e2"}\n';
    const result = await cli(['sign', '--key', 'signer.json'], ndjson);
    expect(result.code).toBe(0);
    const lines = result.output
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { event: Record<string, unknown>; keyId: string; signature: string },
      );
    expect(lines).toHaveLength(2);
    expect(lines[0]!.event).toMatchObject({
      type: 'SHIP',
      actor: '0950600000019',
      to: '0950600000026',
    });
    expect(lines[1]!.event.eventId).toBe('e2');
    for (const signed of lines) expect(verifySignedEvent(signed, key.publicKey)).toBe(true);

    writeFileSync(
      join(dir, 'events.json'),
      JSON.stringify([{ type: 'DISPENSE', items: ['u'] }], null, 2),
    );
    const array = await cli(['sign', 'events.json', '--key', 'signer.json']);
    expect(array.code).toBe(0);
    const signed = JSON.parse(array.output) as {
      event: Record<string, unknown>;
      signature: string;
      keyId: string;
    }[];
    expect(signed).toHaveLength(1);
    expect(verifySignedEvent(signed[0]!, key.publicKey)).toBe(true);

    const bad = await cli(['sign', '--key', 'signer.json'], '{"type":"SHIP"}\nnot json\n');
    expect(bad.code).toBe(1);
    expect(bad.errors).toMatch(/line 2: not JSON/);
    const noKey = await cli(['sign', '--key', 'missing.json'], '{}');
    expect(noKey.code).toBe(2);
    expect(noKey.errors).toMatch(/--key .*missing\.json: cannot read the key file/);
  });
});

describe('custos verify-bundle', () => {
  const honest = join(dir, 'honest.json');
  const tampered = join(dir, 'tampered.json');
  writeFileSync(honest, JSON.stringify({ data: { verifyPackage: makeBundle() } }));
  const bad = makeBundle();
  bad.trail[0]!.eventTime = '2020-01-01T00:00:00Z';
  writeFileSync(tampered, JSON.stringify(bad));

  it('prints what it checked and exits 0 on an honest answer', async () => {
    const { code, output } = await cli(['verify-bundle', honest, '--key', vkey]);
    expect(code).toBe(0);
    expect(output).toMatch(/✓ checkpoint signed by custos\.test\/log/);
    expect(output).toMatch(/✓ entry 2 \(leaf 4, .*\): included in the checkpoint \(RFC 9162\)/);
    expect(output).toMatch(/^OK: \d+ checks passed$/m);
    expect(output).not.toContain('✗');
    const json = await cli(['verify-bundle', honest, '--key', vkey, '--json']);
    expect(JSON.parse(json.output)).toMatchObject({ ok: true });
  });

  it('--witness … --quorum k [--max-age s]: checks the cosignatures, says who vouched when', async () => {
    const signers = [1, 2].map((i) => ({
      name: `witness.test/cli${i}`,
      secretKey: new Uint8Array(32).fill(40 + i),
    }));
    const [k1, k2] = signers.map((w) => encodeCosignerVkey(w.name, publicKeyOf(w.secretKey)));
    const cosigned = makeBundle();
    const note = cosigned.proof.checkpoint.note;
    const now = Math.floor(Date.now() / 1000);
    cosigned.proof.checkpoint.note =
      note + cosign(note, signers[0]!, now - 30) + cosign(note, signers[1]!, now - 7200);
    const file = join(dir, 'cosigned.json');
    writeFileSync(file, JSON.stringify(cosigned));
    const args = ['verify-bundle', file, '--key', vkey, '--witness', k1!, '--witness', k2!];

    const both = await cli(args);
    expect(both.code).toBe(0);
    expect(both.output).toMatch(/✓ checkpoint cosigned by a quorum of witnesses — 2 of 2/);
    expect(both.output).toMatch(/witness witness.test\/cli1 vouched 3\d s ago \(20/);
    expect(both.output).toMatch(/witness witness.test\/cli2 vouched 2 h ago/);

    const fresh = await cli([...args, '--quorum', '2', '--max-age', '3600']);
    expect(fresh.code).toBe(1);
    expect(fresh.output).toMatch(/✗ checkpoint cosigned by a quorum .*quorum 2 not met/);
    expect(fresh.output).toMatch(/cli2 vouched 2 h ago .*, not counted: cosigned 7\d\d\d s ago/);
    expect((await cli([...args, '--quorum', '1', '--max-age', '3600'])).code).toBe(0);

    const json = JSON.parse((await cli([...args, '--json'])).output) as {
      witnesses: { name: string; fresh: boolean }[];
    };
    expect(json.witnesses.map((w) => [w.name, w.fresh])).toEqual([
      ['witness.test/cli1', true],
      ['witness.test/cli2', true],
    ]);
    // Another witness's key: its line is not this witness's, so the quorum is not met.
    const stranger = encodeCosignerVkey(
      'witness.test/cli9',
      publicKeyOf(new Uint8Array(32).fill(9)),
    );
    expect((await cli(['verify-bundle', file, '--key', vkey, '--witness', stranger])).code).toBe(1);
    // Usage errors: a quorum above the keys given, options without --witness.
    expect((await cli([...args, '--quorum', '3'])).code).toBe(2);
    expect((await cli([...args, '--quorum', '0'])).code).toBe(2);
    expect((await cli(['verify-bundle', file, '--key', vkey, '--quorum', '1'])).code).toBe(2);
  });

  it('exits 1 and names the failed check on a tampered answer', async () => {
    const { code, output } = await cli(['verify-bundle', tampered, '--key', vkey]);
    expect(code).toBe(1);
    expect(output).toMatch(/✗ trail COMMISSION .* is the signed, proven event/);
    expect(output).toMatch(/^FAILED: 1 of \d+ checks failed$/m);
  });

  it('exits 1 on an unreadable file and 2 on a usage error', async () => {
    expect((await cli(['verify-bundle', join(dir, 'missing.json'), '--key', vkey])).code).toBe(1);
    expect((await cli(['verify-bundle', honest])).code).toBe(2);
    expect((await cli(['verify-bundle', honest, '--nope'])).code).toBe(2);
  });
});
