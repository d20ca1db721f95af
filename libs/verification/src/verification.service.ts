// verifyPackage (SPEC section 6): any identifier form in; the unit's events and those of
// every SSCC it was packed in are read, and nothing read is believed until it is
// re-verified: each event's leaf input is recomputed from its stored content, its
// signature checked against the actor's key, and each sealed event's inclusion proven
// against the latest signed checkpoint. Any failure is an INTEGRITY_FAILURE finding,
// never a crash. Then libs/custody replays the record into findings and a verdict.
import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import {
  assess,
  type Assessment,
  type IntegrityFailure,
  type LedgerEventView,
} from '@custos/custody/assess';
import type { EventType } from '@custos/custody/custody-event';
import { validateEvent, type ValidatedEvent } from '@custos/events/event-validation';
import type { PackageStatus } from '@custos/custody/custody-projection';
import { canonicalIdentifier } from '@custos/gs1/canonical';
import { expiryToIsoDate } from '@custos/gs1/dates';
import { Gs1Error } from '@custos/gs1/errors';
import { parseIdentifier } from '@custos/gs1/parse';
import { blockHash } from '@custos/ledger/block';
import { bytesToBase64, bytesToHex, hexToBytes } from '@custos/ledger/bytes';
import { openCheckpoint } from '@custos/ledger/checkpoint';
import { verifyFast } from '@custos/ledger/ed25519-native';
import type { KeyDirectory } from '@custos/ledger/key-directory';
import type { EventObject } from '@custos/ledger/events';
import { verifyInclusion } from '@custos/ledger/merkle-verify';
import { parseVerifierKey } from '@custos/ledger/note';
import { type RebuiltEvent, checkStoredEvent } from '@custos/ledger/stored-event';
import { NATIVE_CODEC } from '@custos/ledger/stored-event-native';
import { formatTlogProof } from '@custos/ledger/tlog-proof';
import { type LedgerCheckpoint, LedgerQueryService } from '@custos/sealing/ledger-query.service';
import { KeyDirectoryService } from '@custos/participants/key-directory.service';
import type { Participant } from '@custos/participants/participant';
import { ParticipantService } from '@custos/participants/participant.service';
import { SealingKeyService } from '@custos/sealing/sealing-key.service';
import { WitnessGate } from '@custos/witness/witness-gate.service';
import { type DisclosedFinding, disclosedFindings, mayReadTrail } from './read-rule';
import { VerificationAlerts } from './verification-alerts.service';
import { type IndexedEvent, indexFailures } from './index-check';
import { type StoredEvent, VerificationRepository } from './verification.repository';

const MAX_NESTING = 16;

export interface TrailStep {
  readonly eventId: string;
  readonly type: EventType;
  readonly actor: string;
  readonly eventTime: string;
  readonly sealed: boolean;
  readonly blockHeight: number | null;
  readonly leafIndex: number | null;
}

export interface ProofBundle {
  readonly checkpoint: { origin: string; treeSize: number; rootHash: string; note: string };
  readonly entries: readonly {
    eventId: string;
    leafIndex: number;
    leafHash: string;
    leafInput: string;
    path: string[];
    tlogProof: string;
  }[];
}

export interface VerificationResult {
  readonly identifier: string;
  readonly verdict: Assessment['verdict'];
  readonly findings: readonly DisclosedFinding[];
  readonly product: Assessment['product'] | undefined;
  readonly status: PackageStatus | undefined;
  /** The custodian; undefined where the read rule hides it. */
  readonly custodian: Participant | undefined;
  readonly trail: readonly TrailStep[];
  readonly proof: ProofBundle | undefined;
  /** Whether the caller may read the trail, custodian and proof (SPEC 7 read rule). */
  readonly trailVisible: boolean;
}

/**
 * Why the package is looked at: a trading partner's `scan` (verifyPackage) may raise
 * alerts; a `read` (package(code), a regulator's trail) never does.
 */
export type VerificationPurpose = 'scan' | 'read';

type Failures = IntegrityFailure[];

interface Checked {
  readonly stored: StoredEvent;
  readonly view: LedgerEventView;
  /** Its bytes rebuilt from the stored row; undefined when the row cannot be read. */
  readonly rebuilt: RebuiltEvent | undefined;
  readonly indexed: IndexedEvent;
}

@Injectable()
export class VerificationService {
  private readonly logger = new Logger('Verification');
  /** The last checkpoint note whose signature verified, and what it says. */
  private verifiedNote: { note: string; vkey: string; root: Uint8Array; size: number } | undefined;

