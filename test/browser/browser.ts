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
