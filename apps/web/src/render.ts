// Draws one verification answer: the verdict (word, icon and colour: never colour
// alone), the reasons in plain words, the product, status and custodian, the trail as a
// timeline and the proof line. Only textContent is set, never HTML, so nothing in an
// answer can inject markup.
import type { Finding, TrailEntry, Verification } from './api';
import type { ProofOutcome } from './proof';
import { displayScan } from './scan-input';
import { VERDICT_WORDS, eventWord, findingSentence, statusWord } from './words';

type Child = Node | string | null | undefined | false;

export function h(
  tag: string,
  attrs: Record<string, string> = {},
  ...children: (Child | Child[])[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
const ICON_PATHS = {
  ok: 'M5 12.5l4.5 4.5L19 7.5',
  warn: 'M12 4l9 16H3zM12 10v4.5M12 17.3v.2',
  stop: 'M6 6l12 12M18 6L6 18',
} as const;

export function icon(kind: keyof typeof ICON_PATHS, className = 'icon'): SVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICON_PATHS[kind]);
  svg.append(path);
  return svg;
}

const VERDICT_ICON = { AUTHENTIC: 'ok', SUSPECT: 'warn', COUNTERFEIT: 'stop' } as const;

function formatTime(iso: string): HTMLElement {
  const date = new Date(iso);
  const text = Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return h('time', { datetime: iso, title: iso }, text);
}

function finding(f: Finding): HTMLElement {
  const sentence = findingSentence(f.code);
  return h(
    'li',
    { class: `finding finding--${f.severity.toLowerCase()}`, 'data-code': f.code },
    h('span', { class: 'severity' }, f.severity === 'INFO' ? 'Note' : f.severity.toLowerCase()),
    h(
      'span',
      { class: 'finding-text' },
      h('span', { class: 'finding-sentence' }, sentence ?? f.message),
      sentence && f.message ? h('span', { class: 'finding-detail' }, `Ledger: ${f.message}`) : null,
    ),
  );
}

function trailStep(step: TrailEntry): HTMLElement {
  const seal =
    step.sealed && step.blockHeight != null && step.leafIndex != null
      ? `sealed in block ${step.blockHeight}, leaf ${step.leafIndex}`
      : 'not yet sealed';
  return h(
    'li',
    { class: step.sealed ? 'step step--sealed' : 'step step--pending', 'data-type': step.type },
    h('span', { class: 'step-type' }, eventWord(step.type)),
    h('span', { class: 'step-who' }, `by ${step.actor} · `, formatTime(step.eventTime)),
    h('span', { class: 'step-seal' }, seal),
  );
}

function proofLine(outcome: ProofOutcome | 'checking'): HTMLElement {
  if (outcome === 'checking') {
    return h('p', { class: 'proof proof--pending', id: 'proof' }, 'Checking the proof…');
  }
  switch (outcome.kind) {
    case 'checked':
      return h(
        'p',
        { class: 'proof proof--ok', id: 'proof' },
        icon('ok'),
        h(
          'span',
          {},
          h('strong', {}, 'Proof checked in your browser'),
          ` — ${outcome.checks} checks passed against the ledger's public key`,
          outcome.checkpoint ? ` (${outcome.checkpoint})` : '',
          '.',
        ),
      );
    case 'failed':
      return h(
        'div',
        { class: 'proof proof--failed', id: 'proof' },
        icon('stop'),
        h(
          'div',
          {},
          h('strong', {}, 'The proof did not check in your browser.'),
          ' Do not rely on this answer; report it.',
          h(
            'ul',
            {},
            outcome.failed.slice(0, 5).map((what) => h('li', {}, `Failed: ${what}`)),
          ),
        ),
      );
    case 'absent':
      return h(
        'p',
        { class: 'proof proof--absent', id: 'proof' },
        'No proof bundle in this answer (nothing sealed that you may see), so there is nothing to check in your browser.',
      );
  }
}

/** The whole answer; the proof line is swapped in by `showProof` once checked. */
export function renderVerification(answer: Verification, scanned: string): HTMLElement {
  const words = VERDICT_WORDS[answer.verdict];
  const verdictClass = answer.verdict.toLowerCase();
  const product = answer.product;
  const facts: [string, string][] = [
    ['Identifier', answer.identifier],
    ...(product
      ? ([
          ['GTIN', product.gtin],
          ['Lot', product.lot ?? '—'],
          ['Expiry', product.expiry ?? '—'],
        ] as [string, string][])
      : []),
    ['Status', answer.status ? statusWord(answer.status) : 'Unknown'],
    [
      'Custodian',
      answer.custodian
        ? `${answer.custodian.name} (${answer.custodian.id})`
        : answer.status
          ? 'Not shown to you'
          : '—',
    ],
  ];
  return h(
    'article',
    { class: `result result--${verdictClass}`, 'aria-labelledby': 'verdict-title' },
    h(
      'div',
      { class: `verdict verdict--${verdictClass}` },
      icon(VERDICT_ICON[answer.verdict], 'icon verdict-icon'),
      h(
        'div',
        {},
        h('h2', { id: 'verdict-title', class: 'verdict-word' }, words.title.toUpperCase()),
        h('p', { class: 'verdict-advice' }, words.advice),
      ),
    ),
    h('p', { class: 'scanned' }, 'Scanned: ', h('code', {}, displayScan(scanned))),
    h('h3', {}, 'Why'),
    answer.findings.length > 0
      ? h('ul', { class: 'findings', id: 'findings' }, answer.findings.map(finding))
      : h(
          'p',
          { class: 'findings findings--none', id: 'findings' },
          'No problems found: commissioned by its manufacturer, custody unbroken, not dispensed, recalled or expired.',
        ),
    h('h3', {}, 'Product'),
    h(
      'dl',
      { class: 'facts' },
      facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
    ),
    h('h3', {}, 'Trail'),
    answer.trail.length > 0
      ? h('ol', { class: 'timeline', id: 'trail' }, answer.trail.map(trailStep))
      : h(
          'p',
          { class: 'timeline--none', id: 'trail' },
          'No events to show: none were recorded, or none you may see.',
        ),
    h('h3', {}, 'Proof'),
    proofLine('checking'),
  );
}

/**
 * Swaps in the proof line. A proof that fails here overrides the verdict shown: whatever
 * the service answered, the page cannot vouch for it.
 */
export function showProof(
  result: HTMLElement,
  answer: Verification,
  outcome: ProofOutcome,
): string | undefined {
  result.querySelector('#proof')?.replaceWith(proofLine(outcome));
  if (outcome.kind !== 'failed') return undefined;
  const verdict = result.querySelector('.verdict');
  verdict?.setAttribute('class', 'verdict verdict--unverified');
  verdict?.querySelector('svg')?.replaceWith(icon('stop', 'icon verdict-icon'));
  const title = result.querySelector('#verdict-title');
  if (title) title.textContent = 'NOT VERIFIED';
  const advice = `The ledger answered ${VERDICT_WORDS[answer.verdict].title.toLowerCase()}, but its proof did not check in your browser: do not dispense; report it.`;
  const line = result.querySelector('.verdict-advice');
  if (line) line.textContent = advice;
  return `Not verified. ${advice}`;
}

export function announcement(answer: Verification): string {
  const words = VERDICT_WORDS[answer.verdict];
  const first = answer.findings[0];
  const reason = first ? ` ${findingSentence(first.code) ?? first.message}` : '';
  return `${words.title}. ${words.advice}${reason}`;
}
