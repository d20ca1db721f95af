// The answer to "is this package genuine?" (SPEC section 6): replay the unit's events
// and those of every container it was packed in, then turn the record, the scan and
// the ledger's integrity checks into findings and a verdict.
import type { CustodyEvent } from './custody-event';
import { finding, type Finding, verdictFor, type Verdict } from './findings';
import { CustodyReplay, type PackageStatus } from './replay';

export interface LedgerEventView extends CustodyEvent {
  /** False while the event is accepted but not yet in a block. */
  readonly sealed: boolean;
}

export interface AssessInput {
  /** Canonical identifier of the unit or logistic unit. */
  readonly identifier: string;
  /** GTIN-14 of a unit (undefined for an SSCC). */
  readonly gtin?: string;
  /**
   * Every event naming the identifier or any SSCC it was ever packed in (recursively),
   * and the RECALLs of its GTIN, in acceptance order.
   */
  readonly events: readonly LedgerEventView[];
  /** Lot and expiry (`YYYY-MM-DD`) read from the scanned code, when it carried them. */
  readonly scan?: { readonly lot?: string; readonly expiry?: string };
  /** The signed-in scanner, when a participant scans. */
  readonly scanner?: { readonly id: string; readonly regulator: boolean };
  /** Today, `YYYY-MM-DD`, for EXPIRED. */
  readonly today: string;
  /** What the ledger checks found wrong (signatures, leaf hashes, proofs, checkpoint). */
  readonly integrityFailures: readonly { readonly message: string; readonly eventId?: string }[];
}

export interface Assessment {
  readonly verdict: Verdict;
  readonly findings: readonly Finding[];
  readonly status?: PackageStatus;
  readonly custodian?: string;
  readonly product?: { readonly gtin: string; readonly lot?: string; readonly expiry?: string };
  /** The events of the trail: those naming the unit or a container while it was inside. */
  readonly trail: readonly LedgerEventView[];
  /** Every party that held the unit at some point, or was sent it (SPEC 7 read rule). */
  readonly holders: ReadonlySet<string>;
}

export function assess(input: AssessInput): Assessment {
  const replay = new CustodyReplay();
  const findings: Finding[] = input.integrityFailures.map((f) =>
    finding('INTEGRITY_FAILURE', f.message, f.eventId),
  );
  const trail: LedgerEventView[] = [];
  const holders = new Set<string>();
  const seen = new Set<string>();
  const add = (f: Finding) => {
    const key = `${f.code}|${f.eventId ?? ''}`;
    if (!seen.has(key)) {
      seen.add(key);
      findings.push(f);
    }
  };

  for (const event of input.events) {
    // Which identifiers stand for the unit at this moment: itself and its containers.
    const concerned = new Set([
      input.identifier,
      ...(replay.effective(input.identifier)?.containers ?? []),
    ]);
    const relevant =
      event.type === 'RECALL'
        ? event.gtin === input.gtin
        : event.items.some((id) => concerned.has(id)) ||
          (event.parent !== undefined && concerned.has(event.parent));
    for (const flag of replay.apply(event)) {
      if (concerned.has(flag.identifier)) add(finding(flag.flag, flag.message, flag.eventId));
    }
    if (relevant) trail.push(event);
    const now = replay.effective(input.identifier);
    if (now) holders.add(now.custodian);
    if (now?.shipment) holders.add(now.shipment.to);
  }

  const unsealed = trail.filter((e) => !e.sealed);
  if (unsealed.length > 0) {
    add(
      finding(
        'UNSEALED_EVENTS',
        `${unsealed.length} of its events are accepted but not yet sealed in a block`,
      ),
    );
  }

  const origin = replay.origin(input.identifier);
  const state = replay.effective(input.identifier);
  const isUnit = input.gtin !== undefined;
  if (!origin || !state || (isUnit && origin.type !== 'COMMISSION')) {
    add(
      finding(
        'UNKNOWN_IDENTIFIER',
        `${input.identifier} was never ${isUnit ? 'commissioned' : 'used as a logistic unit'}`,
      ),
    );
    return {
      verdict: verdictFor(findings),
      findings,
      trail,
      holders,
      ...(input.gtin ? { product: { gtin: input.gtin } } : {}),
    };
  }

  const lot = isUnit ? origin.lot : undefined;
  const expiry = isUnit ? origin.expiry : undefined;
  if (input.scan?.lot !== undefined && input.scan.lot !== lot) {
    add(
      finding(
        'PRODUCT_MISMATCH',
        `the scanned lot ${input.scan.lot} is not the commissioned lot ${lot ?? '(none)'}`,
      ),
    );
  }
  if (input.scan?.expiry !== undefined && input.scan.expiry !== expiry) {
    add(
      finding(
        'PRODUCT_MISMATCH',
        `the scanned expiry ${input.scan.expiry} is not the commissioned expiry ${expiry ?? '(none)'}`,
      ),
    );
  }
  const ending = replay.ending(input.identifier);
  if (state.status === 'DISPENSED' && ending) {
    add(
      finding(
        'ALREADY_DISPENSED',
        `dispensed by ${ending.actor} at ${ending.eventTime}`,
        ending.eventId,
      ),
    );
  }
  if (state.status === 'DECOMMISSIONED' && ending) {
    add(
      finding(
        'DECOMMISSIONED',
        `decommissioned (${ending.reason ?? 'no reason given'}) by ${ending.actor} at ${ending.eventTime}`,
        ending.eventId,
      ),
    );
  }
  const recall =
    input.gtin !== undefined && lot !== undefined ? replay.recall(input.gtin, lot) : undefined;
  if (recall)
    add(
      finding(
        'RECALLED',
        `lot ${lot} was recalled by ${recall.actor} at ${recall.eventTime}`,
        recall.eventId,
      ),
    );
  if (expiry !== undefined && expiry < input.today) add(finding('EXPIRED', `expired on ${expiry}`));
  if (state.status === 'IN_TRANSIT' && state.shipment) {
    add(
      finding(
        'IN_TRANSIT',
        `shipped by ${state.shipment.from} to ${state.shipment.to}, not yet received`,
        state.shipment.eventId,
      ),
    );
  }
  const scanner = input.scanner;
  if (
    scanner &&
    !scanner.regulator &&
    scanner.id !== state.custodian &&
    scanner.id !== state.shipment?.to
  ) {
    add(
      finding(
        'NOT_IN_YOUR_CUSTODY',
        `${scanner.id} neither holds it nor is the recipient of its open shipment`,
      ),
    );
  }

  return {
    verdict: verdictFor(findings),
    findings,
    status: state.status,
    custodian: state.custodian,
    ...(input.gtin
      ? {
          product: {
            gtin: input.gtin,
            ...(lot !== undefined ? { lot } : {}),
            ...(expiry !== undefined ? { expiry } : {}),
          },
        }
      : {}),
    trail,
    holders,
  };
}