  constructor(
    private readonly repository: VerificationRepository,
    private readonly ledger: LedgerQueryService,
    private readonly sealingKey: SealingKeyService,
    private readonly participants: ParticipantService,
    private readonly keyDirectory: KeyDirectoryService,
    private readonly alerts: VerificationAlerts,
    private readonly witnesses: WitnessGate,
  ) {}

  async verifyPackage(
    code: string,
    principal: Principal | undefined,
    purpose: VerificationPurpose = 'scan',
    now = new Date(),
  ): Promise<VerificationResult> {
    const scanned = this.parse(code);
    // The latest checkpoint does not depend on the history: read both at once.
    const head = Promise.all([this.ledger.checkpoint(), this.sealingKey.vkey()]);
    head.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    const keys = this.keyDirectory.current();
    keys.catch(() => undefined); // awaited below
    const { events, tallies } = await this.repository.history(
      scanned.identifier,
      scanned.gtin ?? null,
      MAX_NESTING,
    );
    const failures: Failures = [];
    const checked = this.checkEvents(events, failures, await keys);
    const indexed = checked.map((c) => c.indexed);
    failures.push(
      ...indexFailures(scanned.identifier, scanned.gtin, indexed, tallies, MAX_NESTING),
    );
    // Whoever ends up custodian is one of the parties the events name: fetched beside the proofs.
    const parties = this.participants.findMany([
      ...new Set(
        checked.flatMap((c) => [c.view.actor, ...(c.view.to !== undefined ? [c.view.to] : [])]),
      ),
    ]);
    parties.catch(() => undefined);
    const proof = await this.checkInclusion(checked, failures, head);
    // SPEC 9: the checkpoint the answer rests on must be vouched for by the witnesses.
    const unwitnessed =
      this.witnesses.configured === 0
        ? undefined
        : await this.witnesses.unwitnessed(proof?.checkpoint.note ?? (await head)[0].note, now);

    const today = now.toISOString().slice(0, 10);
    const scanner =
      principal?.kind === 'participant'
        ? { id: principal.id, regulator: principal.roles.includes('REGULATOR') }
        : undefined;
    const result = assess({
      identifier: scanned.identifier,
      ...(scanned.gtin !== undefined ? { gtin: scanned.gtin } : {}),
      events: checked.map((c) => c.view),
      scan: scanned.scan,
      ...(scanner ? { scanner } : {}),
      today,
      integrityFailures: failures,
      ...(unwitnessed !== undefined ? { unwitnessed } : {}),
    });

    // Alerts come from trading partners' scans only (SPEC 6; README "Alerts").
    if (result.verdict === 'COUNTERFEIT' && purpose === 'scan' && scanner && !scanner.regulator)
      await this.alerts.counterfeit(scanned.identifier, scanner.id, result.findings, now);

    const visible = mayReadTrail(principal, result.holders);
    const trailIds = new Set(result.trail.map((e) => e.eventId));
    const trail = result.trail.map((view) => {
      const stored = checked.find((c) => c.view === view)!.stored;
      return {
        eventId: view.eventId,
        type: view.type,
        actor: view.actor,
        eventTime: view.eventTime,
        sealed: view.sealed,
        blockHeight: stored.blockHeight,
        leafIndex: stored.leafIndex,
      };
    });
    return {
      identifier: scanned.identifier,
      verdict: result.verdict,
      findings: disclosedFindings(result.findings, visible),
      product: result.product,
      status: result.status,
      custodian:
        visible && result.custodian !== undefined
          ? (await parties).get(result.custodian)
          : undefined,
      trail: visible ? trail : [],
      trailVisible: visible,
      proof:
        visible && proof
          ? {
              checkpoint: proof.checkpoint,
              entries: proof.entries.filter((e) => trailIds.has(e.eventId)),
            }
          : undefined,
    };
  }

