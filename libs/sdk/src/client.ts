// The Custos client: GraphQL over HTTP (POST /graphql, SPEC section 7) with `fetch`, and
// subscriptions over graphql-ws. Works on Node 20 and in browsers; on Node, pass a
// WebSocket implementation (the `ws` package) for subscriptions. Sign-in needs nothing
// but the participant's key: the seed signs a challenge here and never leaves.
//
// Submission is safe to repeat by design (SPEC section 4: resubmitting the same signed
// event is a no-op answered DUPLICATE), so the client retries a batch whose fate it does
// not know (unreachable server, 5xx, 429) with backoff, waiting at least what a busy
// server's Retry-After asks, and halves one the server finds too large.
import { createClient, type Client as WsClient } from 'graphql-ws';
import type { SignedEvent } from '@custos/ledger/events';
import { type BatchLimits, batchesOf, SERVER_LIMITS } from './batches';
import {
  CustosRequestError,
  CustosSubscriptionClosedError,
  CustosUnreachableError,
  type ServerError,
} from './errors';
import type { CustosKey } from './keys';
import { signChallenge } from './keys';
import { type NewKey, signKeyAddition, signKeyRevocation } from './key-requests';
import type { KeyListingAnswer } from './key-listing';
import * as Q from './queries';
import { retryAfterMs } from './retry-after';
import type {
  Alert,
  AuditDiscrepancy,
  AuditRun,
  Checkpoint,
  Connection,
  EventRejection,
  LotTrace,
  Participant,
  ParticipantInput,
  Session,
  SubmitEventsResult,
  Verification,
} from './types';

export interface ClientOptions {
  /** The service, e.g. http://127.0.0.1:3000 (no /graphql). */
  readonly url: string;
  /** A session token (`signIn`) or the admin token. */
  readonly token?: string;
  /** Signs in again with this key when the session has expired. */
  readonly key?: CustosKey;
  /**
   * Called with each session the client signs in to: `signIn`, `renewSession` and the
   * sign-in again after an expired token. A caller that stores the token (the CLI's
   * session file) stores the new one here, or its next run starts from a dead token.
   */
  readonly onSession?: (session: Session) => void;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Per request; default 120 s (a 10,000-event batch on a busy server takes a while). */
  readonly timeoutMs?: number;
  /** Attempts after the first for a request whose fate is unknown; default 4. */
  readonly retries?: number;
  /** First backoff delay, doubled each time; default 250 ms. */
  readonly retryDelayMs?: number;
  /**
   * Longest Retry-After honoured (a busy server's 503 says when to come back; the wait is
   * never shorter than it asks); an answer asking for more is the error. Default 60 s.
   */
  readonly maxRetryAfterMs?: number;
  /** For subscriptions on Node (`import WebSocket from 'ws'`); default the global WebSocket. */
  readonly webSocketImpl?: unknown;
}

/**
 * The largest `first` an `alerts` page may ask for under the server's default limits: the
 * query costs 1 + 13 × first (docs/adr/0009: every field under a paged field counts once
 * per item, here edges, cursor, node and its 7 fields, pageInfo and its 2) and may cost
 * 5000 (CUSTOS_GRAPHQL_MAX_COMPLEXITY), which binds before the page cap of 500
 * (CUSTOS_GRAPHQL_MAX_PAGE). queries.spec.ts measures it with the server's own rule.
 */
export const ALERTS_MAX_PAGE = 384;

/**
 * The same for a `lotTrace` page: its `first` multiplies the whole trace (counts by status
 * and custodian as well as the units), 23 a unit, so 1 + 23 × first ≤ 5000.
 */
export const LOT_TRACE_MAX_PAGE = 217;

/** Audit discrepancies a page (1 + 1 + 5 × first, well within the default limits). */
export const AUDIT_DISCREPANCIES_PAGE = 500;

/** Which alerts: raised at or after `since` (RFC 3339), of a severity, of a finding code. */
export type AlertFilter = {
  readonly since?: string;
  readonly severity?: string;
  readonly code?: string;
};

/**
 * A subscription's events; `close()` ends it at once, even while a `next()` waits.
 * `ready` resolves once the server has accepted the socket (the subscription is sent on it
 * at once); it stays pending when the socket fails, and `next()` rejects instead.
 */
export type Subscription<T> = AsyncIterableIterator<T> & {
  close(): void;
  readonly ready: Promise<void>;
};

export interface RequestOptions {
  /** Send no token (sign-in: the stored one may be dead); never signs in again. */
  readonly anonymous?: boolean;
}

