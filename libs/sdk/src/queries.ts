// The GraphQL documents the SDK sends, one per operation (SPEC section 7).
export const VERIFICATION_FIELDS = `
  identifier verdict
  findings { code severity message eventId }
  product { gtin lot expiry }
  status
  custodian { id name }
  trail { eventId type actor eventTime sealed blockHeight leafIndex }
  proof {
    checkpoint { origin treeSize rootHash note }
    entries { eventId leafIndex leafHash path tlogProof leafInput }
  }`;

export const VERIFY_PACKAGE = `query ($code: String!) { verifyPackage(code: $code) { ${VERIFICATION_FIELDS} } }`;

export const REQUEST_CHALLENGE = `mutation ($id: ID!) { requestChallenge(participantId: $id) { nonce expiresAt } }`;

export const SIGN_IN = `mutation ($id: ID!, $keyId: ID!, $nonce: String!, $signature: String!) {
  signIn(participantId: $id, keyId: $keyId, nonce: $nonce, signature: $signature) { token expiresAt }
}`;

const PARTICIPANT_FIELDS =
  'id name roles companyPrefixes keys { keyId publicKey validFrom revokedAt }';

export const REGISTER_PARTICIPANT = `mutation ($input: ParticipantInput!) {
  registerParticipant(input: $input) { ${PARTICIPANT_FIELDS} }
}`;

export const ADD_PARTICIPANT_KEY = `mutation ($id: ID!, $key: PublicKeyInput!, $signedBy: ID, $signature: String) {
  addParticipantKey(participantId: $id, key: $key, signedBy: $signedBy, signature: $signature) { ${PARTICIPANT_FIELDS} }
}`;

export const REVOKE_PARTICIPANT_KEY = `mutation ($id: ID!, $keyId: ID!, $signedBy: ID, $signature: String) {
  revokeParticipantKey(participantId: $id, keyId: $keyId, signedBy: $signedBy, signature: $signature) { ${PARTICIPANT_FIELDS} }
}`;

export const PARTICIPANT_KEYS = `query ($id: ID!) {
  participantKeys(participantId: $id) {
    participantId origin treeSize checkpoint
    records { leafIndex leafInput record type keyId authorisedBy inclusionProof }
  }
}`;

export const PARTICIPANT = `query ($id: ID!) { participant(id: $id) { ${PARTICIPANT_FIELDS} } }`;

export const SUBMIT_EVENTS = `mutation ($events: [SignedEventInput!]!) {
  submitEvents(events: $events) { accepted { eventId status } rejected { index eventId code message } }
}`;

export const CHECKPOINT = '{ checkpoint { origin treeSize rootHash note } }';
export const LEDGER_KEY = '{ ledgerKey }';

export const LOT_TRACE = `query ($gtin: String!, $lot: String!, $first: Int, $after: String) {
  lotTrace(gtin: $gtin, lot: $lot, first: $first, after: $after) {
    gtin lot totalUnits
    byStatus { status count }
    byCustodian { custodian { id name } count }
    units { edges { cursor node { identifier status custodian { id name } } } pageInfo { hasNextPage endCursor } }
  }
}`;

const ALERT_FIELDS = 'id code severity message identifier eventId raisedAt';

export const ALERTS = `query ($first: Int, $after: String, $since: String, $severity: Severity, $code: String) {
  alerts(first: $first, after: $after, since: $since, severity: $severity, code: $code) {
    edges { cursor node { ${ALERT_FIELDS} } } pageInfo { hasNextPage endCursor }
  }
}`;

export const ALERT_RAISED = `subscription ($since: String, $severity: Severity, $code: String) {
  alertRaised(since: $since, severity: $severity, code: $code) { ${ALERT_FIELDS} }
}`;

const AUDIT_FIELDS =
  'id status treeSize doneEvents percentDone eventsPerSecond discrepancyCount error startedAt finishedAt';

export const START_AUDIT = `mutation { startAudit { ${AUDIT_FIELDS} } }`;
export const AUDIT_RUN = `query ($id: ID!) { auditRun(id: $id) { ${AUDIT_FIELDS} } }`;
export const AUDIT_DISCREPANCIES = `query ($id: ID!, $first: Int, $after: ID) {
  auditRun(id: $id) { discrepancies(first: $first, after: $after) { id kind message blockHeight leafIndex } }
}`;
export const AUDIT_PROGRESS = `subscription ($id: ID!) { auditProgress(id: $id) { ${AUDIT_FIELDS} } }`;
