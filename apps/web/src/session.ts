// Sign-in inside the browser (SPEC section 3): ask for a nonce, sign
// `custos-signin:v1:` + nonce with the participant's Ed25519 seed using @noble/curves,
// send only the signature. The seed stays in this module's memory for the page's life
// (so an expired session can be renewed without asking again) and is never stored or
// sent; the session token is kept in sessionStorage, which the tab alone can read.
import { ed25519 } from '@noble/curves/ed25519.js';
import { base64UrlToBytes, bytesToBase64Url } from '@custos/ledger/bytes';
import { signInBytes } from '@custos/ledger/events';
import { REQUEST_CHALLENGE, SIGN_IN, graphql } from './api';

export interface Session {
  participantId: string;
  keyId: string;
  token: string;
  expiresAt: string;
}

const STORAGE_KEY = 'custos.session';
let seed: Uint8Array | undefined;

export function decodeSeed(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base64UrlToBytes(text.trim().replace(/=+$/, ''), 'private key');
  } catch {
    throw new Error('The private key must be base64url (letters, digits, - and _).');
  }
  if (bytes.length !== 32) {
    throw new Error(`The private key must be a 32-byte seed; this one has ${bytes.length} bytes.`);
  }
  return bytes;
}

export async function signIn(
  participantId: string,
  keyId: string,
  secret: Uint8Array,
): Promise<Session> {
  const { requestChallenge } = await graphql<{ requestChallenge: { nonce: string } }>(
    REQUEST_CHALLENGE,
    { participantId },
  );
  const signature = bytesToBase64Url(ed25519.sign(signInBytes(requestChallenge.nonce), secret));
  const { signIn: answer } = await graphql<{ signIn: { token: string; expiresAt: string } }>(
    SIGN_IN,
    { participantId, keyId, nonce: requestChallenge.nonce, signature },
  );
  seed = secret;
  const session = { participantId, keyId, ...answer };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

/** A fresh session with the seed this page was given, or undefined if it has none. */
export async function renew(session: Session): Promise<Session | undefined> {
  return seed ? signIn(session.participantId, session.keyId, seed) : undefined;
}

export function storedSession(): Session | undefined {
  try {
    const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Session | null;
    if (!session || Date.parse(session.expiresAt) <= Date.now()) return undefined;
    return session;
  } catch {
    return undefined;
  }
}

export function signOut(): void {
  seed = undefined;
  sessionStorage.removeItem(STORAGE_KEY);
}