export interface SubmitProgress {
  /** Events sent and answered so far. */
  readonly submitted: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly batches: number;
}

export interface SubmitOptions {
  readonly limits?: Partial<BatchLimits>;
  /** Stop at the first batch with a rejection (default true: later events may depend on it). */
  readonly stopOnRejection?: boolean;
  readonly onProgress?: (progress: SubmitProgress) => void;
}

/** A rejection, with `index` the event's position in the whole submission. */
export type SubmitRejection = EventRejection;

export interface SubmitReport extends SubmitProgress {
  readonly ok: boolean;
  readonly rejections: SubmitRejection[];
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function reasonOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

export class CustosClient {
  readonly url: string;
  private tokenValue: string | undefined;
  private key: CustosKey | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly options: ClientOptions;

  constructor(options: ClientOptions) {
    this.options = options;
    this.url = options.url.replace(/\/+$/, '').replace(/\/graphql$/, '');
    this.tokenValue = options.token;
    this.key = options.key;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  get token(): string | undefined {
    return this.tokenValue;
  }

  /**
   * One GraphQL operation; retried while the server is unreachable or answers 5xx or 429
   * (after the answer's Retry-After, if it gives one). A
   * request that carried the session token and is answered UNAUTHENTICATED (the session
   * expired) signs in again with the key, once, and is sent again.
   */
  async request<T>(
    query: string,
    variables: Record<string, unknown> = {},
    options: RequestOptions = {},
  ): Promise<T> {
    const retries = this.options.retries ?? 4;
    let delay = this.options.retryDelayMs ?? 250;
    let signedInAgain = false;
    for (let attempt = 0; ; attempt++) {
      const token = options.anonymous ? undefined : this.tokenValue;
      try {
        return await this.once<T>(query, variables, token);
      } catch (err) {
        const retryable =
          err instanceof CustosUnreachableError ||
          (err instanceof CustosRequestError &&
            (err.retryable || err.code === 'INTERNAL_SERVER_ERROR'));
        if (
          err instanceof CustosRequestError &&
          err.code === 'UNAUTHENTICATED' &&
          token !== undefined &&
          this.key?.participantId &&
          !signedInAgain
        ) {
          signedInAgain = true;
          await this.signIn(this.key);
          continue;
        }
        if (!retryable || attempt >= retries) throw err;
        const asked = err instanceof CustosRequestError ? err.retryAfterMs : undefined;
        if (asked !== undefined && asked > (this.options.maxRetryAfterMs ?? 60_000)) throw err;
        await sleep(Math.max(delay, asked ?? 0));
        delay *= 2;
      }
    }
  }

  private async once<T>(
    query: string,
    variables: Record<string, unknown>,
    token: string | undefined,
  ): Promise<T> {
    const endpoint = `${this.url}/graphql`;
    let response: Response;
    try {
      response = await this.fetchImpl(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
      });
    } catch (err) {
      throw new CustosUnreachableError(this.url, reasonOf(err));
    }
    const retryAfter = retryAfterMs(response.headers.get('retry-after'));
    let answer: GraphQLAnswer<T>;
    try {
      answer = (await response.json()) as GraphQLAnswer<T>;
    } catch {
      throw new CustosRequestError(
        response.status,
        [
          {
            message: `${endpoint} answered HTTP ${response.status} without a GraphQL body: is this a Custos server?`,
          },
        ],
        retryAfter,
      );
    }
    if (answer.errors?.length || !response.ok || !answer.data) {
      const errors: ServerError[] = (answer.errors ?? []).map((e) => ({
        message: e.message,
        ...(e.extensions?.code ? { code: e.extensions.code } : {}),
        ...(e.extensions?.field ? { field: e.extensions.field } : {}),
      }));
      throw new CustosRequestError(response.status, errors, retryAfter);
    }
    return answer.data;
  }

  /**
   * Challenge, signature with the key, session token; later requests carry the token.
   * Both steps go without the current token: it may be the one that has expired or whose
   * key was revoked, and the server refuses any request that carries a dead token.
   */
  async signIn(key: CustosKey, participantId = key.participantId): Promise<Session> {
    if (!participantId) throw new Error('signIn: the key names no participant; pass participantId');
    const { requestChallenge } = await this.request<{ requestChallenge: { nonce: string } }>(
      Q.REQUEST_CHALLENGE,
      { id: participantId },
      { anonymous: true },
    );
    const { signIn } = await this.request<{ signIn: Session }>(
      Q.SIGN_IN,
      {
        id: participantId,
        keyId: key.keyId,
        nonce: requestChallenge.nonce,
        signature: signChallenge(key, requestChallenge.nonce),
      },
      { anonymous: true },
    );
    this.tokenValue = signIn.token;
    this.key = { ...key, participantId };
    this.options.onSession?.(signIn);
    return signIn;
  }

