// Test helpers for participants: valid GLNs, Ed25519 keys as a client holds them, and
// the GraphQL calls of registration and sign-in, through graphql-request.
import { ed25519 } from '@noble/curves/ed25519.js';
import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { gs1CheckDigit } from '../libs/gs1/src/check-digit';

/** A GLN with a correct check digit, from up to 12 digits of body. */
export function gln(body: number | string): string {
  const digits = String(body).padStart(12, '0');
  return `${digits}${gs1CheckDigit(digits)}`;
}

/** The same GLN with a wrong check digit; returns it and the digit it should have. */
export function glnWithWrongCheckDigit(body: number | string): { id: string; expected: number } {
  const good = gln(body);
  const expected = Number(good.slice(-1));
  return { id: `${good.slice(0, -1)}${(expected + 3) % 10}`, expected };
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

export interface TestKey {
  readonly keyId: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: string;
}

export function newKey(keyId: string): TestKey {
  const secretKey = ed25519.utils.randomSecretKey();
  return { keyId, secretKey, publicKey: b64url(ed25519.getPublicKey(secretKey)) };
}

/** What a client signs to sign in (SPEC section 3), computed here without Custos code. */
export function signChallenge(nonce: string, key: TestKey): string {
  return b64url(ed25519.sign(new TextEncoder().encode(`custos-signin:v1:${nonce}`), key.secretKey));
}

export const PARTICIPANT_FIELDS = gql`
  fragment ParticipantFields on Participant {
    id
    name
    roles
    companyPrefixes
    license {
      number
      authority
      validUntil
    }
    keys {
      keyId
      publicKey
      validFrom
      revokedAt
    }
  }
`;

export interface ParticipantView {
  id: string;
  name: string;
  roles: string[];
  companyPrefixes: string[];
  license: { number: string; authority: string; validUntil: string };
  keys: { keyId: string; publicKey: string; validFrom: string | null; revokedAt: string | null }[];
}

export function participantInput(
  id: string,
  roles: string[],
  keys: TestKey[],
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    name: `Participant ${id}`,
    roles,
    companyPrefixes: roles.includes('MANUFACTURER') ? ['9506000'] : [],
    license: { number: `L-${id}`, authority: 'EMA', validUntil: '2099-12-31' },
    keys: keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey })),
    ...extra,
  };
}

export function client(url: string, token?: string): GraphQLClient {
  return new GraphQLClient(`${url}/graphql`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

export async function register(
  admin: GraphQLClient,
  input: Record<string, unknown>,
): Promise<ParticipantView> {
  const data = await admin.request<{ registerParticipant: ParticipantView }>(
    gql`
      mutation ($input: ParticipantInput!) {
        registerParticipant(input: $input) {
          ...ParticipantFields
        }
      }
      ${PARTICIPANT_FIELDS}
    `,
    { input },
  );
  return data.registerParticipant;
}

export async function requestChallenge(
  anyone: GraphQLClient,
  participantId: string,
): Promise<{ nonce: string; expiresAt: string }> {
  const data = await anyone.request<{ requestChallenge: { nonce: string; expiresAt: string } }>(
    gql`
      mutation ($id: ID!) {
        requestChallenge(participantId: $id) {
          nonce
          expiresAt
        }
      }
    `,
    { id: participantId },
  );
  return data.requestChallenge;
}

export async function signInCall(
  anyone: GraphQLClient,
  args: { participantId: string; keyId: string; nonce: string; signature: string },
): Promise<{ token: string; expiresAt: string }> {
  const data = await anyone.request<{ signIn: { token: string; expiresAt: string } }>(
    gql`
      mutation ($participantId: ID!, $keyId: ID!, $nonce: String!, $signature: String!) {
        signIn(participantId: $participantId, keyId: $keyId, nonce: $nonce, signature: $signature) {
          token
          expiresAt
        }
      }
    `,
    args,
  );
  return data.signIn;
}

/** requestChallenge, sign with the private key, signIn: the session token. */
export async function signInWith(url: string, participantId: string, key: TestKey) {
  const anyone = client(url);
  const { nonce } = await requestChallenge(anyone, participantId);
  return signInCall(anyone, {
    participantId,
    keyId: key.keyId,
    nonce,
    signature: signChallenge(nonce, key),
  });
}

export interface GraphqlFailure {
  code: unknown;
  field: unknown;
  message: string;
  status: number;
}

/** The first GraphQL error of a call that must fail. */
export async function failure(call: Promise<unknown>): Promise<GraphqlFailure> {
  const error = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof ClientError)) {
    const got =
      error === undefined ? 'success' : error instanceof Error ? error.message : 'a throw';
    throw new Error(`expected a GraphQL error, got ${got}`);
  }
  const first = error.response.errors?.[0];
  return {
    code: first?.extensions?.code,
    field: first?.extensions?.field,
    message: first?.message ?? '',
    status: error.response.status,
  };
}
