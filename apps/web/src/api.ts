// The few GraphQL operations of SPEC section 7 the scan page uses, over fetch to the
// service that served the page (same origin: the page needs no other host).
import { NETWORK } from './problems';

export interface Finding {
  code: string;
  severity: 'INFO' | 'WARNING' | 'CRITICAL';
  message: string;
  eventId?: string | null;
}
export interface TrailEntry {
  eventId: string;
  type: string;
  actor: string;
  eventTime: string;
  sealed: boolean;
  blockHeight?: number | null;
  leafIndex?: number | null;
}
export interface Verification {
  identifier: string;
  verdict: 'AUTHENTIC' | 'SUSPECT' | 'COUNTERFEIT';
  findings: Finding[];
  product?: { gtin: string; lot?: string | null; expiry?: string | null } | null;
  status?: string | null;
  custodian?: { id: string; name: string } | null;
  trail: TrailEntry[];
  proof?: { checkpoint: { origin: string; treeSize: number }; entries: unknown[] } | null;
}

/**
 * A GraphQL error with its stable `extensions.code` (UNAUTHENTICATED, BAD_USER_INPUT, …)
 * and `extensions.field`, the input at fault; or one of the page's own codes (NETWORK,
 * HTTP) for a request that got no GraphQL answer.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

interface GraphqlResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

export async function graphql<T>(
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError(NETWORK, 'the service cannot be reached');
  }
  let body: GraphqlResponse<T>;
  try {
    body = (await response.json()) as GraphqlResponse<T>;
  } catch {
    throw new ApiError('HTTP', `the service answered HTTP ${response.status} without a result`);
  }
  const error = body.errors?.[0];
  if (error) {
    throw new ApiError(error.extensions?.code ?? 'ERROR', error.message, error.extensions?.field);
  }
  if (!body.data)
    throw new ApiError('HTTP', `the service answered HTTP ${response.status} without data`);
  return body.data;
}

export const LEDGER_KEY = 'query LedgerKey { ledgerKey }';

export const REQUEST_CHALLENGE = `mutation Challenge($participantId: ID!) {
  requestChallenge(participantId: $participantId) { nonce expiresAt }
}`;

export const SIGN_IN = `mutation SignIn($participantId: ID!, $keyId: ID!, $nonce: String!, $signature: String!) {
  signIn(participantId: $participantId, keyId: $keyId, nonce: $nonce, signature: $signature) { token expiresAt }
}`;

export const VERIFY_PACKAGE = `query Verify($code: String!) {
  verifyPackage(code: $code) {
    identifier verdict
    findings { code severity message eventId }
    product { gtin lot expiry }
    status
    custodian { id name }
    trail { eventId type actor eventTime sealed blockHeight leafIndex }
    proof {
      checkpoint { origin treeSize rootHash note }
      entries { eventId leafIndex leafHash leafInput path tlogProof }
    }
  }
}`;

export const PARTICIPANT_NAME = `query Participant($id: ID!) { participant(id: $id) { name } }`;

export const SERVER_INFO = 'query ServerInfo { serverInfo { demoLoaded } }';

/** One request for the names of `ids` (aliases p0, p1, …; each a variable). */
export function participantNamesQuery(ids: readonly string[]): string {
  const variables = ids.map((_, i) => `$p${i}: ID!`).join(', ');
  const fields = ids.map((_, i) => `p${i}: participant(id: $p${i}) { id name }`).join(' ');
  return `query Names(${variables}) { ${fields} }`;
}
