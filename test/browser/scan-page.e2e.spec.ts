// The pharmacist's scan page in a real browser (Debian's chromium through playwright-core)
// against the assembled service on PostgreSQL and Redis. First the page on its own, with
// the GraphQL answers stood in by a real signed fixture bundle (rendering, sign-in
// signature, proof check, tampering, wedge input, CSP, a scan started while the last
// verdict is shown, a session that cannot be renewed, phones of 360 and 390 px in every
// state); then the whole path: seeding through the GraphQL API only, sign-in in the
// browser, three scans, failed scans after an authentic one, and sign-in after "sign in first".
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Browser, Page, Route } from 'playwright-core';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { SCAN_PAGE_CSP } from '../../apps/api/src/web/web-files';
import { base64UrlToBytes, bytesToBase64Url } from '../../libs/ledger/src/bytes';
import { publicKeyOf, randomSecretKey } from '../../libs/ledger/src/ed25519';
import { signInBytes } from '../../libs/ledger/src/events';
import { makeBundle, vkey as fixtureVkey } from '../fixtures/verification-bundle';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import {
  BROWSER_TEARDOWN_MS,
  browserDescribe,
  buildScanPage,
  launchChromium,
  screenshot,
  tearDownBrowserSuite,
  watchProblems,
} from './browser';
import { seedScanWorld, type ScanWorld } from './seed';

const ADMIN_TOKEN = 'scan-page-admin-token-0123456789abcdef';
const GS = '\u001d';
/** The stood-in service's witness policy: no witnesses configured (SPEC 9). */
const NO_WITNESSES = { witnesses: [], quorum: 0, maxAgeSeconds: 3600 };
const NOT_A_PACKAGE_CODE =
  'This is not a package code we can read — scan again or type the code under the barcode.';

/** A verifyPackage answer, or the errors the service answers instead. */
type StoodIn = object | { errors: object[] };

/** What the service answers for a code it cannot read (verifyPackage, BAD_USER_INPUT). */
const UNREADABLE: StoodIn = {
  errors: [
    {
      message:
        'code: identifier: is not a GS1 Digital Link URI, element string, barcode scan or EPC URN',
      path: ['verifyPackage'],
      extensions: { code: 'BAD_USER_INPUT', field: 'code' },
    },
  ],
};

const LONG_SERIAL = 'ABCDEFGHIJKLMNOPQRST'; // 20 characters, the most AI (21) holds
const LONG_LOT = 'LOTABCDEFGHIJKLMNOPQ';
const PHONE_CODES = {
  authentic: makeBundle().identifier!,
  suspect: `https://id.gs1.org/01/09506000134352/21/${LONG_SERIAL}/10/${LONG_LOT}?17=271231`,
  counterfeit: `(01)09506000134352(21)${LONG_SERIAL}(10)${LONG_LOT}(17)271231`,
  tampered: 'TAMPERED',
};