  /** Signs in again with the key it was given or signed in with; undefined without one. */
  async renewSession(): Promise<Session | undefined> {
    return this.key?.participantId ? this.signIn(this.key) : undefined;
  }

  /** Admin token or a regulator's session. */
  async registerParticipant(input: ParticipantInput): Promise<Participant> {
    const data = await this.request<{ registerParticipant: Participant }>(Q.REGISTER_PARTICIPANT, {
      input,
    });
    return data.registerParticipant;
  }

  /**
   * Adds a key to a participant: with `signer` (one of its current keys), as the
   * participant's own signed request; without, by the admin token.
   */
  async addKey(participantId: string, key: NewKey, signer?: CustosKey): Promise<Participant> {
    const signed = signer ? signKeyAddition(participantId, key, signer) : {};
    const input = {
      keyId: key.keyId,
      publicKey: key.publicKey,
      ...(key.validFrom ? { validFrom: key.validFrom } : {}),
    };
    return (
      await this.request<{ addParticipantKey: Participant }>(Q.ADD_PARTICIPANT_KEY, {
        id: participantId,
        key: input,
        ...signed,
      })
    ).addParticipantKey;
  }

  /**
   * Revokes a participant's key now: with `signer` (one of its current keys, maybe this
   * one), as the participant's own signed request; without, by the admin or a regulator.
   */
  async revokeKey(participantId: string, keyId: string, signer?: CustosKey): Promise<Participant> {
    const signed = signer ? signKeyRevocation(participantId, keyId, signer) : {};
    return (
      await this.request<{ revokeParticipantKey: Participant }>(Q.REVOKE_PARTICIPANT_KEY, {
        id: participantId,
        keyId,
        ...signed,
      })
    ).revokeParticipantKey;
  }

  /** Every key directory record about a participant, with proofs (check: verifyKeyListing). */
  async participantKeys(participantId: string): Promise<KeyListingAnswer> {
    return (
      await this.request<{ participantKeys: KeyListingAnswer }>(Q.PARTICIPANT_KEYS, {
        id: participantId,
      })
    ).participantKeys;
  }

  async participant(id: string): Promise<Participant | null> {
    return (await this.request<{ participant: Participant | null }>(Q.PARTICIPANT, { id }))
      .participant;
  }

  /** One `submitEvents` request as it stands (all or nothing; at most the server's limits). */
  async submitBatch(events: readonly SignedEvent[]): Promise<SubmitEventsResult> {
    return (await this.request<{ submitEvents: SubmitEventsResult }>(Q.SUBMIT_EVENTS, { events }))
      .submitEvents;
  }

  /**
   * Submits any number of signed events (an array, or a stream such as the lines of a
   * large file) in order, in batches within the server's limits. Each batch is all or
   * nothing; rejections come back with their index in the whole submission.
   */
  async submit(
    events: Iterable<SignedEvent> | AsyncIterable<SignedEvent>,
    options: SubmitOptions = {},
  ): Promise<SubmitReport> {
    const limits = { ...SERVER_LIMITS, ...options.limits };
    const stopOnRejection = options.stopOnRejection ?? true;
    let submitted = 0;
    let accepted = 0;
    let duplicates = 0;
    let batches = 0;
    const rejections: SubmitRejection[] = [];
    const progress = (): SubmitProgress => ({
      submitted,
      accepted,
      duplicates,
      rejected: rejections.length,
      batches,
    });
    for await (const batch of batchesOf(events, limits)) {
      const result = await this.sendFitting(batch, submitted);
      batches += result.requests;
      submitted += batch.length;
      for (const receipt of result.accepted) {
        if (receipt.status === 'DUPLICATE') duplicates++;
        else accepted++;
      }
      rejections.push(...result.rejected);
      options.onProgress?.(progress());
      if (result.rejected.length > 0 && stopOnRejection) break;
    }
    return { ...progress(), ok: rejections.length === 0, rejections };
  }

