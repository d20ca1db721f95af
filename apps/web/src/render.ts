// Draws the scan area from one state (`ScanView`): nothing, a problem in place of a
// verdict, or one verification answer — the verdict (word, icon and colour: never colour
// alone), the reasons in plain words, the product, status and custodian, the trail as a
// timeline (each party by name with its GLN) and the proof line. The whole area is drawn anew for every state, so nothing
// of one package's answer can stay on screen beside another scan's. Only textContent is
// set, never HTML, so nothing in an answer can inject markup.
import type { Finding, TrailEntry, Verification } from './api';
import type { Problem } from './problems';
import type { ProofOutcome } from './proof';
import { partyLabel } from './names';
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

function trailStep(step: TrailEntry, names: ReadonlyMap<string, string>): HTMLElement {
  const seal =
    step.sealed && step.blockHeight != null && step.leafIndex != null
      ? `sealed in block ${step.blockHeight}, leaf ${step.leafIndex}`
      : 'not yet sealed';
  return h(
    'li',
    { class: step.sealed ? 'step step--sealed' : 'step step--pending', 'data-type': step.type },
    h('span', { class: 'step-type' }, eventWord(step.type)),
    h(
      'span',
      { class: 'step-who' },
      `by ${partyLabel(step.actor, names)} · `,
      formatTime(step.eventTime),
    ),
    h('span', { class: 'step-seal' }, seal),
  );
}

/** What the scan area shows. */
export type ScanView =
  | { readonly kind: 'idle' }
  | { readonly kind: 'checking'; readonly code: string }
  | { readonly kind: 'problem'; readonly problem: Problem; readonly code?: string }
  | {
      readonly kind: 'answer';
      readonly answer: Verification;
      readonly code: string;
      readonly proof: ProofOutcome | 'checking';
      /** Participants' names by GLN, for the trail (empty until the service told them). */
      readonly names: ReadonlyMap<string, string>;
    };

/** The children of the result area for `view`; none while idle or checking. */
export function renderScan(view: ScanView): HTMLElement[] {
  switch (view.kind) {
    case 'idle':
    case 'checking':
      return [];
    case 'problem':
      return [renderProblem(view.problem, view.code)];
    case 'answer':
      return [renderVerification(view.answer, view.code, view.proof, view.names)];
  }
}

function scannedLine(code: string): HTMLElement {
  return h('p', { class: 'scanned' }, 'Scanned: ', h('code', {}, displayScan(code)));
}

/** A scan without a verdict: said as plainly as a verdict, and never looking like one. */
function renderProblem(problem: Problem, code: string | undefined): HTMLElement {
  return h(
    'article',
    { class: 'result result--problem', id: 'scan-problem', 'aria-labelledby': 'problem-title' },
    h(
      'div',
      { class: 'problem' },
      icon('warn', 'icon problem-icon'),
      h(
        'div',
        {},
        h('h2', { id: 'problem-title', class: 'problem-title' }, 'No verdict'),
        h('p', { class: 'problem-sentence' }, problem.sentence),
      ),
    ),
    code ? scannedLine(code) : null,
    problem.detail ? h('p', { class: 'problem-detail' }, `Details: ${problem.detail}`) : null,
  );
}

/** The verdict as shown: a proof that fails in the browser overrides the service's word. */
function shownVerdict(
  answer: Verification,
  proof: ProofOutcome | 'checking',
): { word: string; advice: string; kind: string; icon: keyof typeof ICON_PATHS } {
  if (proof !== 'checking' && proof.kind === 'failed') {
    return {
      word: 'NOT VERIFIED',
      advice: notVerifiedAdvice(answer),
      kind: 'unverified',
      icon: 'stop',
    };
  }
  const words = VERDICT_WORDS[answer.verdict];
  return {
    word: words.title.toUpperCase(),
    advice: words.advice,
    kind: answer.verdict.toLowerCase(),
    icon: VERDICT_ICON[answer.verdict],
  };
}

function notVerifiedAdvice(answer: Verification): string {
  return `The ledger answered ${VERDICT_WORDS[answer.verdict].title.toLowerCase()}, but its proof did not check in your browser: do not dispense; report it.`;
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

/** The whole answer, with the proof line for `proof` (checking until the browser checked it). */
export function renderVerification(
  answer: Verification,
  scanned: string,
  proof: ProofOutcome | 'checking',
  names: ReadonlyMap<string, string> = new Map(),
): HTMLElement {
  const verdict = shownVerdict(answer, proof);
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
        ? `${answer.custodian.name} (GLN ${answer.custodian.id})`
        : answer.status
          ? 'Not shown to you'
          : '—',
    ],
  ];
  return h(
    'article',
    { class: `result result--${verdict.kind}`, 'aria-labelledby': 'verdict-title' },
    h(
      'div',
      { class: `verdict verdict--${verdict.kind}` },
      icon(verdict.icon, 'icon verdict-icon'),
      h(
        'div',
        { class: 'verdict-text' },
        h('h2', { id: 'verdict-title', class: 'verdict-word' }, verdict.word),
        h('p', { class: 'verdict-advice' }, verdict.advice),
      ),
    ),
    scannedLine(scanned),
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
      ? h(
          'ol',
          { class: 'timeline', id: 'trail' },
          answer.trail.map((step) => trailStep(step, names)),
        )
      : h(
          'p',
          { class: 'timeline--none', id: 'trail' },
          'No events to show: none were recorded, or none you may see.',
        ),
    h('h3', {}, 'Proof'),
    proofLine(proof),
  );
}

/** What a screen reader hears once the answer is in. */
export function announcement(answer: Verification): string {
  const words = VERDICT_WORDS[answer.verdict];
  const first = answer.findings[0];
  const reason = first ? ` ${findingSentence(first.code) ?? first.message}` : '';
  return `${words.title}. ${words.advice}${reason}`;
}

/** What a screen reader hears when the proof fails in the browser, after the answer. */
export function proofWarning(answer: Verification, outcome: ProofOutcome): string | undefined {
  return outcome.kind === 'failed' ? `Not verified. ${notVerifiedAdvice(answer)}` : undefined;
}

export function problemAnnouncement(problem: Problem): string {
  return `No verdict. ${problem.sentence}`;
}
