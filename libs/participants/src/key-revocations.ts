// Key revocations announced across processes: the transaction that revokes a key also
// sends pg_notify(KEY_REVOKED_CHANNEL, payload) (participant.repository.ts), so every API
// replica that LISTENs can end the sessions of that key at once (open subscriptions,
// apps/api/src/graphql/socket-sessions.ts), not only at their next request.

export const KEY_REVOKED_CHANNEL = 'custos_key_revoked';

export interface KeyRevocation {
  readonly participantId: string;
  readonly keyId: string;
}

export function revocationPayload(revocation: KeyRevocation): string {
  return JSON.stringify({ participantId: revocation.participantId, keyId: revocation.keyId });
}

/** The revocation a notification announces; undefined for a payload of another shape. */
export function parseRevocation(payload: string): KeyRevocation | undefined {
  try {
    const value = JSON.parse(payload) as Record<string, unknown>;
    const { participantId, keyId } = value;
    return typeof participantId === 'string' && typeof keyId === 'string'
      ? { participantId, keyId }
      : undefined;
  } catch {
    return undefined;
  }
}
