// The read rule of SPEC section 7 for verifyPackage and package(code), pure: verdict,
// findings, product and status go to every signed-in caller; the trail, custodian and
// proof only to regulators, the admin and the parties that held the unit or were sent it.
// A caller kept from the trail also gets the findings without the parties they name and
// without their event ids (an event id is a handle on the trail it may not read).
import type { Principal } from '@custos/core/auth/principal';
import type { EventType } from '@custos/custody/custody-event';
import type { Finding } from '@custos/custody/findings';

/** A finding as the caller may see it: the message meant for it, and no second copy. */
export type DisclosedFinding = Omit<Finding, 'publicMessage'>;

/** Whether `principal` may read the trail of a unit whose holders are `holders`. */
export function mayReadTrail(
  principal: Principal | undefined,
  holders: ReadonlySet<string>,
): boolean {
  if (principal?.kind === 'admin') return true;
  if (principal?.kind !== 'participant') return false;
  return principal.roles.includes('REGULATOR') || holders.has(principal.id);
}

/** The findings for a caller who may (or may not) read the trail. */
export function disclosedFindings(
  findings: readonly Finding[],
  trailVisible: boolean,
): DisclosedFinding[] {
  return findings.map(({ publicMessage, ...full }) => {
    if (trailVisible) return full;
    return { code: full.code, severity: full.severity, message: publicMessage };
  });
}

/** One step of a unit's trail as a caller who may read it sees it. */
export interface TrailStep {
  readonly eventId: string;
  readonly type: EventType;
  readonly actor: string;
  readonly eventTime: string;
  readonly sealed: boolean;
  readonly blockHeight: number | null;
  readonly leafIndex: number | null;
}

/** What a verification lets this caller see. */
export interface Disclosure<P extends { readonly entries: readonly { eventId: string }[] }> {
  readonly trailVisible: boolean;
  readonly findings: DisclosedFinding[];
  /** The trail, empty for a caller kept from it. */
  readonly trail: readonly TrailStep[];
  /** The proof of the trail's sealed steps only; undefined for a caller kept from it. */
  readonly proof: P | undefined;
}

/**
 * The read rule applied to a verification's outcome: the findings as this caller may
 * read them, and the trail and its proof only for a caller who may read the trail.
 */
export function disclose<P extends { readonly entries: readonly { eventId: string }[] }>(
  principal: Principal | undefined,
  outcome: {
    readonly holders: ReadonlySet<string>;
    readonly findings: readonly Finding[];
    readonly trail: readonly TrailStep[];
    readonly proof: P | undefined;
  },
): Disclosure<P> {
  const visible = mayReadTrail(principal, outcome.holders);
  const trailIds = new Set(outcome.trail.map((e) => e.eventId));
  return {
    trailVisible: visible,
    findings: disclosedFindings(outcome.findings, visible),
    trail: visible ? outcome.trail : [],
    proof:
      visible && outcome.proof
        ? {
            ...outcome.proof,
            entries: outcome.proof.entries.filter((e) => trailIds.has(e.eventId)),
          }
        : undefined,
  };
}
