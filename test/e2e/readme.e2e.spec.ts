// The README, word for word. Its run command (`npm start`, after the `npm ci` that set up
// this checkout) starts the server as a user does, in its own process group, which the
// end kills whole; its walkthroughs run as shell scripts against it in the order the
// README gives them: the demo, the pharmacist's, the integrator's, the regulator's.
// `npx custos` and
// `npm run custos --` become the launcher they resolve to (bin/custos.cjs) and
// `localhost:3000` the server's address (a free port: tests run side by side, and its data
// folder is a temporary one); nothing else is changed. What the README
// shows as output is what the commands print, its signing example's bytes and signature
// are what libs/sdk computes, and every GraphQL example in it answers without errors.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoCodes } from '../../apps/cli/src/demo/demo-world';
import { CustosClient } from '../../libs/sdk/src/client';
import { PARTIES, type PartyName } from '../../libs/sdk/src/demo-parties';
import { signEvent, signingBytes } from '../../libs/sdk/src/events';
import { loadKey } from '../../libs/sdk/src/key-file';
import { keyFromSeed } from '../../libs/sdk/src/keys';
import { freePort, groupMembers, type Product, startAsTyped } from '../product';
import { tempDir } from '../storage';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const launcher = `node ${JSON.stringify(join(root, 'bin', 'custos.cjs'))}`;

function section(name: string): string {
  const start = readme.indexOf(`<!-- ${name} -->`);
  const end = readme.indexOf(`<!-- /${name} -->`);
  if (start < 0 || end < start) throw new Error(`README.md has no <!-- ${name} --> section`);
  return readme.slice(start, end);
}

interface Block {
  readonly lang: string;
  readonly body: string;
}

function blocks(text: string): Block[] {
  return [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));
}

