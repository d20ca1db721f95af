// The GraphQL explorer at GET /graphql (issue 15): a browser asking for HTML gets
// GraphiQL from the service itself (no CDN, its own CSP), runs queries through it with the
// Authorization header typed in and subscriptions over graphql-ws; every other GET keeps
// the 405 it had, and POST is unchanged.
import type { Browser, Page } from 'playwright-core';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { EXPLORER_CSP } from '../../apps/api/src/web/web-files';
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

const ADMIN_TOKEN = 'explorer-admin-token-0123456789abcdef';
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

browserDescribe()('GraphQL explorer', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    buildScanPage();
    db = await createTestDatabase('graphql_explorer');
    running = await startApp(
      serverConfig(db, testQueuePrefix('graphql_explorer'), { CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN }),
      { logger: false },
    );
    browser = await launchChromium();
  });
  afterAll(() => tearDownBrowserSuite({ browser, running, db }), BROWSER_TEARDOWN_MS);

  it('is served to browsers only; other GETs keep their 405 and POST is unchanged', async () => {
    const page = await fetch(`${running.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    expect(EXPLORER_CSP).not.toMatch(/https?:|unsafe-inline|'unsafe-eval'/);
    expect(page.headers.get('vary')).toBe('accept');
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['explorer.js', 'explorer.css']) {
      const res = await fetch(`${running.url}/assets/${asset}`);
      expect([asset, res.status]).toEqual([asset, 200]);
    }

    for (const accept of [undefined, '*/*', 'application/json', 'text/html;q=0']) {
      const res = await fetch(`${running.url}/graphql?query=%7BserverInfo%7Bversion%7D%7D`, {
        headers: accept ? { accept } : {},
      });
      expect([accept, res.status, res.headers.get('allow')]).toEqual([accept, 405, 'POST']);
      expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    }
    // A form post from another site (text/plain) is refused as before: the CSRF rule stays.
    const form = await fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: BROWSER_ACCEPT },
      body: '{"query":"{ serverInfo { version } }"}',
    });
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    const post = await fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: BROWSER_ACCEPT },
      body: JSON.stringify({ query: '{ serverInfo { version } }' }),
    });
    expect(post.status).toBe(200);
    expect(await post.json()).toMatchObject({
      data: { serverInfo: { version: expect.any(String) } },
    });
  });

  async function editor(page: Page, selector: string): Promise<string> {
    return page.evaluate<string>(
      `document.querySelector(${JSON.stringify(selector)}).CodeMirror.getValue()`,
    );
  }
  async function setEditor(page: Page, selector: string, text: string): Promise<void> {
    await page.evaluate(
      `document.querySelector(${JSON.stringify(selector)}).CodeMirror.setValue(${JSON.stringify(text)})`,
    );
  }
  async function run(page: Page): Promise<unknown> {
    // GraphiQL picks up the edited document's operation name on its next render.
    await page.waitForTimeout(300);
    await setEditor(page, '.graphiql-response .CodeMirror', '');
    await page.locator('.graphiql-execute-button').click();
    // Polled with evaluate: waitForFunction compiles its text, which the page's CSP forbids.
    for (let i = 0; i < 100 && (await editor(page, '.graphiql-response .CodeMirror')) === ''; i++) {
      await page.waitForTimeout(100);
    }
    return JSON.parse(await editor(page, '.graphiql-response .CodeMirror')) as unknown;
  }

  it('runs queries with the typed Authorization header, and subscriptions over graphql-ws', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${running.url}/graphql`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    expect(await editor(page, '.graphiql-query-editor .CodeMirror')).toContain('custos login');

    // The default query needs no session.
    await expect(run(page)).resolves.toMatchObject({
      data: { serverInfo: { version: expect.any(String), database: 'POSTGRESQL' } },
    });
    await screenshot(page, 'graphql-explorer');

    // Without a session a participant read is refused; with the header it runs.
    const read = '{ participant(id: "9506000000008") { id name } }';
    await setEditor(page, '.graphiql-query-editor .CodeMirror', read);
    await expect(run(page)).resolves.toMatchObject({
      errors: [{ extensions: { code: 'UNAUTHENTICATED' } }],
    });
    await page.getByRole('button', { name: 'Headers' }).click();
    // The headers editor is the one not hidden of the two in the tool pane.
    await setEditor(
      page,
      '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror',
      JSON.stringify({ authorization: `Bearer ${ADMIN_TOKEN}` }),
    );
    await expect(run(page)).resolves.toEqual({ data: { participant: null } });

    // A subscription goes over the socket with the header as connectionParams: the
    // service answers it there (an alert subscription needs a regulator or the admin).
    await setEditor(
      page,
      '.graphiql-query-editor .CodeMirror',
      'subscription { alertRaised { code } }',
    );
    const frames: { dir: string; frame: unknown }[] = [];
    const sockets: string[] = [];
    page.on('websocket', (ws) => {
      sockets.push(ws.url());
      ws.on('framesent', (f) => frames.push({ dir: 'sent', frame: JSON.parse(String(f.payload)) }));
      ws.on('framereceived', (f) =>
        frames.push({ dir: 'received', frame: JSON.parse(String(f.payload)) }),
      );
    });
    await page.waitForTimeout(300);
    await page.locator('.graphiql-execute-button').click();
    for (let i = 0; i < 50 && frames.length < 3; i++) await page.waitForTimeout(100);
    expect(sockets).toEqual([`${running.url.replace('http', 'ws')}/graphql`]);
    expect(frames.slice(0, 3)).toEqual([
      {
        dir: 'sent',
        frame: { type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_TOKEN}` } },
      },
      { dir: 'received', frame: expect.objectContaining({ type: 'connection_ack' }) },
      {
        dir: 'sent',
        frame: expect.objectContaining({
          type: 'subscribe',
          payload: expect.objectContaining({ query: 'subscription { alertRaised { code } }' }),
        }),
      },
    ]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
