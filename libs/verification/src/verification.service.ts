// verifyPackage (SPEC section 6): any identifier form in; the unit's events and those of
// every SSCC it was packed in are read, and nothing read is believed until it is
// re-verified: each event's leaf input is recomputed from its stored content, its
// signature checked against the actor's key, and each sealed event's inclusion proven
// against the latest signed checkpoint. Any failure is an INTEGRITY_FAILURE finding,
// never a crash. Then libs/custody replays the record into findings and a verdict.
import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { ALERT_CHANNEL } from '@custos/events/alert.repository';
import { assess, type Assessment, type LedgerEventView } from '@custos/custody/assess';
import type { DecommissionReason, EventType } from '@custos/custody/custody-event';
import type { Finding } from '@custos/custody/findings';
import type { PackageStatus } from '@custos/custody/custody-projection';
import { canonicalIdentifier } from '@custos/gs1/canonical';
import { expiryToIsoDate } from '@custos/gs1/dates';
import { Gs1Error } from '@custos/gs1/errors';
import { parseIdentifier } from '@custos/gs1/parse';
import { blockHash } from '@custos/ledger/block';
import {
  base64UrlToBytes,
  bytesToBase64,
  bytesToHex,
  equalBytes,
  hexToBytes,
} from '@custos/ledger/bytes';
import { openCheckpoint } from '@custos/ledger/checkpoint';
import { verifyFast } from '@custos/ledger/ed25519-native';
import { eventSigningBytes, leafInput, type EventObject } from '@custos/ledger/events';
import { leafHash } from '@custos/ledger/merkle';
import { verifyInclusion } from '@custos/ledger/merkle-verify';
import { parseVerifierKey } from '@custos/ledger/note';
import { sha256 } from '@custos/ledger/sha256';
import { formatTlogProof } from '@custos/ledger/tlog-proof';
import { type LedgerCheckpoint, LedgerQueryService } from '@custos/sealing/ledger-query.service';
import type { Participant } from '@custos/participants/participant';
import { ParticipantService } from '@custos/participants/participant.service';
import { SealingKeyService } from '@custos/sealing/sealing-key.service';
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
  readonly findings: readonly Finding[];
  readonly product: Assessment['product'] | undefined;
  readonly status: PackageStatus | undefined;
  /** The custodian; undefined where the read rule hides it. */
  readonly custodian: Participant | undefined;
  readonly trail: readonly TrailStep[];
  readonly proof: ProofBundle | undefined;
  /** Whether the caller may read the trail, custodian and proof (SPEC 7 read rule). */
  readonly trailVisible: boolean;
}

