// Sign-in inside the browser (SPEC section 3): ask for a nonce, sign
// `custos-signin:v1:` + nonce with the participant's key through libs/sdk (the one
// signing code the CLI and third parties use), send only the signature. The key stays in
// this module's memory for the page's life (so an expired session can be renewed without
// asking again) and is never stored or sent; the session token is kept in
// sessionStorage, which the tab alone can read.
import { base64UrlToBytes } from '@custos/ledger/bytes';
import { type CustosKey, keyFromSeed, signChallenge } from '@custos/sdk/keys';
import { PARTICIPANT_NAME, REQUEST_CHALLENGE, SIGN_IN, graphql } from './api';

export interface Session {
  participantId: string;
  keyId: string;
  /** The participant's registered name, when the service told it. */
  name?: string;
  token: string;
  expiresAt: string;
}

const STORAGE_KEY = 'custos.session';
let key: CustosKey | undefined;

/** A key from a seed typed or pasted into the page (base64url, 32 bytes). */
export function keyFromTypedSeed(text: string, keyId: string, participantId: string): CustosKey {
  let bytes: Uint8Array;
  try {
    bytes = base64UrlToBytes(text.trim().replace(/=+$/, ''), 'private key');
  } catch {
    throw new Error('The private key must be base64url (letters, digits, - and _).');
  }
  if (bytes.length !== 32) {
    throw new Error(`The private key must be a 32-byte seed; this one has ${bytes.length} bytes.`);
  }
  return keyFromSeed(bytes, keyId, participantId);
}

export async function signIn(signer: CustosKey & { participantId: string }): Promise<Session> {
  const { participantId, keyId } = signer;
  const { requestChallenge } = await graphql<{ requestChallenge: { nonce: string } }>(
    REQUEST_CHALLENGE,
    { participantId },
  );
  const signature = signChallenge(signer, requestChallenge.nonce);
  const { signIn: answer } = await graphql<{ signIn: { token: string; expiresAt: string } }>(
    SIGN_IN,
    { participantId, keyId, nonce: requestChallenge.nonce, signature },
  );
  key = signer;
  const name = await participantName(participantId, answer.token);
  const session: Session = { participantId, keyId, ...(name ? { name } : {}), ...answer };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

/** The name the ledger registered, or undefined if it cannot say now (shown as the GLN). */
async function participantName(id: string, token: string): Promise<string | undefined> {
  try {
    const { participant } = await graphql<{ participant: { name: string } | null }>(
      PARTICIPANT_NAME,
      { id },
      token,
    );
    return participant?.name;
  } catch {
    return undefined;
  }
}

/** A fresh session with the key this page was given, or undefined if it has none. */
export async function renew(session: Session): Promise<Session | undefined> {
  return key?.participantId === session.participantId && key.participantId
    ? signIn({ ...key, participantId: key.participantId })
    : undefined;
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
  key = undefined;
  sessionStorage.removeItem(STORAGE_KEY);
}