  /** Sends a batch; one the server refuses as too large is sent as two halves. */
  private async sendFitting(
    batch: readonly SignedEvent[],
    offset: number,
  ): Promise<SubmitEventsResult & { requests: number }> {
    try {
      const result = await this.submitBatch(batch);
      return {
        accepted: result.accepted,
        rejected: result.rejected.map((r) => ({ ...r, index: r.index + offset })),
        requests: 1,
      };
    } catch (err) {
      const tooLarge =
        err instanceof CustosRequestError &&
        (err.status === 413 || err.code === 'REQUEST_TOO_LARGE' || err.code === 'BATCH_TOO_LARGE');
      if (!tooLarge || batch.length < 2) throw err;
      const half = Math.ceil(batch.length / 2);
      const first = await this.sendFitting(batch.slice(0, half), offset);
      if (first.rejected.length > 0) return first;
      const second = await this.sendFitting(batch.slice(half), offset + half);
      return {
        accepted: [...first.accepted, ...second.accepted],
        rejected: second.rejected,
        requests: first.requests + second.requests,
      };
    }
  }

  /** Is this package genuine? The answer carries the proof bundle where the read rules allow. */
  async verify(code: string): Promise<Verification> {
    return (await this.request<{ verifyPackage: Verification }>(Q.VERIFY_PACKAGE, { code }))
      .verifyPackage;
  }

  async checkpoint(): Promise<Checkpoint> {
    return (await this.request<{ checkpoint: Checkpoint }>(Q.CHECKPOINT)).checkpoint;
  }

  /** The ledger's sealing key, C2SP vkey form: what `verifyBundle` checks a bundle with. */
  async ledgerKey(): Promise<string> {
    return (await this.request<{ ledgerKey: string }>(Q.LEDGER_KEY)).ledgerKey;
  }