interface Checked {
  readonly stored: StoredEvent;
  readonly view: LedgerEventView;
  readonly input: Uint8Array | undefined;
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
  ) {}

  async verifyPackage(
    code: string,
    principal: Principal | undefined,
    now = new Date(),
  ): Promise<VerificationResult> {
    const scanned = this.parse(code);
    // The latest checkpoint does not depend on the history: read both at once.
    const head = Promise.all([this.ledger.checkpoint(), this.sealingKey.vkey()]);
    head.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    const events = await this.history(scanned.identifier, scanned.gtin);
    const failures: { message: string; eventId?: string }[] = [];
    const checked = this.checkEvents(events, scanned.gtin, failures);
    // Whoever ends up custodian is one of the parties the events name: fetched beside the proofs.
    const parties = this.participants.findMany([
      ...new Set(
        checked.flatMap((c) => [c.view.actor, ...(c.view.to !== undefined ? [c.view.to] : [])]),
      ),
    ]);
    parties.catch(() => undefined);
    const proof = await this.checkInclusion(checked, failures, head);

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
    });

    if (result.verdict === 'COUNTERFEIT')
      await this.alert(scanned.identifier, scanner?.id ?? null, result.findings, today);

    const mayReadTrail =
      principal?.kind === 'admin' ||
      (principal?.kind === 'participant' &&
        (scanner?.regulator || result.holders.has(principal.id)));
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
      findings: result.findings,
      product: result.product,
      status: result.status,
      custodian:
        mayReadTrail && result.custodian !== undefined
          ? (await parties).get(result.custodian)
          : undefined,
      trail: mayReadTrail ? trail : [],
      trailVisible: mayReadTrail,
      proof:
        mayReadTrail && proof
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

  /** The events of the identifier and of every SSCC it was ever packed in, plus its GTIN's recalls. */
  private history(identifier: string, gtin: string | undefined): Promise<StoredEvent[]> {
    return this.repository.history(identifier, gtin ?? null, MAX_NESTING);
  }

  /** Recomputes each leaf input and checks it against the stored hash and the actor's signature. */
  private checkEvents(
    events: readonly StoredEvent[],
    gtin: string | undefined,
    failures: { message: string; eventId?: string }[],
  ): Checked[] {
    return events.map((stored) => {
      const fail = (message: string) =>
        failures.push({ message: `event ${stored.eventId}: ${message}`, eventId: stored.eventId });
      let event: EventObject = {};
      let input: Uint8Array | undefined;
      try {
        event = JSON.parse(stored.eventJson) as EventObject;
        input = leafInput({ event, keyId: stored.keyId, signature: stored.signature });
        if (!equalBytes(sha256(input), stored.contentHash))
          fail('its stored content differs from what was accepted');
        if (
          event.eventId !== stored.eventId ||
          event.actor !== stored.actor ||
          event.type !== stored.type
        ) {
          fail('its stored columns disagree with the signed event');
        }
        const key = stored.publicKey ?? undefined;
        if (!key) fail(`the key ${stored.keyId} of ${stored.actor} is not on record`);
        else if (
          !verifyFast(
            base64UrlToBytes(stored.signature, 'signature'),
            eventSigningBytes(event),
            key,
          )
        ) {
          fail(`its signature does not verify with key ${stored.keyId} of ${stored.actor}`);
        }
      } catch (err) {
        fail(`it cannot be read back (${err instanceof Error ? err.message : String(err)})`);
      }
      const str = (k: string): string | undefined => {
        const value = event[k];
        return typeof value === 'string' ? value : undefined;
      };
      const view: LedgerEventView = {
        eventId: stored.eventId,
        type: stored.type as EventType,
        actor: stored.actor,
        eventTime: str('eventTime') ?? '',
        items: stored.items.filter((i) => i.role === 'ITEM').map((i) => i.identifier),
        sealed: stored.leafIndex !== null,
        ...opt('parent', stored.items.find((i) => i.role === 'PARENT')?.identifier),
        ...opt('to', str('to')),
        ...opt('from', str('from')),
        ...opt('reason', str('reason') as DecommissionReason | undefined),
        ...opt('lot', str('lot')),
        ...opt('expiry', str('expiry')),
        ...opt('gtin', stored.type === 'RECALL' ? gtin : undefined),
      };
      return { stored, view, input };
    });
  }

  /** Checks the latest signed checkpoint and every sealed event's inclusion and block. */
  private async checkInclusion(
    checked: readonly Checked[],
    failures: { message: string; eventId?: string }[],
    head: Promise<[LedgerCheckpoint, string]>,
  ): Promise<ProofBundle | undefined> {
    const sealed = checked.filter((c) => c.stored.leafIndex !== null);
    if (sealed.length === 0) return undefined;
    let root: Uint8Array;
    let size: number;
    const [checkpoint, vkey] = await head;
    try {
      ({ root, size } = this.openCheckpoint(checkpoint.note, vkey));
    } catch (err) {
      for (const c of sealed)
        failures.push({
          message: `the latest checkpoint does not verify with the sealing key (${err instanceof Error ? err.message : String(err)})`,
          eventId: c.stored.eventId,
        });
      return undefined;
    }
    const proofs = await this.proofs(
      sealed.map((c) => c.stored.leafIndex!),
      size,
    );
    const entries: ProofBundle['entries'][number][] = [];
    for (const { stored, input } of sealed) {
      const leafIndex = stored.leafIndex!;
      const fail = (message: string) =>
        failures.push({ message: `event ${stored.eventId}: ${message}`, eventId: stored.eventId });
      const blockProblem = this.checkBlock(stored);
      if (blockProblem) fail(blockProblem);
      if (!input) continue;
      const hash = leafHash(input);
      try {
        const path = proofs.get(leafIndex);
        if (!path) throw new Error(`no proof could be built for leaf ${leafIndex}`);
        verifyInclusion(leafIndex, size, hash, path, root);
        entries.push({
          eventId: stored.eventId,
          leafIndex,
          leafHash: bytesToHex(hash),
          leafInput: bytesToBase64(input),
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

  private async alert(
    identifier: string,
    scanner: string | null,
    findings: readonly Finding[],
    today: string,
  ): Promise<void> {
    const critical = findings.filter((f) => f.severity === 'CRITICAL');
    const codes = [...new Set(critical.map((f) => f.code))];
    await this.repository.raiseOnce(
      codes.map((code) => ({
        code,
        message: `verification of ${identifier}${scanner ? ` by ${scanner}` : ''} found ${code}: ${critical.find((f) => f.code === code)!.message}`,
        identifier,
        participantId: scanner,
        dedupKey: `verify|${identifier}|${scanner ?? '-'}|${code}|${today}`,
      })),
      ALERT_CHANNEL,
    );
  }
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
