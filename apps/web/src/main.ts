// The pharmacist's scan page (SPEC sections 1 and 6): sign in with the participant's
// key, scan, read the verdict, reasons and trail, and see the proof checked right here.
import { ApiError, VERIFY_PACKAGE, graphql, type Verification } from './api';
import { checkProof, fetchLedgerKey } from './proof';
import { announcement, renderVerification, showProof } from './render';
import { GS, normaliseScan } from './scan-input';
import { decodeSeed, renew, signIn, signOut, storedSession, type Session } from './session';

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
const scanForm = byId<HTMLFormElement>('scan-form');
const codeField = byId<HTMLInputElement>('code');
const scanStatus = byId<HTMLElement>('scan-status');
const cameraButton = byId<HTMLButtonElement>('camera');
const video = byId<HTMLVideoElement>('camera-view');
const resultArea = byId<HTMLElement>('result');
const announcer = byId<HTMLElement>('announcer');

let session: Session | undefined = storedSession();
let scanNumber = 0;

function showSession(): void {
  signInForm.hidden = session !== undefined;
  signedIn.hidden = session === undefined;
  signedInAs.textContent = session ? `${session.participantId} (key ${session.keyId})` : '';
}

function say(element: HTMLElement, text: string, kind: 'info' | 'error' = 'info'): void {
  element.textContent = text;
  element.dataset.kind = kind;
}

function focusScan(): void {
  codeField.focus();
  codeField.select(); // the next wedge scan replaces the last code instead of appending
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    const participantId = participantField.value.trim();
    const keyId = keyIdField.value.trim();
    if (!participantId || !keyId || !seedField.value.trim()) {
      say(signInStatus, 'Fill in the participant id, the key id and the private key.', 'error');
      return;
    }
    let secret: Uint8Array;
    try {
      secret = decodeSeed(seedField.value);
    } catch (err) {
      say(signInStatus, message(err), 'error');
      seedField.focus();
      return;
    }
    say(signInStatus, 'Signing in…');
    try {
      session = await signIn(participantId, keyId, secret);
      seedField.value = '';
      say(signInStatus, '');
      showSession();
      focusScan();
    } catch (err) {
      say(signInStatus, `Sign-in failed: ${message(err)}`, 'error');
    }
  })();
});

byId<HTMLButtonElement>('sign-out').addEventListener('click', () => {
  signOut();
  session = undefined;
  showSession();
  participantField.focus();
});

// A wedge scanner in keyboard mode sends GS as Ctrl+]; browsers type nothing for it.
codeField.addEventListener('keydown', (event) => {
  if (event.ctrlKey && (event.key === ']' || event.code === 'BracketRight')) {
    event.preventDefault();
    codeField.setRangeText(GS, codeField.selectionStart ?? 0, codeField.selectionEnd ?? 0, 'end');
  }
});

async function verify(code: string): Promise<Verification> {
  if (!session) throw new ApiError('UNAUTHENTICATED', 'Sign in first.');
  try {
    return (await graphql<{ verifyPackage: Verification }>(VERIFY_PACKAGE, { code }, session.token))
      .verifyPackage;
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'UNAUTHENTICATED') throw err;
    session = await renew(session);
    showSession();
    if (!session) throw new ApiError('UNAUTHENTICATED', 'Your session ended: sign in again.');
    return (await graphql<{ verifyPackage: Verification }>(VERIFY_PACKAGE, { code }, session.token))
      .verifyPackage;
  }
}

async function scan(raw: string): Promise<void> {
  const code = normaliseScan(raw);
  if (!code) {
    say(scanStatus, 'Type, paste or scan a code first.', 'error');
    return;
  }
  if (!session) {
    say(scanStatus, 'Sign in first: the ledger answers signed-in participants only.', 'error');
    participantField.focus();
    return;
  }
  const mine = ++scanNumber;
  say(scanStatus, 'Checking…');
  resultArea.setAttribute('aria-busy', 'true');
  let answer: Verification;
  try {
    answer = await verify(code);
  } catch (err) {
    if (mine !== scanNumber) return;
    resultArea.removeAttribute('aria-busy');
    const text =
      err instanceof ApiError && err.code === 'BAD_USER_INPUT'
        ? `This is not a code the ledger can read: ${err.message}`
        : `No answer: ${message(err)}`;
    say(scanStatus, text, 'error');
    announcer.textContent = text;
    focusScan();
    return;
  }
  if (mine !== scanNumber) return;
  say(scanStatus, '');
  const result = renderVerification(answer, code);
  resultArea.replaceChildren(result);
  resultArea.removeAttribute('aria-busy');
  announcer.textContent = announcement(answer);
  focusScan();
  const outcome = await checkProof(answer);
  if (mine !== scanNumber) return;
  const warning = showProof(result, answer, outcome);
  if (warning) announcer.textContent = warning;
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
fetchLedgerKey().catch(() => undefined); // fetched once; a failure is retried at the first proof
document.documentElement.dataset.ready = 'true';
// The scan field has the focus from the start: a wedge scanner can be used at once (a
// scan before sign-in says to sign in first).
focusScan();
