// The README's integrator walkthrough, word for word: its shell block runs against a
// fresh server (`npx custos` is the launcher it resolves to), and its signing example's
// bytes and signature are what libs/sdk computes for the event it shows.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signEvent, signingBytes } from '../../libs/sdk/src/events';
import { keyFromSeed } from '../../libs/sdk/src/keys';
import { type Product, startProduct } from '../product';
import { tempDir } from '../storage';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function section(name: string): string {
  const start = readme.indexOf(`<!-- ${name} -->`);
  const end = readme.indexOf(`<!-- /${name} -->`);
  if (start < 0 || end < start) throw new Error(`README.md has no <!-- ${name} --> section`);
  return readme.slice(start, end);
}

function blocks(text: string): { lang: string; body: string }[] {
  return [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));
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

  describe('integrator walkthrough', () => {
    const data = tempDir('readme-data');
    const work = tempDir('readme-work');
    let product: Product;
    beforeAll(async () => {
      product = await startProduct({ CUSTOS_DATA_DIR: data.path, SEAL_MAX_WAIT_MS: '100' });
    });
    afterAll(async () => {
      await product?.stop();
      data.remove();
      work.remove();
    });

    it('runs as written against a fresh server', async () => {
      const [script] = blocks(section('integrator-walkthrough'));
      expect(script?.lang).toBe('sh');
      const launcher = JSON.stringify(join(root, 'bin', 'custos.cjs'));
      const body = script!.body.replaceAll('npx custos', `node ${launcher}`);
      const ran = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn('bash', ['-euo', 'pipefail', '-c', body], {
          cwd: work.path,
          env: {
            PATH: process.env.PATH ?? '',
            CUSTOS_URL: product.url,
            CUSTOS_DATA_DIR: data.path,
          },
        });
        let output = '';
        child.stdout.on('data', (c: Buffer) => (output += c.toString()));
        child.stderr.on('data', (c: Buffer) => (output += c.toString()));
        child.once('exit', (code) => resolve({ code, output }));
      });
      expect([ran.code, ran.output]).toEqual([
        0,
        expect.stringContaining('registered Aurora Pharma (9506001000007)'),
      ]);
      expect(ran.output).toContain('1 events sent in 1 batch(es)');
      expect(ran.output).toMatch(
        /^AUTHENTIC {2}https:\/\/id\.gs1\.org\/01\/09506001000014\/21\/A1$/m,
      );
      expect(ran.output).toMatch(/^OK: \d+ checks passed$/m);
    }, 180_000);
  });
});
