// verifyPackage (SPEC section 6): any identifier form in; the unit's events and those of
// every SSCC it was packed in are read, and nothing read is believed until it is
// re-verified (event-check.ts): each event's bytes rebuilt from its stored row, its
// signature checked against a key the key directory holds, what it concerns read from its
// signed fields; the index that found them judged against those (index-check.ts); each
// sealed event's block and inclusion proven against the latest signed checkpoint
// (proof-bundle.service.ts), which the witnesses must vouch for. Any failure is an
// INTEGRITY_FAILURE finding, never a crash. Then libs/custody replays the record into
// findings and a verdict, and the read rule (read-rule.ts) decides what the caller sees.
import { Injectable } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { type Assessment, assess } from '@custos/custody/assess';
import type { PackageStatus } from '@custos/custody/custody-projection';
import { KeyDirectoryService } from '@custos/participants/key-directory.service';
import type { Participant } from '@custos/participants/participant';
import { ParticipantService } from '@custos/participants/participant.service';
import { WitnessGate } from '@custos/witness/witness-gate.service';
import { type CheckedEvent, checkEvent } from './event-check';
import { indexFailures } from './index-check';
import type { ProofBundle, SealedEvent } from './proof-bundle';
import { ProofBundleService } from './proof-bundle.service';
import { type DisclosedFinding, type TrailStep, disclose } from './read-rule';
import { parseScannedCode } from './scanned-code';
import { VerificationAlerts } from './verification-alerts.service';
import { EventHistoryRepository } from '@custos/store/event-history.repository';

export type { ProofBundle } from './proof-bundle';
export type { TrailStep } from './read-rule';

const MAX_NESTING = 16;

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

export interface VerificationOptions {
  /**
   * Whether to read the custodian's participant (false: `custodian` is undefined). Its read
   * is two of a scan's ~5 statements, and a scanner asking only for the verdict and proof
   * gets ~8% more scans a second without it (BENCHMARKS.md step 16).
   */
  readonly custodian?: boolean;
}

@Injectable()
export class VerificationService {
  constructor(
    private readonly events: EventHistoryRepository,
    private readonly proofs: ProofBundleService,
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
    options: VerificationOptions = {},
  ): Promise<VerificationResult> {
    const scanned = parseScannedCode(code);
    // Neither the latest checkpoint nor the key directory depends on the history: read
    // them beside it (each awaited below; a failure must not go unhandled meanwhile).
    const head = this.proofs.head();
    head.catch(() => undefined);
    const keys = this.keyDirectory.current();
    keys.catch(() => undefined);
    const { events, tallies } = await this.events.history(
      scanned.identifier,
      scanned.gtin ?? null,
      MAX_NESTING,
    );
    const directory = await keys;
    const checked = events.map((stored) => checkEvent(stored, directory));
    const failures = checked.flatMap((c) => c.failures);
    failures.push(
      ...indexFailures(
        scanned.identifier,
        scanned.gtin,
        checked.map((c) => c.indexed),
        tallies,
        MAX_NESTING,
      ),
    );
    // Whoever ends up custodian is one of the parties the events name: fetched beside the proofs.
    const parties =
      options.custodian === false
        ? Promise.resolve(new Map<string, Participant>())
        : this.participants.findMany([
            ...new Set(
              checked.flatMap((c) => [
                c.view.actor,
                ...(c.view.to !== undefined ? [c.view.to] : []),
              ]),
            ),
          ]);
    parties.catch(() => undefined);
    const proof = await this.proofs.build(checked.filter(isSealed), head, failures);
    // SPEC 9: the checkpoint the answer rests on must be vouched for by the witnesses.
    const unwitnessed =
      this.witnesses.configured === 0
        ? undefined
        : await this.witnesses.unwitnessed(proof?.checkpoint.note ?? (await head)[0].note, now);

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
      today: now.toISOString().slice(0, 10),
      integrityFailures: failures,
      ...(unwitnessed !== undefined ? { unwitnessed } : {}),
    });

    // Alerts come from trading partners' scans only (SPEC 6; README "Alerts").
    if (result.verdict === 'COUNTERFEIT' && purpose === 'scan' && scanner && !scanner.regulator)
      await this.alerts.counterfeit(scanned.identifier, scanner.id, result.findings, now);

    const byView = new Map(checked.map((c) => [c.view, c.stored]));
    const trail = result.trail.map((view): TrailStep => {
      const stored = byView.get(view)!;
      const { eventId, type, actor, eventTime, sealed } = view;
      const { blockHeight, leafIndex } = stored;
      return { eventId, type, actor, eventTime, sealed, blockHeight, leafIndex };
    });
    const shown = disclose(principal, { ...result, trail, proof });
    return {
      identifier: scanned.identifier,
      verdict: result.verdict,
      product: result.product,
      status: result.status,
      custodian:
        shown.trailVisible && result.custodian !== undefined
          ? (await parties).get(result.custodian)
          : undefined,
      ...shown,
    };
  }
}

function isSealed(c: CheckedEvent): c is CheckedEvent & SealedEvent {
  return c.stored.leafIndex !== null;
}
