// `custos demo` against a spawned product on an empty store: every documented code gives
// its documented verdict (and finding) when scanned as the documented pharmacy, signed in
// with the key file the demo wrote; every label decodes back to its code (zxing-wasm, the
// scan page's reader); a second run reprints the table instead of loading twice.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import type { DemoManifest } from '../../apps/cli/src/commands/demo.command';
import { demoCodes, DEMO_UNITS } from '../../apps/cli/src/demo/demo-world';
import { PARTIES } from '../../libs/sdk/src/demo-parties';
import { CustosClient } from '../../libs/sdk/src/client';
import { loadKey } from '../../libs/sdk/src/key-file';
import { type Product, startProduct } from '../product';
import { tempDir } from '../storage';

const LAUNCHER = join(__dirname, '..', '..', 'bin', 'custos.cjs');

describe('custos demo', () => {
  const data = tempDir('demo-e2e-data');
  const work = tempDir('demo-e2e-work');
  let product: Product;
  const custos = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [LAUNCHER, ...args], {
        cwd: work.path,
        env: { PATH: process.env.PATH ?? '', CUSTOS_URL: product.url, CUSTOS_DATA_DIR: data.path },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    product = await startProduct({ CUSTOS_DATA_DIR: data.path, SEAL_MAX_WAIT_MS: '100' });
    const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    await prepareZXingModule({
      overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.length) },
      fireImmediately: true,
    });
  });
  afterAll(async () => {
    await product?.stop();
    data.remove();
    work.remove();
  });

  it('loads the world, and every code gives its verdict; labels decode to their codes', async () => {
    // The start log said what to do on this empty store (just after "listening on").
    for (let i = 0; i < 100 && !product.output().includes('no participants yet'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(product.output()).toContain(`scan page: ${product.url}/`);
    expect(product.output()).toContain('no participants yet — run `npm run custos -- demo`');
    const ran = await custos(['demo']);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    expect(ran.stdout).toContain(`demo loaded: ${DEMO_UNITS} units in`);
    expect(DEMO_UNITS).toBe(1000);
    const manifest = JSON.parse(
      readFileSync(join(work.path, '.custos', 'demo', 'demo.json'), 'utf8'),
    ) as DemoManifest;
    expect(manifest.participants).toHaveLength(8);
    expect(manifest.codes.map((c) => c.code)).toEqual(demoCodes().map((c) => c.code));
    for (const row of manifest.codes) expect(ran.stdout).toContain(row.code);

    const sessions = new Map<string, CustosClient>();
    for (const row of manifest.codes) {
      let client = sessions.get(row.signInAs);
      if (!client) {
        client = new CustosClient({ url: product.url });
        const key = loadKey(row.keyFile);
        expect(key.participantId).toBe(PARTIES[row.signInAs].id);
        await client.signIn(key);
        sessions.set(row.signInAs, client);
      }
      const answer = await client.verify(row.code);
      const codes = answer.findings.map((f) => f.code);
      expect({
        label: row.label,
        verdict: answer.verdict,
        has: row.finding ? codes.includes(row.finding) : codes.length === 0,
      }).toEqual({ label: row.label, verdict: row.verdict, has: true });

      const [decoded] = await readBarcodes(readFileSync(row.png), {
        formats: ['DataMatrix'],
        textMode: 'HRI',
      });
      expect([row.label, decoded?.text]).toEqual([row.label, row.code]);
      const svg = readFileSync(row.svg, 'utf8');
      expect(svg).toMatch(/^<svg viewBox="0 0 \d+ \d+" xmlns="http:\/\/www.w3.org\/2000\/svg">/);
      expect(svg).toContain('<path');
    }

    // A second run on the loaded store prints the table again and loads nothing.
    const again = await custos(['demo']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('the demo is loaded already');
  }, 240_000);
});
