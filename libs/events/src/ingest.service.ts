// submitEvents (SPEC sections 4 and 7): validate every event, look up actors and keys,
// verify every signature over the bytes received, check roles and licenses, then, in one
// transaction, answer idempotent resubmissions, store the new events as PENDING, move
// custody and raise alerts. All or nothing: one rejected event and nothing is stored, and
// every rejected event is named. The seal is triggered after commit, as a hint.
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  type ActorKey,
  actorRecords,
  authorizeEvent,
  checkEntitlement,
} from './event-authorization';
import { validateEvent, type ValidatedEvent } from './event-validation';
import { AlertRepository } from '@custos/store/alert.repository';
import { EventIndexRepository } from '@custos/store/event-index.repository';
import { LedgerEventRepository } from '@custos/store/ledger-event.repository';
import { CustodyService } from './custody.service';
import { ParticipantDirectoryRepository } from './participant-directory.repository';
import { ParticipantKeyRepository } from '@custos/store/participant-key.repository';
import { type EventRejection, RejectionError } from './rejection';
import { SealTriggerService } from './seal-trigger.service';
import { SignatureVerificationService } from './signature-verification.service';
import {
  type EventReceipt,
  MAX_BATCH_EVENTS,
  MAX_BATCH_ITEMS,
  type SignedEventSubmission,
} from './submission';
import { TransactionRepository } from '@custos/store/transaction.repository';
import { MAX_ENTRY_BYTES } from '@custos/ledger/tiles';
import type { KeyDirectory } from '@custos/ledger/key-directory';
import { KeyDirectoryService } from '@custos/participants/key-directory.service';
import { leafInputText, signingBytesOfText } from '@custos/ledger/stored-event';
import { NATIVE_CODEC } from '@custos/ledger/stored-event-native';

export interface SubmitEventsResult {
  /** One receipt per event, in order; empty when anything was rejected. */
  readonly accepted: EventReceipt[];
  /** Every rejected event, by index. */
  readonly rejected: EventRejection[];
}

/** `custos-event:v1:` ‖ UTF-8 of the canonical event (stored-event.ts, as every reader). */
export function signingBytesOf(eventJson: string): Uint8Array {
  return signingBytesOfText(eventJson, NATIVE_CODEC);
}

/** Leaf input of SPEC section 5 built from the canonical event (stored-event.ts). */
export function leafInputOf(event: ValidatedEvent): string {
  return leafInputText(event.eventJson, event.keyId, event.signature);
}

/** The key, when the key directory holds its row as stored (docs/adr/0014). */
function keyOnRecord(event: ValidatedEvent, key: ActorKey, directory: KeyDirectory): ActorKey {
  const why = directory.whyNotOnRecord({ participantId: event.actor, keyId: event.keyId, ...key });
  if (why)
    throw new RejectionError(
      'UNKNOWN_KEY',
      `events[${event.index}].keyId: key ${event.keyId} of ${event.actor} is not on record (${why})`,
    );
  return key;
}

/**
 * A ledger entry (the leaf input) is served in C2SP tlog-tiles entry bundles behind a
 * uint16 length (SPEC section 9): at most MAX_ENTRY_BYTES bytes.
 */
function checkEntrySize(event: ValidatedEvent): void {
  const bytes = Buffer.byteLength(leafInputOf(event), 'utf8');
  if (bytes > MAX_ENTRY_BYTES) {
    throw new RejectionError(
      'EVENT_TOO_LARGE',
      `events[${event.index}].event: event ${event.eventId} makes a ledger entry of ${bytes} bytes; at most ${MAX_ENTRY_BYTES} (shorten its fields or split it)`,
    );
  }
}

/** Rolls the ingest transaction back when a signature fails after the writes ran. */
class SignatureRollback extends Error {}

/** Thrown inside ingest's transaction to undo its insert when an eventId is stored with other content. */
class ConflictRollback extends Error {
  constructor(readonly conflicts: Map<ValidatedEvent, EventRejection>) {
    super('EVENT_ID_CONFLICT');
  }
}

function decodeSignature(signature: string): Uint8Array {
  // validateEvent admitted exactly 86 base64url characters; the last must carry no stray bits.
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.length !== 64 || bytes.toString('base64url') !== signature) return new Uint8Array(0);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, 64);
}

@Injectable()
export class IngestService {
  constructor(
    private readonly directory: ParticipantDirectoryRepository,
    private readonly keyRows: ParticipantKeyRepository,
    private readonly verifier: SignatureVerificationService,
    private readonly transactions: TransactionRepository,
    private readonly events: LedgerEventRepository,
    private readonly index: EventIndexRepository,
    private readonly custody: CustodyService,
    private readonly alerts: AlertRepository,
    private readonly sealTrigger: SealTriggerService,
    private readonly keyDirectory: KeyDirectoryService,
  ) {}