  private parse(code: string): {
    identifier: string;
    gtin?: string;
    scan: { lot?: string; expiry?: string };
  } {
    let parsed;
    try {
      parsed = parseIdentifier(code);
    } catch (err) {
      if (err instanceof Gs1Error)
        throw new DomainError('BAD_USER_INPUT', `code: ${err.message}`, 'code');
      throw err;
    }
    switch (parsed.kind) {
      case 'unit': {
        const scan = {
          ...(parsed.lot !== undefined ? { lot: parsed.lot } : {}),
          ...(parsed.expiry !== undefined ? { expiry: expiryToIsoDate(parsed.expiry) } : {}),
        };
        return { identifier: canonicalIdentifier(parsed), gtin: parsed.gtin, scan };
      }
      case 'logistic-unit':
        return { identifier: canonicalIdentifier(parsed), scan: {} };
      case 'product':
      case 'location':
      case 'party':
        throw new DomainError(
          'BAD_USER_INPUT',
          `code: a package is a unit (GTIN with serial, AI 21) or a logistic unit (SSCC), not a ${parsed.kind}`,
          'code',
        );
    }
  }

  /** Recomputes each leaf input and checks it against the stored hash and the actor's signature. */
  private checkEvents(
    events: readonly StoredEvent[],
    failures: Failures,
    keys: KeyDirectory,
  ): Checked[] {
    return events.map((stored) => {
      const fail = (message: string, publicMessage = message) =>
        failures.push({
          message: `event ${stored.eventId}: ${message}`,
          publicMessage: `an event of its history: ${publicMessage}`,
          eventId: stored.eventId,
        });
      const checked = checkStoredEvent(stored, NATIVE_CODEC);
      const event: EventObject = checked.event ?? {};
      for (const fault of checked.faults) {
        if (fault.problem === 'unreadable') fail(`it cannot be read back (${fault.detail})`);
        else if (fault.field === 'contentHash')
          fail('its stored content differs from what was accepted');
      }
      if (checked.faults.some((f) => f.problem === 'column differs'))
        fail('its stored columns disagree with the signed event');
      if (checked.rebuilt) {
        const key = stored.publicKey ?? undefined;
        if (!key)
          fail(
            `the key ${stored.keyId} of ${stored.actor} is not on record`,
            'its key is not on record',
          );
        else if (!keys.holds(keyRowOf(stored, key)))
          fail(
            `the key ${stored.keyId} of ${stored.actor} is not on record in the key directory (${keys.whyNotOnRecord(keyRowOf(stored, key))})`,
            'its key is not on record',
          );
        else if (
          !checked.signature ||
          !verifyFast(checked.signature, checked.rebuilt.signingBytes, key)
        ) {
          fail(
            `its signature does not verify with key ${stored.keyId} of ${stored.actor}`,
            'its signature does not verify',
          );
        }
      }
      // What an event concerns is what its signed fields name (the identifiers in their
      // canonical form, as ingest derived them), never what an index row says.
      let named: ValidatedEvent | undefined;
      try {
        named = validateEvent({ event, keyId: stored.keyId, signature: stored.signature }, 0);
      } catch (err) {
        if (checked.rebuilt)
          fail(
            `its signed fields do not validate (${err instanceof Error ? err.message : String(err)})`,
          );
      }
      const eventTime = event['eventTime'];
      const view: LedgerEventView = {
        eventId: stored.eventId,
        type: stored.type as EventType,
        actor: stored.actor,
        eventTime: typeof eventTime === 'string' ? eventTime : '',
        items: named?.items.map((i) => i.identifier) ?? [],
        sealed: stored.leafIndex !== null,
        ...opt('parent', named?.parent?.identifier),
        ...opt('to', named?.to),
        ...opt('from', named?.from),
        ...opt('reason', named?.reason),
        ...opt('lot', named?.lot),
        ...opt('expiry', named?.expiry),
        ...opt('gtin', named?.gtin),
      };
      const indexed: IndexedEvent = {
        seq: stored.seq,
        eventId: stored.eventId,
        named: named && {
          type: named.type,
          items: named.items.map((i) => i.identifier),
          ...opt('parent', named.parent?.identifier),
          ...opt('gtin', named.gtin),
          ...opt('lot', named.lot),
        },
      };
      return { stored, view, rebuilt: checked.rebuilt, indexed };
    });
  }