/** Answers with the longest texts a verdict can hold: no word is wider than a phone. */
function phoneAnswers(): Record<string, StoodIn> {
  const identifier = `https://id.gs1.org/01/09506000134352/21/${LONG_SERIAL}`;
  const product = { gtin: '09506000134352', lot: LONG_LOT, expiry: '2027-12-31' };
  const custodian = {
    id: '9506002000037',
    name: 'Riverside Community Pharmacy and Dispensary of the Royal Infirmary (Outpatients)',
  };
  const step = (i: number, type: string, sealed: boolean) => ({
    eventId: `00000000-0000-4000-8000-00000000001${i}`,
    type,
    actor: `950600${i}000037`,
    eventTime: `2026-11-0${i + 1}T10:00:00Z`,
    sealed,
    blockHeight: sealed ? 1234567 : null,
    leafIndex: sealed ? 98765432 + i : null,
  });
  const tampered = makeBundle();
  tampered.trail[1]!.actor = '9506000000014';
  return {
    [PHONE_CODES.authentic]: { ...makeBundle(), product, status: 'ACTIVE', custodian },
    [PHONE_CODES.suspect]: {
      identifier,
      verdict: 'SUSPECT',
      findings: [
        {
          code: 'CUSTODY_BREAK',
          severity: 'WARNING',
          message: `RECEIVE by 9506002000037 at 2026-11-03T10:00:00.000Z of ${identifier}, but its last SHIP went to 9506001000025 (event 00000000-0000-4000-8000-000000000012)`,
          eventId: '00000000-0000-4000-8000-000000000012',
        },
        {
          code: 'A_FINDING_CODE_THIS_PAGE_DOES_NOT_KNOW_YET',
          severity: 'INFO',
          message: `urn:epc:id:sgtin:9506000.013435.${LONG_SERIAL}/urn:epc:id:sscc:9506000.0123456789/${'9'.repeat(40)}`,
        },
      ],
      product,
      status: 'IN_TRANSIT',
      custodian,
      trail: [
        step(0, 'COMMISSION', true),
        step(1, 'PACK', true),
        step(2, 'SHIP', true),
        step(3, 'AN_EVENT_TYPE_THIS_PAGE_DOES_NOT_KNOW_YET', true),
        step(4, 'RECEIVE', false),
      ],
      proof: null,
    },
    [PHONE_CODES.counterfeit]: {
      identifier,
      verdict: 'COUNTERFEIT',
      findings: [
        {
          code: 'UNKNOWN_IDENTIFIER',
          severity: 'CRITICAL',
          message: `no COMMISSION of ${identifier} in the ledger`,
        },
      ],
      product: null,
      status: null,
      custodian: null,
      trail: [],
      proof: null,
    },
    [PHONE_CODES.tampered]: { ...tampered, product, status: 'ACTIVE', custodian },
  };
}

