// Debian's chromium driven by playwright-core (no browser download: `.ci/run` installs
// chromium with apt). Flags as the machine notes say: without the background-networking
// ones chromium keeps trying to reach hosts this sandbox cannot reach.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CUSTOS_CHROMIUM ?? '/usr/bin/chromium';
export const ROOT = join(__dirname, '..', '..');
export const RESULTS = join(ROOT, 'test-results');

/** Runs the browser tests, or says plainly why not. In CI they always run. */
export function browserDescribe(): jest.Describe {
  const ci = process.env.CI === 'true' || process.env.CI === '1';
  if (existsSync(CHROMIUM) || ci) return describe;
  console.warn(
    `SKIPPED scan page browser tests: ${CHROMIUM} is absent and CI is not set ` +
      '(apt-get install -y chromium, or set CUSTOS_CHROMIUM; .ci/run installs it).',
  );
  return describe.skip;
}

/** The page as `npm run build` builds it, so the served dist/web is this checkout's. */
export function buildScanPage(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs')], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/**
 * Closes the browser; one still there after `ms` is killed with its process group.
 * Playwright's close waits for chromium to exit with no deadline, so a wedged chromium
 * would hold a test file's teardown until jest's hook timeout, naming nothing.
 */
export async function closeChromium(browser: Browser | undefined, ms = 15_000): Promise<void> {
  if (!browser) return;
  const closed = browser.close();
  if ((await settledWithin(closed, ms)) !== 'late') return closed;
  const killed = killChildChromium();
  console.warn(`chromium did not close within ${ms} ms; killed pid ${killed.join(', ')}`);
  if ((await settledWithin(closed, ms)) === 'late') {
    throw new Error(`chromium did not exit within ${ms} ms of SIGKILL`);
  }
}

type TeardownStep = readonly [name: string, step: () => unknown];

/** Room for every step of tearDownBrowserSuite at its bound: jest's hook timeout for it. */
export const BROWSER_TEARDOWN_MS = 120_000;

/**
 * A browser suite's afterAll: chromium closed, the service stopped, its database dropped,
 * then `more`, each step bounded (tearDown). Whatever beforeAll did not get to is skipped.
 */
export function tearDownBrowserSuite(
  suite: {
    browser?: Browser;
    running?: { stop(): Promise<void> };
    db?: { drop(): Promise<void> };
  },
  more: readonly TeardownStep[] = [],
): Promise<void> {
  return tearDown([
    ['closing chromium', () => closeChromium(suite.browser)],
    ['stopping the service', () => suite.running?.stop()],
    ['dropping the database', () => suite.db?.drop()],
    ...more,
  ]);
}

/**
 * Runs teardown steps in order, each within `ms`; a step that fails or is late does not
 * stop the ones after it (the database is dropped even if the service would not stop),
 * and the error names every such step.
 */
async function tearDown(steps: readonly TeardownStep[], ms = 30_000): Promise<void> {
  const problems: string[] = [];
  for (const [name, step] of steps) {
    const started = Date.now();
    const outcome = await settledWithin(Promise.resolve().then(step), ms).catch((err: unknown) =>
      err instanceof Error ? err.message : String(err),
    );
    if (outcome === 'late') problems.push(`${name}: not finished within ${ms} ms`);
    else if (typeof outcome === 'string') problems.push(`${name}: ${outcome}`);
    else if (Date.now() - started > ms / 3) {
      console.warn(`teardown: ${name} took ${Date.now() - started} ms`);
    }
  }
  if (problems.length > 0) throw new Error(`teardown: ${problems.join('; ')}`);
}

/** 'late' if `promise` has not settled within `ms`; its rejection otherwise rethrown. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<'late' | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    return await Promise.race([promise.then(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs the chromium processes this process started (each leads its process group). */
function killChildChromium(): number[] {
  const listing = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], {
    encoding: 'utf8',
  });
  const pids = listing
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m?.[2]?.includes('chromium') === true)
    .map((m) => Number(m[1]));
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
  }
  return pids;
}

/** Collects what the page reports as wrong: script errors, console errors, CSP refusals. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('requestfailed', (req) =>
    problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`),
  );
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