/** Runs a README shell block as written, but for the launcher and the server's address. */
function sh(
  body: string,
  product: Product,
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const script = body
    .replaceAll('npm run custos --', launcher)
    .replaceAll('npx custos', launcher)
    .replaceAll('localhost:3000', product.url.replace(/^http:\/\//, ''));
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd,
      env: { PATH: process.env.PATH ?? '', CUSTOS_URL: product.url, ...env },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** The JSON values printed one after another (curl adds no newline between answers). */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) {
      values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
}

describe('README', () => {
  it('shows the exact signing bytes and signature of its example event', () => {
    const [json, bytes, signature] = blocks(section('signing-example'));
    expect([json?.lang, bytes?.lang, signature?.lang]).toEqual(['json', 'text', 'text']);
    const event = JSON.parse(json!.body) as Record<string, unknown>;
    const seed = Buffer.from(
      '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      'hex',
    );
    const key = keyFromSeed(seed, 'k1', String(event.actor));
    expect(readme).toContain(`public key \`${key.publicKey}\``);
    expect(new TextDecoder().decode(signingBytes(event))).toBe(bytes!.body.trim());
    expect(signEvent(event, key).signature).toBe(signature!.body.trim());
  });

  it('draws the architecture as a well-formed Mermaid flowchart naming every app', () => {
    const [diagram, ...rest] = blocks(section('architecture'));
    expect([diagram?.lang, rest]).toEqual(['mermaid', []]);
    const lines = diagram!.body.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    const nodes = new Set<string>();
    const edges: [string, string][] = [];
    let open = 0;
    for (const line of lines.slice(1).map((l) => l.trim())) {
      const subgraph = /^subgraph (\w+)\[".+"\]$/.exec(line);
      const node = /^(\w+)(?:\["[^"]+"\]|\[\("[^"]+"\)\])$/.exec(line);
      const edge = /^(\w+) (?:-- "[^"]+" )?--> (\w+)$/.exec(line);
      if (subgraph) open++;
      else if (line === 'end') open--;
      else if (node) nodes.add(node[1]!);
      else if (edge) edges.push([edge[1]!, edge[2]!]);
      expect([line, Boolean(subgraph || node || edge || line === 'end')]).toEqual([line, true]);
      expect(open).toBeGreaterThanOrEqual(0);
    }
    expect(open).toBe(0);
    for (const [from, to] of edges) expect([from, to].filter((n) => !nodes.has(n))).toEqual([]);
    for (const n of nodes) expect([n, edges.some((e) => e.includes(n))]).toEqual([n, true]);
    const apps = readdirSync(join(root, 'apps'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `apps/${d.name}`);
    expect(
      apps.filter(
        (app) => !diagram!.body.includes(`${app})`) && !diagram!.body.includes(`${app}:`),
      ),
    ).toEqual([]);
    for (const part of ['PostgreSQL', 'Redis', 'witness', '/log/', 'scan page', 'libs/sdk']) {
      expect(diagram!.body).toContain(part);
    }
  });

  const demoData = tempDir('readme-demo-data');
  const demoWork = tempDir('readme-demo-work');
  let demo: Product;
  beforeAll(async () => {
    const [run, test, ...rest] = blocks(section('run'));
    expect([run?.lang, test?.lang, rest]).toEqual(['sh', 'sh', []]);
    const [install, start, ...more] = run!.body.trim().split(' && ');
    expect([install, start, more]).toEqual(['npm ci', expect.any(String), []]);
    demo = await startAsTyped(
      start!,
      { CUSTOS_DATA_DIR: demoData.path, SEAL_MAX_WAIT_MS: '100' },
      await freePort(),
      150_000,
    );
  }, 160_000);
  afterAll(async () => {
    // Also after a failure: the whole group (npm, its shell, node), and nothing left.
    const pgid = demo?.process.pid;
    await demo?.stop();
    if (pgid !== undefined) expect(groupMembers(pgid)).toEqual([]);
    demoData.remove();
    demoWork.remove();
  }, 30_000);

  describe('on the demo', () => {
    // The demo finds the admin token the embedded server generated in its data folder, as
    // `npm run custos -- demo` next to `npm start` does.
    const run = (body: string, env: Record<string, string> = {}) =>
      sh(body, demo, demoWork.path, { CUSTOS_DATA_DIR: demoData.path, ...env });

    it('the demo loads as written', async () => {
      const [script, ...rest] = blocks(section('demo'));
      expect([script?.lang, rest]).toEqual(['sh', []]);
      const ran = await run(script!.body);
      expect([ran.code, ran.output]).toEqual([
        0,
        expect.stringContaining('demo loaded: 1000 units'),
      ]);
    }, 60_000);

    it('pharmacist walkthrough: runs as written and prints what the README shows', async () => {
      const [script, shown, ...rest] = blocks(section('pharmacist-walkthrough'));
      expect([script?.lang, shown?.lang, rest]).toEqual(['sh', 'text', []]);
      const ran = await run(script!.body);
      expect([ran.code, ran.output]).toEqual([0, expect.stringContaining('as 9506004000011')]);
      // Every line shown appears, in order; `…` stands for the trail, times differ.
      const time = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;
      const printed = ran.output.replace(time, '<time>').split('\n');
      let at = 0;
      for (const line of shown!.body.replace(time, '<time>').trimEnd().split('\n')) {
        if (line === '…') continue;
        const found = printed.indexOf(line, at);
        expect([line, found >= at]).toEqual([line, true]);
        at = found + 1;
      }
    }, 60_000);

    it('every code in the pharmacist table gives its verdict to the pharmacy named', async () => {
      const rows = section('pharmacist-codes')
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) =>
          line
            .split('|')
            .slice(1, -1)
            .map((cell) => cell.trim().replaceAll('`', '')),
        );
      expect(rows.map(([label]) => label)).toEqual(demoCodes().map((c) => c.label));
      const sessions = new Map<string, CustosClient>();
      for (const [label, code, signInAs, verdict, finding] of rows) {
        const party = (Object.keys(PARTIES) as PartyName[]).find(
          (p) => PARTIES[p].name === signInAs,
        );
        expect([label, party]).toEqual([label, expect.any(String)]);
        let client = sessions.get(party!);
        if (!client) {
          client = new CustosClient({ url: demo.url });
          await client.signIn(loadKey(join(demoWork.path, '.custos', 'demo', `${party}.json`)));
          sessions.set(party!, client);
        }
        expect(existsSync(join(demoWork.path, '.custos', 'demo', 'labels', `${label}.png`))).toBe(
          true,
        );
        const answer = await client.verify(code!);
        const codes = answer.findings.map((f) => f.code);
        expect([label, answer.verdict, finding === '—' ? codes : codes.includes(finding!)]).toEqual(
          [label, verdict, finding === '—' ? [] : true],
        );
      }
    }, 60_000);

    it('integrator walkthrough: runs as written after the demo', async () => {
      const [script] = blocks(section('integrator-walkthrough'));
      expect(script?.lang).toBe('sh');
      const ran = await run(script!.body);
      expect([ran.code, ran.output]).toEqual([
        0,
        expect.stringContaining('registered Cygnus Generics (9506006000002)'),
      ]);
      expect(ran.output).toContain('1 events sent in 1 batch(es)');
      expect(ran.output).toMatch(
        /^AUTHENTIC {2}https:\/\/id\.gs1\.org\/01\/09506006000019\/21\/A1$/m,
      );
      expect(ran.output).toMatch(/^OK: \d+ checks passed$/m);
    }, 120_000);

    it('regulator walkthrough: runs as written and prints what the README shows', async () => {
      const [script, trace, audit] = blocks(section('regulator-walkthrough'));
      expect([script?.lang, trace?.lang, audit?.lang]).toEqual(['sh', 'text', 'text']);
      const ran = await run(script!.body);
      expect([ran.code, ran.output]).toEqual([
        0,
        expect.stringContaining('as 9506005000010 (key k1)'),
      ]);
      expect(ran.output).toContain(trace!.body);
      // The demo's ingest raised the first, a pharmacist's scan of the stolen pack the
      // second; the audit's speed differs per run.
      expect(ran.output).toMatch(/ CRITICAL ALREADY_DISPENSED {4}https:\/\/id\.gs1\.org\//);
      expect(ran.output).toMatch(/ CRITICAL DECOMMISSIONED {7}https:\/\/id\.gs1\.org\//);
      const speed = /\d+ a second/;
      expect(audit!.body).toMatch(speed);
      expect(ran.output.replace(speed, 'N a second')).toContain(
        audit!.body.replace(speed, 'N a second'),
      );
    }, 60_000);

    it('every GraphQL example in the README answers without errors', async () => {
      // The README's sign-in line, once; each example then runs in a shell that has $TOKEN.
      const [login] = blocks(section('regulator-walkthrough')).filter((b) =>
        b.body.startsWith('TOKEN='),
      );
      expect(login?.lang).toBe('sh');
      const signedIn = await run(`${login!.body}printf 'token:%s' "$TOKEN"`);
      const token = /token:(\S+)$/.exec(signedIn.output)?.[1];
      expect([signedIn.code, token]).toEqual([0, expect.stringMatching(/^ey/)]);
      const examples = blocks(readme).filter((b) => b.lang === 'sh' && b.body.includes('/graphql'));
      expect(examples.length).toBeGreaterThanOrEqual(4);
      for (const example of examples) {
        const ran = await run(example.body, { TOKEN: token! });
        expect([example.body, ran.code]).toEqual([example.body, 0]);
        const answers = jsonValues(ran.output);
        expect(answers.length).toBeGreaterThan(0);
        for (const answer of answers) {
          const { data, errors } = answer as { data?: Record<string, unknown>; errors?: unknown };
          expect([example.body, errors]).toEqual([example.body, undefined]);
          for (const [field, value] of Object.entries(data ?? {})) {
            expect([field, value]).toEqual([field, expect.anything()]);
          }
          expect(Object.keys(data ?? {}).length).toBeGreaterThan(0);
        }
      }
    }, 90_000);
  });
});
