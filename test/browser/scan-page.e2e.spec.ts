// The pharmacist's scan page in a real browser (Debian's chromium through playwright-core)
// against the assembled service on PostgreSQL and Redis. First the page on its own, with
// the GraphQL answers stood in by a real signed fixture bundle (rendering, sign-in
// signature, proof check, tampering, wedge input, CSP); then the whole path: seeding
// through the GraphQL API only, sign-in in the browser and three scans.
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Browser, Page, Route } from 'playwright-core';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { SCAN_PAGE_CSP } from '../../apps/api/src/web/web.controller';
import { base64UrlToBytes, bytesToBase64Url } from '../../libs/ledger/src/bytes';
import { publicKeyOf, randomSecretKey } from '../../libs/ledger/src/ed25519';
import { signInBytes } from '../../libs/ledger/src/events';
import { makeBundle, vkey as fixtureVkey } from '../fixtures/verification-bundle';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import {
  browserDescribe,
  buildScanPage,
  launchChromium,
  screenshot,
  watchProblems,
} from './browser';
import { seedScanWorld } from './seed';

const ADMIN_TOKEN = 'scan-page-admin-token-0123456789abcdef';
const GS = '\u001d';

browserDescribe()('scan page', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    buildScanPage();
    db = await createTestDatabase('scan_page');
    running = await startApp(
      serverConfig(db, testQueuePrefix('scan_page'), {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        SEAL_MAX_WAIT_MS: '100',
      }),
      { logger: false },
    );
    // A fake camera (a moving test pattern, no code in it) so the camera path runs.
    browser = await launchChromium([
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await db?.drop();
  });

  async function openPage(
    beforeLoad?: (page: Page) => Promise<void>,
  ): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await beforeLoad?.(page);
    await page.goto(running.url);
    await page.waitForSelector('html[data-ready="true"]');
    return { page, problems };
  }

  // Strings, not functions: they run in the page, and this file is compiled without the DOM.
  const focusedId = (page: Page) => page.evaluate<string>('document.activeElement?.id ?? ""');

  async function signInOnPage(page: Page, id: string, keyId: string, seed: Uint8Array) {
    await page.getByLabel('Participant id (GLN)').fill(id);
    await page.getByLabel('Key id').fill(keyId);
    await page.getByLabel(/Private key/).fill(bytesToBase64Url(seed));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#signed-in').waitFor({ state: 'visible' });
  }

  /**
   * Scans like a keyboard-wedge scanner: types into the focused field, then Enter. A
   * `{ key }` part is a key stroke (a scanner in keyboard mode sends GS as Ctrl+]).
   */
  async function scan(page: Page, code: string | (string | { key: string })[]): Promise<void> {
    await page.evaluate("document.getElementById('result').replaceChildren()");
    for (const part of typeof code === 'string' ? [code] : code) {
      if (typeof part === 'string') await page.keyboard.type(part);
      else await page.keyboard.press(part.key);
    }
    await page.keyboard.press('Enter');
    await page.locator('#verdict-title, #scan-status[data-kind="error"]').first().waitFor();
    const error = page.locator('#scan-status[data-kind="error"]');
    if ((await error.count()) > 0) throw new Error(`the page says: ${await error.textContent()}`);
    await page.locator('#proof:not(.proof--pending)').waitFor();
  }

  describe('on its own, with stood-in answers', () => {
    it('is served by the service with content types and a self-only CSP', async () => {
      const index = await fetch(`${running.url}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('content-security-policy')).toBe(SCAN_PAGE_CSP);
      expect(SCAN_PAGE_CSP).not.toMatch(/https?:|unsafe-inline|'unsafe-eval'/);
      const html = await index.text();
      expect(html).not.toMatch(/https?:\/\//); // no CDN: every asset comes from here
      const types = {
        'app.js': 'text/javascript; charset=utf-8',
        'styles.css': 'text/css; charset=utf-8',
        'zxing_reader.wasm': 'application/wasm',
      };
      for (const [name, type] of Object.entries(types)) {
        const res = await fetch(`${running.url}/assets/${name}`);
        expect([name, res.status, res.headers.get('content-type')]).toEqual([name, 200, type]);
      }
      expect((await fetch(`${running.url}/assets/..%2Fpackage.json`)).status).toBe(404);
      expect((await fetch(`${running.url}/health`)).status).toBe(200);
    });

    it('signs in with a signature only, shows the answer and checks its proof in the browser', async () => {
      const seed = randomSecretKey();
      const bodies: string[] = [];
      const bundle = makeBundle();
      const tampered = makeBundle();
      tampered.trail[1]!.actor = '9506000000014'; // the trail no longer says what was signed
      const answers: Record<string, unknown> = {
        [bundle.identifier!]: {
          ...bundle,
          product: { gtin: '09506000134352', lot: 'L1', expiry: '2027-12-31' },
          status: 'ACTIVE',
          custodian: { id: '9506000000007', name: 'Test Pharmacy' },
        },
        TAMPERED: { ...tampered, product: null, status: 'ACTIVE', custodian: null },
      };
      const codes: string[] = [];
      let signInVariables: Record<string, string> = {};
      const answer = (query: string, variables: Record<string, string>) => {
        if (query.includes('requestChallenge')) {
          return { requestChallenge: { nonce: 'nonce-1', expiresAt: '2099-01-01T00:00:00Z' } };
        }
        if (query.includes('signIn')) {
          signInVariables = variables;
          return { signIn: { token: 'session-1', expiresAt: '2099-01-01T00:00:00Z' } };
        }
        if (query.includes('ledgerKey')) return { ledgerKey: fixtureVkey };
        codes.push(variables.code!);
        return { verifyPackage: answers[variables.code!] ?? answers.TAMPERED };
      };
      // Stand in for the service's GraphQL before the page loads (it fetches ledgerKey at once).
      const graphqlStandIn = async (route: Route) => {
        const body = route.request().postData() ?? '';
        bodies.push(body);
        const { query, variables } = JSON.parse(body) as {
          query: string;
          variables: Record<string, string>;
        };
        const data = answer(query, variables);
        await route.fulfill({ contentType: 'application/json', body: JSON.stringify({ data }) });
      };
      const { page, problems } = await openPage(async (p) => {
        await p.route('**/graphql', graphqlStandIn);
      });

      await signInOnPage(page, '9506000000007', 'k1', seed);
      expect(signInVariables).toMatchObject({ participantId: '9506000000007', keyId: 'k1' });
      const signature = base64UrlToBytes(signInVariables.signature!);
      expect(
        ed25519.verify(signature, signInBytes('nonce-1'), publicKeyOf(seed), { zip215: false }),
      ).toBe(true);
      expect(bodies.join('\n')).not.toContain(bytesToBase64Url(seed)); // never sent
      expect(await focusedId(page)).toBe('code');

      await scan(page, bundle.identifier!);
      await expect(page.locator('#verdict-title').textContent()).resolves.toBe('AUTHENTIC');
      await expect(page.locator('#proof').textContent()).resolves.toMatch(
        /^Proof checked in your browser — \d+ checks passed/,
      );
      await expect(page.locator('#trail li').allTextContents()).resolves.toEqual([
        expect.stringMatching(/^Commissioned.*sealed in block 1, leaf 2$/),
        expect.stringMatching(/^Shipped.*sealed in block 1, leaf 3$/),
        expect.stringMatching(/^Received.*sealed in block 1, leaf 4$/),
      ]);
      await expect(page.locator('#announcer').textContent()).resolves.toMatch(/^Authentic\./);
      expect(await focusedId(page)).toBe('code');
      await screenshot(page, 'scan-fixture-authentic');

      // Raw scanner data with the GS typed as an escape and as Ctrl+] both reach the
      // service as 0x1D; the altered trail fails the browser's own check.
      await scan(page, ']d2010950600013435221ABC123<GS>10L1');
      await scan(page, [']d2010950600013435221ABC123', { key: 'Control+BracketRight' }, '10L1']);
      expect(codes.slice(1)).toEqual([
        `]d2010950600013435221ABC123${GS}10L1`,
        `]d2010950600013435221ABC123${GS}10L1`,
      ]);
      await expect(page.locator('#proof').textContent()).resolves.toMatch(
        /The proof did not check in your browser\..*Failed: trail SHIP/,
      );
      await expect(page.locator('#verdict-title').textContent()).resolves.toBe('NOT VERIFIED');
      await expect(page.locator('#announcer').textContent()).resolves.toMatch(/^Not verified\./);
      await screenshot(page, 'scan-fixture-tampered');

      // The camera: zxing's WebAssembly comes from this service and compiles under the CSP,
      // then reads frames (the fake camera shows no code) until stopped.
      const wasm = page.waitForResponse((r) => r.url().endsWith('/assets/zxing_reader.wasm'));
      await page.getByRole('button', { name: 'Scan with camera' }).click();
      expect((await wasm).status()).toBe(200);
      await page.waitForFunction(
        "document.getElementById('scan-status').textContent.startsWith('Hold the code')",
      );
      await page.waitForTimeout(1000); // a few frames through the reader
      await expect(page.locator('#scan-status').getAttribute('data-kind')).resolves.toBe('info');
      await page.getByRole('button', { name: 'Stop camera' }).click();
      expect(await focusedId(page)).toBe('code');
      expect(problems).toEqual([]);
      await page.context().close();
    });
  });

  describe('against the service', () => {
    it('scans an authentic, a dispensed and an unknown package', async () => {
      const world = await seedScanWorld(running.url, ADMIN_TOKEN);
      const { page, problems } = await openPage();
      await signInOnPage(
        page,
        world.dispenser.id,
        world.dispenser.keyId,
        world.dispenser.secretKey,
      );

      // (1) held by the dispenser, scanned as raw wedge data with GS typed as <GS>
      await scan(page, world.authenticWedge);
      await expect(page.locator('#verdict-title').textContent()).resolves.toBe('AUTHENTIC');
      await expect(page.locator('#findings').textContent()).resolves.toMatch(/No problems found/);
      await expect(page.locator('.facts').textContent()).resolves.toContain(world.lot);
      await expect(page.locator('#trail li').allTextContents()).resolves.toEqual([
        expect.stringMatching(
          new RegExp(
            `^Commissioned.*by ${world.manufacturer.id}.*sealed in block \\d+, leaf \\d+$`,
          ),
        ),
        expect.stringMatching(new RegExp(`^Shipped.*by ${world.manufacturer.id}.*sealed in block`)),
        expect.stringMatching(new RegExp(`^Received.*by ${world.dispenser.id}.*sealed in block`)),
      ]);
      await expect(page.locator('#proof').textContent()).resolves.toMatch(
        /^Proof checked in your browser — \d+ checks passed/,
      );
      await screenshot(page, 'scan-authentic');

      // (2) dispensed before
      await scan(page, world.dispensedUri);
      await expect(page.locator('#verdict-title').textContent()).resolves.toBe('COUNTERFEIT');
      await expect(
        page.locator('#findings [data-code="ALREADY_DISPENSED"]').textContent(),
      ).resolves.toMatch(/^critical\s*Already dispensed/i);
      await expect(page.locator('#trail li').last().textContent()).resolves.toMatch(/^Dispensed/);
      await screenshot(page, 'scan-dispensed');

      // (3) never commissioned
      await scan(page, world.unknownUri);
      await expect(page.locator('#verdict-title').textContent()).resolves.toBe('COUNTERFEIT');
      await expect(
        page.locator('#findings [data-code="UNKNOWN_IDENTIFIER"]').textContent(),
      ).resolves.toMatch(/Unknown code: no manufacturer ever commissioned this package/);
      await expect(page.locator('#announcer').textContent()).resolves.toMatch(/^Counterfeit\./);
      await screenshot(page, 'scan-unknown');

      expect(problems).toEqual([]);
      await page.context().close();
    });
  });
});