  /** Waits until the log holds at least `treeSize` entries. */
  async waitForTreeSize(treeSize: number, timeoutMs = 30_000): Promise<Checkpoint> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkpoint = await this.checkpoint();
      if (checkpoint.treeSize >= treeSize) return checkpoint;
      if (Date.now() > deadline) {
        throw new Error(
          `the log holds ${checkpoint.treeSize} entries, not ${treeSize}, after ${timeoutMs} ms`,
        );
      }
      await sleep(100);
    }
  }

  async lotTrace(
    gtin: string,
    lot: string,
    page: { first?: number; after?: string } = {},
  ): Promise<LotTrace> {
    return (await this.request<{ lotTrace: LotTrace }>(Q.LOT_TRACE, { gtin, lot, ...page }))
      .lotTrace;
  }

  /** One page of alerts, newest first; `first` at most ALERTS_MAX_PAGE (see `alertList`). */
  async alerts(
    filter: AlertFilter & { first?: number; after?: string } = {},
  ): Promise<Connection<Alert>> {
    return (await this.request<{ alerts: Connection<Alert> }>(Q.ALERTS, filter)).alerts;
  }

  /**
   * Up to `limit` alerts (all of them by default), newest first, read in pages of at most
   * ALERTS_MAX_PAGE. A server configured with a lower cost or page limit refuses a page
   * (QUERY_TOO_COMPLEX, LIST_TOO_LONG): the page is halved and asked again.
   */
  async alertList(filter: AlertFilter = {}, limit = Infinity): Promise<Alert[]> {
    const all: Alert[] = [];
    let pageSize = ALERTS_MAX_PAGE;
    let after: string | undefined;
    while (all.length < limit) {
      const first = Math.min(pageSize, limit - all.length);
      let page: Connection<Alert>;
      try {
        page = await this.alerts({ ...filter, first, ...(after ? { after } : {}) });
      } catch (err) {
        const tooLarge =
          err instanceof CustosRequestError &&
          (err.code === 'QUERY_TOO_COMPLEX' || err.code === 'LIST_TOO_LONG');
        if (!tooLarge || first < 2) throw err;
        pageSize = Math.ceil(first / 2);
        continue;
      }
      all.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    return all;
  }

  async startAudit(): Promise<AuditRun> {
    return (await this.request<{ startAudit: AuditRun }>(Q.START_AUDIT)).startAudit;
  }

  async auditRun(id: string): Promise<AuditRun | null> {
    return (await this.request<{ auditRun: AuditRun | null }>(Q.AUDIT_RUN, { id })).auditRun;
  }

  /** Every discrepancy an audit found, paged through. */
  async auditDiscrepancies(
    id: string,
    pageSize = AUDIT_DISCREPANCIES_PAGE,
  ): Promise<AuditDiscrepancy[]> {
    const all: AuditDiscrepancy[] = [];
    let after: string | undefined;
    for (;;) {
      const data = await this.request<{ auditRun: { discrepancies: AuditDiscrepancy[] } | null }>(
        Q.AUDIT_DISCREPANCIES,
        { id, first: pageSize, ...(after ? { after } : {}) },
      );
      const page = data.auditRun?.discrepancies ?? [];
      all.push(...page);
      if (page.length < pageSize) return all;
      after = page[page.length - 1]!.id;
    }
  }

  /**
   * A subscription as an async iterable; `return()` (breaking a for-await) closes it.
   * Ends when the server completes it; throws on its error, and with a
   * CustosSubscriptionClosedError when the server closes the socket (the session expired,
   * its key was revoked): the caller decides whether to sign in again and resubscribe.
   */
  subscribe<T>(query: string, variables: Record<string, unknown> = {}): Subscription<T> {
    const ws = this.wsClient();
    const ready = new Promise<void>((resolve) => ws.on('connected', () => resolve()));
    const iterator = ws.iterate<T>({ query, variables });
    const close = () => void ws.dispose();
    const next = async (): Promise<IteratorResult<T>> => {
      const step = await iterator.next().catch((err: unknown) => {
        close();
        throw subscriptionError(err, this.url);
      });
      if (step.done) {
        close();
        return { done: true, value: undefined };
      }
      const result = step.value;
      if (result.errors?.length) {
        close();
        throw new CustosRequestError(
          200,
          result.errors.map((e) => ({
            message: e.message,
            ...(typeof e.extensions?.code === 'string' ? { code: e.extensions.code } : {}),
          })),
        );
      }
      return { done: false, value: result.data as T };
    };
    const self = {
      next,
      return: async (): Promise<IteratorResult<T>> => {
        await iterator.return?.();
        close();
        return { done: true, value: undefined };
      },
      close,
      ready,
      [Symbol.asyncIterator]() {
        return self;
      },
    };
    return self;
  }

  /**
   * Every alert of `filter`'s severity and code raised from now on (regulators and the
   * admin); `close()` ends it at once. With `filter.since`, the server first replays the
   * alerts raised since then that are already committed, oldest first, read once it
   * listens for new ones: none committed meanwhile is missed, none is sent twice.
   */
  alertStream(filter: AlertFilter = {}): Subscription<Alert> {
    return mapped(
      this.subscribe<{ alertRaised: Alert }>(Q.ALERT_RAISED, { ...filter }),
      (d) => d.alertRaised,
    );
  }

  /** An audit's progress after each chunk, until it finishes. */
  async *auditProgress(id: string): AsyncGenerator<AuditRun> {
    for await (const data of this.subscribe<{ auditProgress: AuditRun }>(Q.AUDIT_PROGRESS, {
      id,
    })) {
      yield data.auditProgress;
    }
  }

  private wsClient(): WsClient {
    const impl = this.options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    if (!impl) {
      throw new Error(
        'subscriptions need a WebSocket: on Node 20 pass webSocketImpl (the `ws` package) to CustosClient',
      );
    }
    return createClient({
      url: `${this.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: impl,
      connectionParams: this.tokenValue ? { authorization: `Bearer ${this.tokenValue}` } : {},
      retryAttempts: 0,
      lazy: true,
    });
  }
}

function mapped<T, U>(source: Subscription<T>, map: (value: T) => U): Subscription<U> {
  const self: Subscription<U> = {
    next: async () => {
      const step = await source.next();
      return step.done ? { done: true, value: undefined } : { done: false, value: map(step.value) };
    },
    return: async () => {
      await source.return?.();
      return { done: true, value: undefined };
    },
    close: () => source.close(),
    ready: source.ready,
    [Symbol.asyncIterator]() {
      return self;
    },
  };
  return self;
}

function subscriptionError(err: unknown, url: string): Error {
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND')
      return new CustosUnreachableError(url, code);
    return err;
  }
  // graphql-ws rejects with the CloseEvent or an Event when the socket fails
  const event = err as { code?: number; reason?: string; type?: string; error?: { code?: string } };
  if (event.error?.code) return new CustosUnreachableError(url, event.error.code);
  if (typeof event.code === 'number') {
    return new CustosSubscriptionClosedError(event.code, String(event.reason ?? ''));
  }
  if (Array.isArray(err)) {
    return new CustosRequestError(
      200,
      (err as { message: string }[]).map((e) => ({ message: e.message })),
    );
  }
  return new Error(`the subscription failed: ${JSON.stringify(err)}`);
}