  async submit(
    submissions: readonly SignedEventSubmission[],
    now: Date = new Date(),
  ): Promise<SubmitEventsResult> {
    const tooLarge = batchTooLarge(submissions);
    if (tooLarge) return { accepted: [], rejected: [tooLarge] };

    const rejected: EventRejection[] = [];
    const reject = (index: number, err: unknown, eventId?: string) => {
      if (!(err instanceof RejectionError)) throw err;
      rejected.push({
        index,
        code: err.code,
        message: err.message,
        ...(eventId ? { eventId } : {}),
      });
    };
    const idOf = (s: SignedEventSubmission | undefined): string | undefined =>
      typeof s?.event?.eventId === 'string' ? s.event.eventId : undefined;

    // 1. Fields and identifiers; the same eventId twice in one batch.
    let valid: ValidatedEvent[] = [];
    const firstIndex = new Map<string, number>();
    submissions.forEach((submission, index) => {
      try {
        const event = validateEvent(submission, index);
        const earlier = firstIndex.get(event.eventId);
        if (earlier !== undefined) {
          throw new RejectionError(
            'DUPLICATE_IN_BATCH',
            `events[${index}].event.eventId: ${event.eventId} is also events[${earlier}]`,
          );
        }
        firstIndex.set(event.eventId, index);
        checkEntrySize(event);
        valid.push(event);
      } catch (err) {
        reject(index, err, idOf(submission));
      }
    });

    // 2. Actor, key, clock.
    const parties = new Set<string>();
    for (const e of valid) {
      parties.add(e.actor);
      if (e.to) parties.add(e.to);
      if (e.from) parties.add(e.from);
    }
    const [participants, keyRows, onRecord] = await Promise.all([
      this.directory.findParticipants([...parties]),
      this.keyRows.ofParticipants([...parties]),
      this.keyDirectory.current(),
    ]);
    const actors = actorRecords(participants, keyRows);
    const keys = new Map<ValidatedEvent, ActorKey>();
    valid = valid.filter((event) => {
      try {
        keys.set(
          event,
          keyOnRecord(event, authorizeEvent(event, actors.get(event.actor), now), onRecord),
        );
        return true;
      } catch (err) {
        reject(event.index, err, event.eventId);
        return false;
      }
    });

    // 3. Signatures over exactly the bytes received, on the worker threads; while they
    // run, this thread checks entitlements and does the database work, and the
    // transaction commits only once every signature has verified.
    const verifying = this.verifier.verifyAll(
      valid.map((event) => ({
        message: signingBytesOf(event.eventJson),
        signature: decodeSignature(event.signature),
        publicKey: keys.get(event)!.publicKey,
      })),
    );
    // Whatever happens next, a failed check must not leave the verification unobserved.
    verifying.catch(() => undefined);

    // 4. Roles, company prefixes, licenses, trading partners.
    const entitlement = new Map<ValidatedEvent, EventRejection>();
    for (const event of valid) {
      try {
        checkEntitlement(event, actors.get(event.actor)!, now);
        for (const field of ['to', 'from'] as const) {
          const party = event[field];
          if (party !== undefined && !actors.has(party)) {
            throw new RejectionError(
              'UNKNOWN_PARTICIPANT',
              `events[${event.index}].event.${field}: ${party} is not a registered participant`,
            );
          }
        }
      } catch (err) {
        if (!(err instanceof RejectionError)) throw err;
        entitlement.set(event, {
          index: event.index,
          eventId: event.eventId,
          code: err.code,
          message: err.message,
        });
      }
    }
    /** BAD_SIGNATURE before entitlement rejections, as the checks are ordered. */
    const signedAndEntitled = async (): Promise<ValidatedEvent[]> => {
      const verdicts = await verifying;
      const out: ValidatedEvent[] = [];
      valid.forEach((event, i) => {
        if (!verdicts[i]) {
          rejected.push({
            index: event.index,
            eventId: event.eventId,
            code: 'BAD_SIGNATURE',
            message: `events[${event.index}].signature: does not verify with key ${event.keyId} of ${event.actor} over the event as sent`,
          });
        } else if (entitlement.has(event)) {
          rejected.push(entitlement.get(event)!);
        } else {
          out.push(event);
        }
      });
      return out;
    };

    // 5. One transaction: store (skipping eventIds already stored), idempotency, custody, alerts.
    // The insert skips an eventId already in the ledger; only those skipped are read back and
    // compared, so a batch of fresh events costs no idempotency read. A conflict rolls the
    // whole batch back (ConflictRollback), as the insert has already run.
    const mayStore = rejected.length === 0 && entitlement.size === 0;
    // The events among `events` stored with other content than submitted.
    const conflictsOf = (stored: Map<string, string>, events: readonly ValidatedEvent[]) => {
      const conflicts = new Map<ValidatedEvent, EventRejection>();
      for (const event of events) {
        const json = stored.get(event.eventId);
        if (json !== undefined && json !== event.eventJson) {
          conflicts.set(event, {
            index: event.index,
            eventId: event.eventId,
            code: 'EVENT_ID_CONFLICT',
            message: `events[${event.index}].event.eventId: ${event.eventId} is already stored with different content`,
          });
        }
      }
      return conflicts;
    };
    const outcome = await this.transactions
      .run(async (tx) => {
        if (!mayStore) {
          const stored = await this.events.findEventJson(
            tx,
            valid.map((e) => e.eventId),
          );
          return { conflicts: conflictsOf(stored, valid), receipts: [], stored: 0 };
        }
        const seqs = await this.events.insertEvents(
          tx,
          valid.map((event) => ({
            eventId: event.eventId,
            type: event.type,
            actor: event.actor,
            keyId: event.keyId,
            signature: event.signature,
            eventJson: event.eventJson,
            contentHashHex: createHash('sha256').update(leafInputOf(event), 'utf8').digest('hex'),
            eventTime: event.eventTime,
          })),
        );
        const skipped = valid.filter((event) => !seqs.has(event.eventId));
        const stored =
          skipped.length === 0
            ? new Map<string, string>()
            : await this.events.findEventJson(
                tx,
                skipped.map((e) => e.eventId),
              );
        // Skipped by the insert means stored (the ledger deletes nothing); say so if not.
        for (const event of skipped) {
          if (!stored.has(event.eventId))
            throw new Error(`${event.eventId}: skipped but not stored`);
        }
        const conflicts = conflictsOf(stored, skipped);
        if (conflicts.size > 0) throw new ConflictRollback(conflicts);
        const fresh = valid.filter((event) => seqs.has(event.eventId));
        const statuses = new Map<number, EventReceipt['status']>(
          valid.map((e) => [e.index, seqs.has(e.eventId) ? 'PENDING' : 'DUPLICATE']),
        );
        const custody = await this.custody.apply(
          tx,
          fresh.map((event) => ({ event, seq: seqs.get(event.eventId)! })),
        );
        await this.index.insertItems(tx, custody.items);
        await this.index.insertRecalls(tx, custody.recalls);
        await this.alerts.raise(custody.alerts, tx);
        if (!(await verifying).every(Boolean)) throw new SignatureRollback();
        // Every event verified and nothing was rejected: `valid` holds them all, in order.
        const receipts = valid.map((e) => ({ eventId: e.eventId, status: statuses.get(e.index)! }));
        return { conflicts, receipts, stored: fresh.length };
      })
      .catch((err: unknown) => {
        if (err instanceof SignatureRollback) {
          return { conflicts: new Map<ValidatedEvent, EventRejection>(), receipts: [], stored: 0 };
        }
        if (err instanceof ConflictRollback) {
          return { conflicts: err.conflicts, receipts: [], stored: 0 };
        }
        throw err;
      });

    if (!mayStore || outcome.receipts.length === 0) {
      const passed = await signedAndEntitled();
      for (const event of passed) {
        const conflict = outcome.conflicts.get(event);
        if (conflict) rejected.push(conflict);
      }
    }
    if (rejected.length > 0) {
      rejected.sort((a, b) => a.index - b.index);
      return { accepted: [], rejected };
    }
    if (outcome.stored > 0) await this.sealTrigger.trigger();
    return { accepted: outcome.receipts, rejected: [] };
  }
}

/** BATCH_TOO_LARGE, naming the first event over a limit, or undefined. */
function batchTooLarge(submissions: readonly SignedEventSubmission[]): EventRejection | undefined {
  if (submissions.length > MAX_BATCH_EVENTS) {
    return {
      index: MAX_BATCH_EVENTS,
      code: 'BATCH_TOO_LARGE',
      message: `events: ${submissions.length} events in one batch; at most ${MAX_BATCH_EVENTS} are taken, split it (nothing was stored)`,
    };
  }
  let items = 0;
  for (let index = 0; index < submissions.length; index++) {
    const list = submissions[index]?.event?.items;
    items += Array.isArray(list) ? list.length : 0;
    if (items > MAX_BATCH_ITEMS) {
      return {
        index,
        code: 'BATCH_TOO_LARGE',
        message: `events[${index}].event.items: the batch names more than ${MAX_BATCH_ITEMS} items; split it (nothing was stored)`,
      };
    }
  }
  return undefined;
}