/** serverInfo (no demo) and participants' names, as the service answers them. */
function pageInfo(query: string, variables: Record<string, string>): object {
  if (query.includes('serverInfo')) return { serverInfo: { demoLoaded: false } };
  return Object.fromEntries(
    Object.entries(variables).map(([alias, id]) => [alias, { id, name: `Party ${id}` }]),
  );
}

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
  afterAll(() => tearDownBrowserSuite({ browser, running, db }), BROWSER_TEARDOWN_MS);

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

  // The key typed in by hand (key files: key-file-sign-in.e2e.spec.ts).
  async function signInOnPage(page: Page, id: string, keyId: string, seed: Uint8Array) {
    await page.locator('#by-hand summary').click();
    await page.getByLabel('Participant id (GLN)').fill(id);
    await page.getByLabel('Key id').fill(keyId);
    await page.getByLabel(/Private key/).fill(bytesToBase64Url(seed));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#signed-in').waitFor({ state: 'visible' });
  }

  /**
   * Scans like a keyboard-wedge scanner: types into the focused field, then Enter. A
   * `{ key }` part is a key stroke (a scanner in keyboard mode sends GS as Ctrl+]).
   * Resolves once the page has announced its answer (every outcome of a scan is
   * announced to screen readers: a verdict or a problem). The page's result is left as
   * it is before the scan: what the page shows from the last scan is the page's to clear.
   */
  async function submitScan(
    page: Page,
    code: string | (string | { key: string })[],
  ): Promise<void> {
    await page.evaluate("document.getElementById('announcer').textContent = ''");
    for (const part of typeof code === 'string' ? [code] : code) {
      if (typeof part === 'string') await page.keyboard.type(part);
      else await page.keyboard.press(part.key);
    }
    await page.keyboard.press('Enter');
    await page.locator('#announcer:not(:empty)').waitFor({ state: 'attached' });
  }

  /** A scan that must end in a verdict, with its proof checked (or found absent or failed). */
  async function scan(page: Page, code: string | (string | { key: string })[]): Promise<void> {
    await submitScan(page, code);
    const problem = page.locator('#scan-problem, #scan-status[data-kind="error"]');
    if ((await problem.count()) > 0) {
      throw new Error(`the page says: ${await problem.first().textContent()}`);
    }
    await page.locator('#verdict-title').waitFor();
    await page.locator('#proof:not(.proof--pending)').waitFor();
  }

  /** Nothing of a verdict is on screen: no verdict word, findings, trail or proof line. */
  async function expectNoVerdict(page: Page): Promise<void> {
    for (const selector of ['.verdict', '#verdict-title', '#findings', '#trail', '#proof']) {
      const shown = await page.locator(selector).filter({ visible: true }).count();
      expect([selector, shown]).toEqual([selector, 0]);
    }
    expect(await page.locator('main').innerText()).not.toMatch(
      /authentic|suspect|counterfeit|you may dispense/i,
    );
  }

  /** The problem shown in the verdict's place: its plain sentence and its details line. */
  async function shownProblem(page: Page): Promise<{ sentence: string; detail: string }> {
    const problem = page.locator('#scan-problem');
    await problem.waitFor({ state: 'visible', timeout: 5000 });
    return {
      sentence: (await problem.locator('.problem-sentence').textContent()) ?? '',
      detail: (await problem.locator('.problem-detail').textContent()) ?? '',
    };
  }

  /**
   * Stands in for the service's GraphQL from before the page loads: sign-in and ledgerKey
   * as the service answers them (sign-ins after the first `signIns` are refused),
   * verifyPackage from `verify` (an answer, or the errors the service sends for it).
   */
  async function standIn(
    page: Page,
    verify: (code: string) => Promise<StoodIn> | StoodIn,
    signIns = Infinity,
  ): Promise<void> {
    await page.route('**/graphql', async (route) => {
      const { query, variables } = JSON.parse(route.request().postData() ?? '{}') as {
        query: string;
        variables: Record<string, string>;
      };
      let body: unknown;
      if (query.includes('requestChallenge')) {
        body = { data: { requestChallenge: { nonce: 'n', expiresAt: '2099-01-01T00:00:00Z' } } };
      } else if (query.includes('signIn')) {
        body =
          signIns-- > 0
            ? { data: { signIn: { token: 't', expiresAt: '2099-01-01T00:00:00Z' } } }
            : {
                data: null,
                errors: [
                  {
                    message: 'keyId: key "k1" of 9506000000007 was revoked at 2026-11-30T10:00:00Z',
                    extensions: { code: 'KEY_REVOKED', field: 'keyId' },
                  },
                ],
              };
      } else if (query.includes('ledgerKey')) {
        body = { data: { ledgerKey: fixtureVkey, witnessPolicy: NO_WITNESSES } };
      } else if (!query.includes('verifyPackage')) {
        body = { data: pageInfo(query, variables) };
      } else {
        const answer = await verify(variables.code!);
        body = 'errors' in answer ? { data: null, ...answer } : { data: { verifyPackage: answer } };
      }
      await route.fulfill({ contentType: 'application/json', body: JSON.stringify(body) });
    });
  }

  /**
   * What is wrong with the layout at this width: the page or an element reaching past the
   * viewport's right edge, or a button's words broken inside a word. [] when all is well.
   */
  function layoutFaults(page: Page): Promise<string[]> {
    return page.evaluate<string[]>(`(() => {
      const width = window.innerWidth;
      const out = [];
      const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        [...el.classList].map((c) => '.' + c).join('');
      const scrolled = document.scrollingElement.scrollWidth;
      if (scrolled > width) out.push('the page is ' + scrolled + ' px wide');
      for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 0.5) continue;
        out.push(name(el) + ' ends at ' + Math.round(box.right) + ' px');
      }
      for (const button of document.querySelectorAll('button')) {
        if (button.getClientRects().length === 0) continue;
        const range = document.createRange();
        range.selectNodeContents(button);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        const words = button.textContent.trim().split(/\\s+/).length;
        if (lines > words) out.push(name(button) + ' breaks inside a word');
      }
      return out.slice(0, 12);
    })()`);
  }

  /**
   * Checks that an element and its text are inside the viewport from left to right (the
   * text too: text overflowing its box is not in the box), and returns its line count.
   */
  async function expectInsideViewport(page: Page, selector: string): Promise<number> {
    const box = await page.evaluate<{
      left: number;
      right: number;
      width: number;
      lines: number;
    }>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      const range = document.createRange();
      range.selectNodeContents(el);
      const box = el.getBoundingClientRect();
      const text = range.getBoundingClientRect();
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      return { left: Math.min(box.left, text.left), right: Math.max(box.right, text.right),
        width: window.innerWidth, lines: tops.size };
    })()`);
    expect({ selector, inside: box.left >= 0 && box.right <= box.width + 0.5, box }).toEqual({
      selector,
      inside: true,
      box,
    });
    return box.lines;
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
        if (query.includes('ledgerKey'))
          return { ledgerKey: fixtureVkey, witnessPolicy: NO_WITNESSES };
        if (!query.includes('verifyPackage')) return pageInfo(query, variables);
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

    it('clears the last verdict the moment the next scan starts', async () => {
      const bundle = makeBundle();
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
      const page = await context.newPage();
      const problems = watchProblems(page);
      await standIn(page, async (code) => {
        if (code !== 'HELD') return bundle;
        await held;
        return UNREADABLE;
      });
      await page.goto(running.url);
      await page.waitForSelector('html[data-ready="true"]');
      await signInOnPage(page, '9506000000007', 'k1', randomSecretKey());
      await scan(page, bundle.identifier!);
      await expect(page.locator('#verdict-title').textContent()).resolves.toBe('AUTHENTIC');

      await page.keyboard.type('HELD');
      await page.keyboard.press('Enter');
      await page.locator('#scan-status', { hasText: 'Checking…' }).waitFor();
      await expectNoVerdict(page); // while the service has not answered yet
      release();
      await expect(shownProblem(page)).resolves.toMatchObject({ sentence: NOT_A_PACKAGE_CODE });
      await expectNoVerdict(page);
      expect(problems).toEqual([]);
      await context.close();
    });

    it('asks to sign in again when the session ended and cannot be renewed', async () => {
      const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
      const page = await context.newPage();
      const problems = watchProblems(page);
      const expired = {
        errors: [
          {
            message: 'the session has expired: sign in again',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      };
      await standIn(page, () => expired, 1); // the renewal is refused: the key was revoked
      await page.goto(running.url);
      await page.waitForSelector('html[data-ready="true"]');
      await signInOnPage(page, '9506000000007', 'k1', randomSecretKey());
      await submitScan(page, makeBundle().identifier!);
      await expectNoVerdict(page);
      await expect(shownProblem(page)).resolves.toEqual({
        sentence: 'Your session has ended: sign in again, then scan the package again.',
        detail: 'Details: the session has expired: sign in again',
      });
      await page.locator('#sign-in-form').waitFor({ state: 'visible' });
      expect(await page.locator('#signed-in').isVisible()).toBe(false);
      expect(problems).toEqual([]);
      await context.close();
    });

    // Phones are a target (the camera button): nothing may be cut off or scroll sideways
    // at 360 px, whatever the answer holds: long identifiers, findings, names and trails.
    for (const width of [360, 390]) {
      it(`fits a ${width} px phone in every state, the verdict word and Sign out in full`, async () => {
        const answers = phoneAnswers();
        const context = await browser.newContext({ viewport: { width, height: 780 } });
        const page = await context.newPage();
        const problems = watchProblems(page);
        await standIn(page, (code) => answers[code] ?? UNREADABLE);
        await page.goto(running.url);
        await page.waitForSelector('html[data-ready="true"]');
        expect(await page.evaluate<number>('window.innerWidth')).toBe(width);
        const fits = async (state: string) => {
          expect({ state, faults: await layoutFaults(page) }).toEqual({ state, faults: [] });
          await screenshot(page, `phone-${width}-${state}`);
        };

        await fits('signed-out');
        await signInOnPage(page, '9506000000007', 'counter-2-key-2026-11-30', randomSecretKey());
        await expectInsideViewport(page, '#sign-out');
        await fits('signed-in');

        for (const [state, code, word] of [
          ['authentic', PHONE_CODES.authentic, 'AUTHENTIC'],
          ['suspect', PHONE_CODES.suspect, 'SUSPECT'],
          ['counterfeit', PHONE_CODES.counterfeit, 'COUNTERFEIT'],
          ['not-verified', PHONE_CODES.tampered, 'NOT VERIFIED'],
        ] as const) {
          await scan(page, code);
          await expect(page.locator('#verdict-title').textContent()).resolves.toBe(word);
          expect({ state, lines: await expectInsideViewport(page, '#verdict-title') }).toEqual({
            state,
            lines: 1,
          });
          await expectInsideViewport(page, '#sign-out');
          await fits(state);
        }

        for (const [state, code] of [
          ['unreadable', 'hello world'],
          ['unreadable-long', `]d201095060001343532${'1'.repeat(70)}`],
        ] as const) {
          await submitScan(page, code);
          await shownProblem(page);
          await expectNoVerdict(page);
          await expectInsideViewport(page, '#sign-out');
          await fits(state);
        }
        expect(problems).toEqual([]);
        await context.close();
      });
    }
  });

  describe('against the service', () => {
    let world: ScanWorld;
    beforeAll(async () => {
      world = await seedScanWorld(running.url, ADMIN_TOKEN);
    });

    it('scans an authentic, a dispensed and an unknown package', async () => {
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
      // Each party by name with its GLN, once the page has asked for the names.
      const maker = `by Acme Pharma \\(GLN ${world.manufacturer.id}\\)`;
      await page.locator('#trail li', { hasText: 'Riverside Pharmacy' }).waitFor();
      await expect(page.locator('#trail li').allTextContents()).resolves.toEqual([
        expect.stringMatching(
          new RegExp(`^Commissioned.*${maker}.*sealed in block \\d+, leaf \\d+$`),
        ),
        expect.stringMatching(new RegExp(`^Shipped.*${maker}.*sealed in block`)),
        expect.stringMatching(
          new RegExp(
            `^Received.*by Riverside Pharmacy \\(GLN ${world.dispenser.id}\\).*sealed in block`,
          ),
        ),
      ]);
      await expect(page.locator('#signed-in-as').textContent()).resolves.toBe(
        `Riverside Pharmacy (GLN ${world.dispenser.id}, key ${world.dispenser.keyId})`,
      );
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

    // A mis-scan at a busy counter must never leave the last package's verdict on screen.
    it('clears the verdict the moment a scan starts and shows a failed scan in its place', async () => {
      const { page, problems } = await openPage();
      const { dispenser } = world;
      await signInOnPage(page, dispenser.id, dispenser.keyId, dispenser.secretKey);
      await scan(page, world.authenticWedge);
      await expect(page.locator('#verdict-title').textContent()).resolves.toBe('AUTHENTIC');

      await submitScan(page, 'hello world');
      await expectNoVerdict(page);
      const unreadable = await shownProblem(page);
      expect(unreadable.sentence).toBe(NOT_A_PACKAGE_CODE);
      expect(unreadable.detail).toMatch(/^Details: .*not a GS1 Digital Link URI/);
      expect(unreadable.detail).not.toMatch(/code:|identifier:/);
      await expect(page.locator('#scan-problem .scanned').textContent()).resolves.toBe(
        'Scanned: hello world',
      );
      await expect(page.locator('#announcer').textContent()).resolves.toBe(
        `No verdict. ${NOT_A_PACKAGE_CODE}`,
      );
      expect(await focusedId(page)).toBe('code');
      expect(await layoutFaults(page)).toEqual([]);
      await screenshot(page, 'scan-unreadable');

      await scan(page, world.authenticWedge);
      await submitScan(page, world.wrongCheckDigitWedge);
      await expectNoVerdict(page);
      const misread = await shownProblem(page);
      expect(misread.sentence).toBe(NOT_A_PACKAGE_CODE);
      expect(misread.detail).toMatch(/^Details: GTIN \(01\): check digit should be \d, not \d$/);
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it('forgets "sign in first" once signed in', async () => {
      const { page, problems } = await openPage();
      await page.keyboard.type(world.authenticWedge);
      await page.keyboard.press('Enter');
      await page
        .getByText(/Sign in first/)
        .first()
        .waitFor();
      const { dispenser } = world;
      await signInOnPage(page, dispenser.id, dispenser.keyId, dispenser.secretKey);
      expect(await page.locator('main').innerText()).not.toMatch(/sign in first/i);
      expect(await focusedId(page)).toBe('code');
      await scan(page, world.authenticWedge);
      await expect(page.locator('#verdict-title').textContent()).resolves.toBe('AUTHENTIC');
      expect(problems).toEqual([]);
      await page.context().close();
    });
  });
});
