// The pharmacist's scan page (SPEC sections 1 and 6): sign in with the participant's
// key file (dropped or picked; or the key typed in), scan, read the verdict, reasons and trail, and see the proof checked right here.
// The scan area is drawn from one state at a time (render.ts `ScanView`), and a scan
// replaces it the moment it starts: a failed scan never shows the last package's verdict.
import { ApiError, VERIFY_PACKAGE, graphql, type Verification } from './api';
import {
  NETWORK,
  NOTHING_SCANNED,
  SIGN_IN_FIRST,
  scanProblem,
  signInProblem,
  type Problem,
  type ServiceError,
} from './problems';
import { demoLoaded, renderDemoOffer } from './demo-offer';
import { KeyFileError, keyFromFile } from './key-file';
import { participantNames, rememberName } from './names';
import { checkProof, fetchLedgerKey, type ProofOutcome } from './proof';
import {
  announcement,
  h,
  problemAnnouncement,
  proofWarning,
  renderScan,
  type ScanView,
} from './render';
import { GS, normaliseScan } from './scan-input';
import type { CustosKey } from '@custos/sdk/keys';
import { keyFromTypedSeed, renew, signIn, signOut, storedSession, type Session } from './session';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page lacks #${id}`);
  return el as T;
}

const signInForm = byId<HTMLFormElement>('sign-in-form');
const signedIn = byId<HTMLElement>('signed-in');
const signedInAs = byId<HTMLElement>('signed-in-as');
const signInStatus = byId<HTMLElement>('sign-in-status');
const participantField = byId<HTMLInputElement>('participant-id');
const keyIdField = byId<HTMLInputElement>('key-id');
const seedField = byId<HTMLInputElement>('private-key');
const keyFileField = byId<HTMLInputElement>('key-file');
const keyDrop = byId<HTMLElement>('key-drop');
const byHand = byId<HTMLDetailsElement>('by-hand');
const demoOffer = byId<HTMLElement>('demo-offer');
const scanForm = byId<HTMLFormElement>('scan-form');
const codeField = byId<HTMLInputElement>('code');
const scanStatus = byId<HTMLElement>('scan-status');
const cameraButton = byId<HTMLButtonElement>('camera');
const video = byId<HTMLVideoElement>('camera-view');
const resultArea = byId<HTMLElement>('result');
const announcer = byId<HTMLElement>('announcer');

let session: Session | undefined = storedSession();
// Every scan takes the next number; an answer that arrives after a later scan started is dropped.
let scanNumber = 0;

function showSession(): void {
  signInForm.hidden = session !== undefined;
  signedIn.hidden = session === undefined;
  signedInAs.textContent = session
    ? session.name
      ? `${session.name} (GLN ${session.participantId}, key ${session.keyId})`
      : `${session.participantId} (key ${session.keyId})`
    : '';
}

function say(element: HTMLElement, text: string, kind: 'info' | 'error' = 'info'): void {
  element.textContent = text;
  element.dataset.kind = kind;
}

/** A problem in a status line: its sentence, and the service's words on a line of their own. */
function sayProblem(element: HTMLElement, problem: Problem): void {
  element.replaceChildren(
    problem.sentence,
    problem.detail ? h('span', { class: 'problem-detail' }, `Details: ${problem.detail}`) : '',
  );
  element.dataset.kind = 'error';
}

/**
 * Draws the scan area for `view`: the one place the result area changes. `spoken` replaces
 * what the live region says (left as it is when undefined: the proof line redrawn).
 */
function show(view: ScanView, spoken?: string): void {
  resultArea.replaceChildren(...renderScan(view));
  resultArea.setAttribute('aria-busy', String(view.kind === 'checking'));
  say(scanStatus, view.kind === 'checking' ? 'Checking…' : '');
  if (spoken !== undefined) announcer.textContent = spoken;
}

function showProblem(problem: Problem, code?: string): void {
  show({ kind: 'problem', problem, ...(code ? { code } : {}) }, problemAnnouncement(problem));
}

