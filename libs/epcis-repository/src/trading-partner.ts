// Who may ask a DSCSA verification question (GS1 US LWMS 1.3; DSCSA section 582: only
// authorized trading partners, licensed, may exchange verification requests). Today the
// evidence is a Custos session: the participant it names must be the `reqGLN` of the
// request, registered, with a trading role and a license valid now. The OCI ATP credential
// is the next stage of the same check (docs/epcis.md, "Who may ask").
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { licenseValidAt, type Participant } from '@custos/participants/participant';

const TRADING_ROLES = ['MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER'] as const;

/**
 * The requester as a licensed trading partner whose GLN is `requesterGln`, or the error:
 * UNAUTHENTICATED (401) without a session, FORBIDDEN (403) for anyone else.
 */
export function tradingPartner(
  principal: Principal | undefined,
  participant: Participant | undefined,
  requesterGln: string,
  now: Date,
): Participant {
  if (!principal)
    throw new DomainError(
      'UNAUTHENTICATED',
      'sign in first: a verification request needs a bearer session token',
    );
  if (principal.kind !== 'participant')
    throw new DomainError(
      'FORBIDDEN',
      'the admin is not a trading partner: sign in as the participant whose GLN is reqGLN',
    );
  if (principal.id !== requesterGln || !participant || participant.id !== requesterGln)
    throw new DomainError(
      'FORBIDDEN',
      `reqGLN: ${requesterGln} is not the signed-in participant (${principal.id})`,
      'reqGLN',
    );
  if (!participant.roles.some((role) => (TRADING_ROLES as readonly string[]).includes(role)))
    throw new DomainError(
      'FORBIDDEN',
      `${participant.id} is not a trading partner (roles: ${participant.roles.join(', ')})`,
    );
  if (!licenseValidAt(participant, now))
    throw new DomainError(
      'FORBIDDEN',
      `the license of ${participant.id} lapsed on ${participant.license.validUntil.toISOString()}`,
    );
  return participant;
}
