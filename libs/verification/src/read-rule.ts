// The read rule of SPEC section 7 for verifyPackage and package(code), pure: verdict,
// findings, product and status go to every signed-in caller; the trail, custodian and
// proof only to regulators, the admin and the parties that held the unit or were sent it.
// A caller kept from the trail also gets the findings without the parties they name and
// without their event ids (an event id is a handle on the trail it may not read).
import type { Principal } from '@custos/core/auth/principal';
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