function focusScan(): void {
  codeField.focus();
  codeField.select(); // the next wedge scan replaces the last code instead of appending
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function serviceError(err: unknown): ServiceError {
  return err instanceof ApiError
    ? { code: err.code, field: err.field, message: err.message }
    : { code: 'ERROR', message: message(err) };
}

/** Signs in with `key`; says what went wrong in the form's status line. */
async function signInWith(key: CustosKey & { participantId: string }): Promise<void> {
  say(signInStatus, 'Signing in…');
  try {
    session = await signIn(key);
  } catch (err) {
    sayProblem(signInStatus, signInProblem(serviceError(err)));
    return;
  }
  if (session.name) rememberName(session.participantId, session.name);
  seedField.value = '';
  keyFileField.value = '';
  say(signInStatus, '');
  showSession();
  show({ kind: 'idle' }, ''); // "sign in first" is answered
  focusScan();
}

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const participantId = participantField.value.trim();
  const keyId = keyIdField.value.trim();
  if (!participantId || !keyId || !seedField.value.trim()) {
    say(signInStatus, 'Fill in the participant id, the key id and the private key.', 'error');
    return;
  }
  let key: CustosKey & { participantId: string };
  try {
    key = { ...keyFromTypedSeed(seedField.value, keyId, participantId), participantId };
  } catch (err) {
    say(signInStatus, message(err), 'error');
    seedField.focus();
    return;
  }
  void signInWith(key);
});

/** Reads a dropped or picked key file and signs in with it. */
async function signInWithFile(file: File): Promise<void> {
  say(signInStatus, `Reading ${file.name}…`); // the last file's error is not this one's
  let key: CustosKey;
  try {
    // A PEM, or a key file of an unregistered key, takes the participant typed in by hand.
    key = await keyFromFile(
      file,
      participantField.value.trim() || undefined,
      keyIdField.value.trim() || undefined,
    );
  } catch (err) {
    if (!(err instanceof KeyFileError)) throw err;
    say(signInStatus, err.message, 'error');
    if (/participant id/.test(err.message)) {
      byHand.open = true;
      participantField.focus();
    }
    keyFileField.value = '';
    return;
  }
  await signInWith({ ...key, participantId: key.participantId! });
}

keyFileField.addEventListener('change', () => {
  const file = keyFileField.files?.[0];
  if (file) void signInWithFile(file);
});
keyDrop.addEventListener('dragover', (event) => {
  event.preventDefault(); // allows the drop
  keyDrop.dataset.dragging = 'true';
});
keyDrop.addEventListener('dragleave', () => delete keyDrop.dataset.dragging);
keyDrop.addEventListener('drop', (event) => {
  event.preventDefault(); // the browser would open the file instead
  delete keyDrop.dataset.dragging;
  const file = event.dataTransfer?.files[0];
  if (file) void signInWithFile(file);
  else say(signInStatus, 'Drop the key file itself (a .json or .pem file).', 'error');
});

byId<HTMLButtonElement>('sign-out').addEventListener('click', () => {
  signOut();
  session = undefined;
  scanNumber++; // an answer still on its way is for the one who signed out
  show({ kind: 'idle' }, '');
  showSession();
  keyFileField.focus();
});

// A wedge scanner in keyboard mode sends GS as Ctrl+]; browsers type nothing for it.
codeField.addEventListener('keydown', (event) => {
  if (event.ctrlKey && (event.key === ']' || event.code === 'BracketRight')) {
    event.preventDefault();
    codeField.setRangeText(GS, codeField.selectionStart ?? 0, codeField.selectionEnd ?? 0, 'end');
  }
});

