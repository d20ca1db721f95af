// The shapes the Custos GraphQL API answers (SPEC section 7, apps/api/src/schema.gql),
// as the SDK's queries select them. Hashes are lowercase hex, leafInput base64.
export type Role = 'MANUFACTURER' | 'DISTRIBUTOR' | 'DISPENSER' | 'REGULATOR';
export type Verdict = 'AUTHENTIC' | 'SUSPECT' | 'COUNTERFEIT';
export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';
export type PackageStatus = 'ACTIVE' | 'IN_TRANSIT' | 'DISPENSED' | 'DECOMMISSIONED';

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
}

export interface ParticipantInput {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly companyPrefixes?: readonly string[];
  readonly license: {
    readonly number: string;
    readonly authority: string;
    readonly validUntil: string;
  };
  readonly keys: readonly {
    readonly keyId: string;
    readonly publicKey: string;
    readonly validFrom?: string;
  }[];
}

export interface Participant {
  readonly id: string;
  readonly name: string;
  readonly roles: Role[];
  readonly companyPrefixes: string[];
  readonly keys: {
    keyId: string;
    publicKey: string;
    validFrom: string | null;
    revokedAt: string | null;
  }[];
}

export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly eventId: string | null;
}

export interface TrailEntry {
  readonly eventId: string;
  readonly type: string;
  readonly actor: string;
  readonly eventTime: string;
  readonly sealed: boolean;
  readonly blockHeight: number | null;
  readonly leafIndex: number | null;
}

export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly note: string;
}

export interface ProofEntry {
  readonly eventId: string;
  readonly leafIndex: number;
  readonly leafHash: string;
  readonly path: string[];
  readonly tlogProof: string;
  readonly leafInput: string;
}

/** A `verifyPackage` answer; with `proof`, it is a bundle that `verifyBundle` checks offline. */
export interface Verification {
  readonly identifier: string;
  readonly verdict: Verdict;
  readonly findings: Finding[];
  readonly product: { gtin: string; lot: string | null; expiry: string | null } | null;
  readonly status: PackageStatus | null;
  readonly custodian: { id: string; name: string } | null;
  readonly trail: TrailEntry[];
  readonly proof: { checkpoint: Checkpoint; entries: ProofEntry[] } | null;
}

export interface EventReceipt {
  readonly eventId: string;
  readonly status: 'PENDING' | 'DUPLICATE';
}

export interface EventRejection {
  readonly index: number;
  readonly eventId: string | null;
  readonly code: string;
  readonly message: string;
}

export interface SubmitEventsResult {
  readonly accepted: EventReceipt[];
  readonly rejected: EventRejection[];
}

export interface Alert {
  readonly id: string;
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly identifier: string | null;
  readonly eventId: string | null;
  readonly raisedAt: string;
}

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

export interface Connection<T> {
  readonly edges: { cursor: string; node: T }[];
  readonly pageInfo: PageInfo;
}

export interface LotTrace {
  readonly gtin: string;
  readonly lot: string;
  readonly totalUnits: number;
  readonly byStatus: { status: PackageStatus; count: number }[];
  readonly byCustodian: { custodian: { id: string; name: string }; count: number }[];
  readonly units: Connection<{
    identifier: string;
    status: PackageStatus;
    custodian: { id: string; name: string } | null;
  }>;
}

export interface AuditDiscrepancy {
  readonly id: string;
  readonly kind: string;
  readonly message: string;
  readonly blockHeight: number | null;
  readonly leafIndex: number | null;
}

export interface AuditRun {
  readonly id: string;
  readonly status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED';
  readonly treeSize: number;
  readonly doneEvents: number;
  readonly percentDone: number;
  readonly eventsPerSecond: number;
  readonly discrepancyCount: number;
  readonly error: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}
