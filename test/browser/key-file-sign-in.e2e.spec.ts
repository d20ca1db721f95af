// The scan page's key-file sign-in in a real browser against the assembled service: the
// demo's pharmacies offered only once `custos demo`'s parties are registered, a key file
// picked through that offer and one dropped on the page (both read and signed with by
// libs/sdk in the page; the server checks the signature), files that cannot be used
// refused by name, and the trail naming each party with its GLN.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { DEMO_PHARMACIES, demoKeyFile, PARTIES } from '../../libs/sdk/src/demo-parties';
import { saveKey } from '../../libs/sdk/src/key-file';
import { keyFromSeed, toKeyFile, toPkcs8Pem } from '../../libs/sdk/src/keys';
import { COMPANY_PREFIX, gln, LedgerWorld, type Party, unitUri } from '../fixtures/ledger-world';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testQueuePrefix,
  type TestDatabase,
} from '../storage';
import {
  BROWSER_TEARDOWN_MS,
  browserDescribe,
  buildScanPage,
  launchChromium,
  screenshot,
  tearDownBrowserSuite,
  watchProblems,
} from './browser';

const ADMIN_TOKEN = 'key-file-admin-token-0123456789abcdef';

browserDescribe()('scan page sign-in with a key file', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let browser: Browser;
  let world: LedgerWorld;
  const keys = tempDir('key-files');

  beforeAll(async () => {
    buildScanPage();
    db = await createTestDatabase('key_file_sign_in');
    running = await startApp(
      serverConfig(db, testQueuePrefix('key_file_sign_in'), {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        SEAL_MAX_WAIT_MS: '100',
      }),
      { logger: false },
    );
    world = new LedgerWorld(running.url, ADMIN_TOKEN);
    browser = await launchChromium();
  });
  afterAll(
    () =>
      tearDownBrowserSuite({ browser, running, db }, [
        ['removing the key files', () => keys.remove()],
      ]),
    BROWSER_TEARDOWN_MS,
  );

  async function openPage(): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(running.url);
    await page.waitForSelector('html[data-ready="true"]');
    return { page, problems };
  }

  /** Drops a file with `text` on the page's drop zone, as dragging it from a folder does. */
  async function drop(page: Page, name: string, text: string): Promise<void> {
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File([${JSON.stringify(text)}], ${JSON.stringify(name)}, { type: 'application/json' }));
      const zone = document.getElementById('key-drop');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    })()`);
  }

  /** The sign-in error about the file called `name` (the last file's error is not it). */
  const statusError = (page: Page, name: string) =>
    page.locator('#sign-in-status[data-kind="error"]', { hasText: name }).textContent();

  let harbour: Party;
  let market: Party;
  let maker: Party;
  const keyFile = (slug: string) => join(keys.path, demoKeyFile(slug as 'harbour'));

  it('offers no demo pharmacy while the demo is not loaded', async () => {
    const { page, problems } = await openPage();
    await page.waitForLoadState('networkidle');
    expect(await page.locator('#demo-offer').isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('offers the demo pharmacies once registered, and signs in with the key file picked', async () => {
    const registered: Party[] = [];
    for (const slug of DEMO_PHARMACIES) {
      const party = PARTIES[slug];
      const p = await world.register(party.id, party.name, [...party.roles]);
      mkdirSync(keys.path, { recursive: true });
      saveKey(keyFile(slug), keyFromSeed(p.secretKey, p.keyId, p.id));
      registered.push(p);
    }
    [harbour, market] = registered as [Party, Party];
    maker = await world.register(
      gln('950600000001'),
      'Acme Pharma',
      ['MANUFACTURER'],
      [COMPANY_PREFIX],
    );

    const { page, problems } = await openPage();
    const offer = page.locator('#demo-offer');
    await offer.waitFor({ state: 'visible' });
    await expect(offer.locator('button').allTextContents()).resolves.toEqual([
      `Harbour Pharmacy (GLN ${PARTIES.harbour.id}) — harbour.json`,
      `Market Street Pharmacy (GLN ${PARTIES.market.id}) — market.json`,
    ]);
    await screenshot(page, 'key-file-demo-offer');
    const chooser = page.waitForEvent('filechooser');
    await offer.getByRole('button', { name: /Harbour Pharmacy/ }).click();
    await (await chooser).setFiles(keyFile('harbour'));
    await page.locator('#signed-in').waitFor({ state: 'visible' });
    await expect(page.locator('#signed-in-as').textContent()).resolves.toBe(
      `Harbour Pharmacy (GLN ${harbour.id}, key k1)`,
    );
    expect(await page.evaluate<string>('document.activeElement?.id ?? ""')).toBe('code');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('signs in with a dropped key file and names every party of the trail with its GLN', async () => {
    const lot = `LOT${Date.now() % 100000}`;
    const items = [unitUri(`K${lot}`)];
    await world.act(maker, 'COMMISSION', { items, lot, expiry: '2030-06-30' });
    await world.act(maker, 'SHIP', { items, to: market.id });
    await world.act(market, 'RECEIVE', { items, from: maker.id });
    await world.sealedUpTo(world.admin, 3);

    const { page, problems } = await openPage();
    await drop(page, 'market.json', readFileSync(keyFile('market'), 'utf8'));
    await page.locator('#signed-in').waitFor({ state: 'visible' });
    await expect(page.locator('#signed-in-as').textContent()).resolves.toBe(
      `Market Street Pharmacy (GLN ${market.id}, key k1)`,
    );
    await page.keyboard.type(items[0]!);
    await page.keyboard.press('Enter');
    await page.locator('#trail li', { hasText: 'Market Street Pharmacy' }).waitFor();
    await expect(page.locator('#verdict-title').textContent()).resolves.toBe('AUTHENTIC');
    await expect(page.locator('#trail li .step-who').allTextContents()).resolves.toEqual([
      expect.stringMatching(new RegExp(`^by Acme Pharma \\(GLN ${maker.id}\\) · `)),
      expect.stringMatching(new RegExp(`^by Acme Pharma \\(GLN ${maker.id}\\) · `)),
      expect.stringMatching(new RegExp(`^by Market Street Pharmacy \\(GLN ${market.id}\\) · `)),
    ]);
    await expect(page.locator('.facts').textContent()).resolves.toContain(
      `Market Street Pharmacy (GLN ${market.id})`,
    );
    await screenshot(page, 'key-file-trail-names');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('refuses by name a file that is not a usable key, and takes a PEM with its GLN', async () => {
    const { page, problems } = await openPage();
    await drop(page, 'notes.txt', 'hello');
    await expect(statusError(page, 'notes.txt')).resolves.toBe(
      'notes.txt is not a key file: pick the .json file `custos keygen` or `custos demo` wrote.',
    );
    const edited = { ...toKeyFile(keyFromSeed(harbour.secretKey, 'k1', harbour.id)) };
    edited.publicKey = toKeyFile(keyFromSeed(market.secretKey, 'k1', market.id)).publicKey;
    await drop(page, 'harbour.json', JSON.stringify(edited));
    await expect(statusError(page, 'harbour.json')).resolves.toMatch(
      /^harbour\.json cannot be used: harbour\.json: publicKey: is not the public key of secretKey/,
    );
    // The right file, but the server refuses it: a key it does not hold for Harbour.
    const stranger = keyFromSeed(new Uint8Array(32).fill(7), 'k1', harbour.id);
    await drop(page, 'stranger.json', JSON.stringify(toKeyFile(stranger)));
    await page.locator('#sign-in-status[data-kind="error"]', { hasText: /./ }).waitFor();
    expect(await page.locator('#signed-in').isVisible()).toBe(false);

    const pem = toPkcs8Pem(keyFromSeed(harbour.secretKey, 'k1'));
    await drop(page, 'harbour.pem', pem);
    await expect(statusError(page, 'harbour.pem')).resolves.toMatch(
      /harbour\.pem is a PEM key.*participant id/,
    );
    expect(await page.locator('#by-hand').getAttribute('open')).toBe('');
    await page.getByLabel('Participant id (GLN)').fill(harbour.id);
    writeFileSync(join(keys.path, 'harbour.pem'), pem);
    await page.locator('#key-file').setInputFiles(join(keys.path, 'harbour.pem'));
    await page.locator('#signed-in').waitFor({ state: 'visible' });
    await expect(page.locator('#signed-in-as').textContent()).resolves.toBe(
      `Harbour Pharmacy (GLN ${harbour.id}, key k1)`,
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