async function verify(code: string): Promise<Verification> {
  if (!session) throw new ApiError('UNAUTHENTICATED', 'not signed in');
  try {
    return (await graphql<{ verifyPackage: Verification }>(VERIFY_PACKAGE, { code }, session.token))
      .verifyPackage;
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'UNAUTHENTICATED') throw err;
    // The session expired or was ended: sign in again with the seed this page holds, or
    // show the sign-in form (a refused renewal, e.g. a revoked key, ends it for good).
    try {
      session = await renew(session);
    } catch (renewal) {
      if (renewal instanceof ApiError && renewal.code === NETWORK) throw renewal;
      session = undefined;
    }
    if (!session) signOut();
    showSession();
    if (!session) throw err;
    return (await graphql<{ verifyPackage: Verification }>(VERIFY_PACKAGE, { code }, session.token))
      .verifyPackage;
  }
}

async function scan(raw: string): Promise<void> {
  const mine = ++scanNumber;
  const code = normaliseScan(raw);
  if (!code) {
    showProblem(NOTHING_SCANNED);
    focusScan();
    return;
  }
  if (!session) {
    showProblem(SIGN_IN_FIRST, code);
    keyFileField.focus();
    return;
  }
  show({ kind: 'checking', code }, '');
  let answer: Verification;
  try {
    answer = await verify(code);
  } catch (err) {
    if (mine !== scanNumber) return;
    showProblem(scanProblem(serviceError(err)), code);
    focusScan();
    return;
  }
  if (mine !== scanNumber) return;
  if (answer.custodian) rememberName(answer.custodian.id, answer.custodian.name);
  let names: ReadonlyMap<string, string> = new Map();
  let proof: ProofOutcome | 'checking' = 'checking';
  const redraw = (spoken?: string) => show({ kind: 'answer', answer, code, proof, names }, spoken);
  redraw(announcement(answer));
  focusScan();
  // The actors' names and the proof check arrive in either order; each redraws the answer.
  const token = session.token;
  const naming = participantNames(
    answer.trail.map((step) => step.actor),
    token,
  ).then(
    (found) => {
      if (mine !== scanNumber) return;
      names = found;
      redraw();
    },
    () => undefined, // the trail keeps the GLNs
  );
  const outcome = await checkProof(answer);
  if (mine !== scanNumber) return;
  proof = outcome;
  redraw(proofWarning(answer, outcome));
  await naming;
}

scanForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void scan(codeField.value);
});

let camera: { stop(): void } | undefined;

function cameraOff(): void {
  camera?.stop();
  camera = undefined;
  video.hidden = true;
  cameraButton.textContent = 'Scan with camera';
  cameraButton.setAttribute('aria-pressed', 'false');
}

if (typeof navigator.mediaDevices?.getUserMedia === 'function') {
  cameraButton.hidden = false;
  cameraButton.addEventListener('click', () => {
    if (camera) {
      cameraOff();
      focusScan();
      return;
    }
    void (async () => {
      say(scanStatus, 'Starting the camera…');
      try {
        const { startCamera } = await import('./camera');
        video.hidden = false;
        cameraButton.textContent = 'Stop camera';
        cameraButton.setAttribute('aria-pressed', 'true');
        camera = await startCamera(
          video,
          (text) => {
            cameraOff();
            codeField.value = text;
            void scan(text);
          },
          (problem) => {
            cameraOff();
            say(scanStatus, problem, 'error');
          },
        );
        say(scanStatus, 'Hold the code in front of the camera.');
      } catch (err) {
        cameraOff();
        say(scanStatus, `The camera is not available: ${message(err)}`, 'error');
      }
    })();
  });
}

showSession();
void demoLoaded().then((loaded) => {
  if (!loaded) return;
  demoOffer.replaceChildren(
    ...renderDemoOffer(() => {
      keyFileField.click(); // the pharmacist picks the demo's key file; the page is never given it
    }),
  );
  demoOffer.hidden = false;
});
fetchLedgerKey().catch(() => undefined); // fetched once; a failure is retried at the first proof
document.documentElement.dataset.ready = 'true';
// The scan field has the focus from the start: a wedge scanner can be used at once (a
// scan before sign-in says to sign in first).
focusScan();
