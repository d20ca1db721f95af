// The answer to "is this package genuine?" (SPEC section 6): replay the unit's events
// and those of every container it was packed in through the same custody rules ingest
// applies (custody-projection.ts), then turn the record, the scan and the ledger's
// integrity checks into findings and a verdict.
import type { CustodyEvent, CustodyInput, EventItemRef } from './custody-event';
import { finding, flagMeaning, type Finding, verdictFor, type Verdict } from './findings';
import { CustodyProjection, type PackageStatus } from './custody-projection';

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
  readonly integrityFailures: readonly IntegrityFailure[];
  /**
   * Why the checkpoint the answer rests on is not vouched for by the configured witnesses
   * (SPEC 9), names no party; undefined when witnessed or when no witnesses are configured.
   */
  readonly unwitnessed?: string;
}

/** A ledger check that failed: `publicMessage` says what failed without naming a party. */
export interface IntegrityFailure {
  readonly message: string;
  readonly publicMessage: string;
  readonly eventId?: string;
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
  const projection = new CustodyProjection([]);
  const unit = input.identifier;
  const findings: Finding[] = input.integrityFailures.map((f) =>
    finding('INTEGRITY_FAILURE', f.message, f.eventId, f.publicMessage),
  );
  if (input.unwitnessed !== undefined)
    findings.push(finding('LEDGER_UNWITNESSED', input.unwitnessed));
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
  let origin: CustodyEvent | undefined;
  let ending: CustodyEvent | undefined;
  let shipped: CustodyEvent | undefined;
  /** RECALLs of the unit's GTIN, as the signed events say; kept if of its commissioned lot. */
  const recalls = new Set<CustodyEvent>();
  let seq = 0n;

  for (const event of input.events) {
    seq += 1n;
    if (event.type === 'RECALL') {
      if (event.gtin !== undefined && event.gtin === input.gtin) {
        trail.push(event);
        recalls.add(event);
      }
      continue;
    }
    // Which identifiers stand for the unit at this moment: itself and its containers.
    const concerned = new Set([unit, ...containersOf(projection, unit)]);
    const before = projection.get(unit);
    for (const outcome of projection.apply(toInput(event), seq)) {
      if (outcome.flag && concerned.has(outcome.identifier)) {
        add(
          finding(
            outcome.flag,
            `${outcome.identifier} ${outcome.reason ?? ''}`.trim(),
            event.eventId,
            `${outcome.identifier}: ${flagMeaning(outcome.flag)}`,
          ),
        );
      }
    }
    const after = projection.get(unit);
    if (
      event.items.some((id) => concerned.has(id)) ||
      (event.parent !== undefined && concerned.has(event.parent))
    ) {
      trail.push(event);
    }
    if (!before && after) origin = event;
    if (after && before?.status !== after.status) {
      if (after.status === 'DISPENSED' || after.status === 'DECOMMISSIONED') ending = event;
      if (after.status === 'IN_TRANSIT') shipped = event;
    }
    if (after?.custodian) holders.add(after.custodian);
    if (after?.shipmentTo) holders.add(after.shipmentTo);
  }
  const state = projection.get(unit);
  // A recall concerns the unit when it names the unit's GTIN and commissioned lot, wherever
  // it stands in the history; a recall of another lot of the GTIN is not in its trail.
  const lotOfUnit = state?.lot ?? undefined;
  const recall = [...recalls].find((r) => lotOfUnit !== undefined && r.lot === lotOfUnit);
  for (let i = trail.length - 1; i >= 0; i--) {
    const step = trail[i]!;
    if (recalls.has(step) && !(lotOfUnit !== undefined && step.lot === lotOfUnit))
      trail.splice(i, 1);
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

  const isUnit = input.gtin !== undefined;
  if (!origin || !state || (isUnit && origin.type !== 'COMMISSION')) {
    add(
      finding(
        'UNKNOWN_IDENTIFIER',
        `${unit} was never ${isUnit ? 'commissioned' : 'used as a logistic unit'}`,
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

  const lot = state.lot ?? undefined;
  const expiry = state.expiry ?? undefined;
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
  if (state.status === 'DISPENSED' && ending) {
    add(
      finding(
        'ALREADY_DISPENSED',
        `dispensed by ${ending.actor} at ${ending.eventTime}`,
        ending.eventId,
        `dispensed at ${ending.eventTime}`,
      ),
    );
  }
  if (state.status === 'DECOMMISSIONED' && ending) {
    add(
      finding(
        'DECOMMISSIONED',
        `decommissioned (${ending.reason ?? 'as part of its container'}) by ${ending.actor} at ${ending.eventTime}`,
        ending.eventId,
        `decommissioned (${ending.reason ?? 'as part of its container'}) at ${ending.eventTime}`,
      ),
    );
  }
  if (recall)
    add(
      finding(
        'RECALLED',
        `lot ${lot ?? ''} was recalled by ${recall.actor} at ${recall.eventTime}`,
        recall.eventId,
        `lot ${lot ?? ''} was recalled at ${recall.eventTime}`,
      ),
    );
  if (expiry !== undefined && expiry < input.today) add(finding('EXPIRED', `expired on ${expiry}`));
  if (state.status === 'IN_TRANSIT') {
    add(
      finding(
        'IN_TRANSIT',
        `shipped by ${state.shipmentFrom ?? '?'} to ${state.shipmentTo ?? '?'}, not yet received`,
        shipped?.eventId,
        'shipped, not yet received',
      ),
    );
  }
  const scanner = input.scanner;
  const custodian = state.custodian ?? undefined;
  if (
    scanner &&
    !scanner.regulator &&
    scanner.id !== custodian &&
    scanner.id !== state.shipmentTo
  ) {
    add(
      finding(
        'NOT_IN_YOUR_CUSTODY',
        `${scanner.id} neither holds it nor is the recipient of its open shipment`,
        undefined,
        'the scanner neither holds it nor is the recipient of its open shipment',
      ),
    );
  }

  return {
    verdict: verdictFor(findings),
    findings,
    status: state.status,
    ...(custodian !== undefined ? { custodian } : {}),
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

/** The SSCCs `identifier` is packed in now, innermost first. */
function containersOf(projection: CustodyProjection, identifier: string): string[] {
  const out: string[] = [];
  for (let at = projection.get(identifier)?.parent ?? null; at !== null && out.length < 64;) {
    out.push(at);
    at = projection.get(at)?.parent ?? null;
  }
  return out;
}

const GTIN_OF_UNIT = /\/01\/(\d{14})\/21\//;

/** The custody view of a canonical identifier: an SSCC (AI 00) or a unit (AI 01 + 21). */
function refOf(identifier: string): EventItemRef {
  const gtin = GTIN_OF_UNIT.exec(identifier)?.[1];
  return gtin ? { identifier, kind: 'UNIT', gtin } : { identifier, kind: 'LOGISTIC_UNIT' };
}

function toInput(event: CustodyEvent): CustodyInput {
  return {
    type: event.type,
    actor: event.actor,
    items: event.items.map(refOf),
    ...(event.parent !== undefined ? { parent: refOf(event.parent) } : {}),
    ...(event.to !== undefined ? { to: event.to } : {}),
    ...(event.from !== undefined ? { from: event.from } : {}),
    ...(event.lot !== undefined ? { lot: event.lot } : {}),
    ...(event.expiry !== undefined ? { expiry: event.expiry } : {}),
  };
}
