// Who is calling: the bootstrap admin (CUSTOS_ADMIN_TOKEN), a signed-in participant
// (a session token from signIn), or nobody.

export const participantRoles = ['MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER', 'REGULATOR'] as const;
export type ParticipantRole = (typeof participantRoles)[number];

export type Principal =
  | { readonly kind: 'admin' }
  | {
      readonly kind: 'participant';
      readonly id: string;
      readonly roles: readonly ParticipantRole[];
      /** The key the participant signed in with; its revocation ends the session. */
      readonly keyId?: string;
    };

export function isRegulator(principal: Principal | undefined): boolean {
  return principal?.kind === 'participant' && principal.roles.includes('REGULATOR');
}