  /** Checks the latest signed checkpoint and every sealed event's inclusion and block. */
  private async checkInclusion(
    checked: readonly Checked[],
    failures: Failures,
    head: Promise<[LedgerCheckpoint, string]>,
  ): Promise<ProofBundle | undefined> {
    const sealed = checked.filter((c) => c.stored.leafIndex !== null);
    if (sealed.length === 0) return undefined;
    let root: Uint8Array;
    let size: number;
    const [latest, vkey] = await head;
    let checkpoint = latest;
    // The checkpoint is read beside the history: a block sealed in between holds events
    // past it. Those are proven against the checkpoint read again, which covers them.
    const highest = Math.max(...sealed.map((c) => c.stored.leafIndex!));
    if (highest >= checkpoint.treeSize) checkpoint = await this.ledger.checkpoint();
    try {
      ({ root, size } = this.openCheckpoint(checkpoint.note, vkey));
    } catch (err) {
      for (const c of sealed) {
        const message = `the latest checkpoint does not verify with the sealing key (${err instanceof Error ? err.message : String(err)})`;
        failures.push({ message, publicMessage: message, eventId: c.stored.eventId });
      }
      return undefined;
    }
    const proofs = await this.proofs(
      sealed.map((c) => c.stored.leafIndex!),
      size,
    );
    const entries: ProofBundle['entries'][number][] = [];
    for (const { stored, rebuilt } of sealed) {
      const leafIndex = stored.leafIndex!;
      const fail = (message: string) =>
        failures.push({
          message: `event ${stored.eventId}: ${message}`,
          publicMessage: `an event of its history: ${message}`,
          eventId: stored.eventId,
        });
      const blockProblem = this.checkBlock(stored);
      if (blockProblem) fail(blockProblem);
      if (!rebuilt) continue;
      const hash = rebuilt.leafHash;
      try {
        const path = proofs.get(leafIndex);
        if (!path) throw new Error(`no proof could be built for leaf ${leafIndex}`);
        verifyInclusion(leafIndex, size, hash, path, root);
        entries.push({
          eventId: stored.eventId,
          leafIndex,
          leafHash: bytesToHex(hash),
          leafInput: bytesToBase64(rebuilt.leafInput),
          path: path.map((h) => bytesToHex(h)),
          tlogProof: formatTlogProof({
            index: leafIndex,
            proof: path,
            checkpoint: checkpoint.note,
          }),
        });
      } catch (err) {
        this.logger.warn(
          `inclusion of ${stored.eventId} at ${leafIndex} failed: ${err instanceof Error ? err.message : String(err)}`,
        );
        fail(`its inclusion in the signed checkpoint at leaf ${leafIndex} does not verify`);
      }
    }
    return { checkpoint, entries };
  }

  /** Opens the note with the sealing key; the same note bytes are only verified once. */
  private openCheckpoint(note: string, vkey: string): { root: Uint8Array; size: number } {
    const memo = this.verifiedNote;
    if (memo && memo.note === note && memo.vkey === vkey) return memo;
    const opened = openCheckpoint(note, [parseVerifierKey(vkey)]);
    this.verifiedNote = {
      note,
      vkey,
      root: opened.checkpoint.rootHash,
      size: opened.checkpoint.size,
    };
    return this.verifiedNote;
  }

  /** All inclusion proofs in one read; entry by entry only when that fails (a missing node). */
  private async proofs(
    leafIndexes: readonly number[],
    size: number,
  ): Promise<Map<number, Uint8Array[]>> {
    try {
      return await this.ledger.inclusionProofs(leafIndexes, size);
    } catch {
      const one = async (leafIndex: number) => {
        try {
          const path = await this.ledger.inclusionProof(leafIndex, size);
          return [[leafIndex, path.map((h) => hexToBytes(h))] as const];
        } catch {
          return [];
        }
      };
      return new Map((await Promise.all(leafIndexes.map(one))).flat());
    }
  }

  private checkBlock(stored: StoredEvent): string | undefined {
    const block = stored.block;
    if (!block) return `its block ${String(stored.blockHeight)} is missing`;
    const leafIndex = stored.leafIndex!;
    if (blockHash(block) !== block.hash)
      return `block ${block.height} does not hash to its recorded hash`;
    if (leafIndex < block.firstLeafIndex || leafIndex >= block.firstLeafIndex + block.eventCount) {
      return `leaf ${leafIndex} lies outside block ${block.height}`;
    }
    if (stored.nextPrevHash && stored.nextPrevHash !== block.hash) {
      return `block ${block.height + 1} does not link to block ${block.height}`;
    }
    return undefined;
  }
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The event's key row as stored, in the key directory's terms. */
function keyRowOf(stored: StoredEvent, publicKey: Uint8Array) {
  return {
    participantId: stored.actor,
    keyId: stored.keyId,
    publicKey,
    validFrom: stored.keyRow?.validFrom ?? null,
    revokedAt: stored.keyRow?.revokedAt ?? null,
  };
}
