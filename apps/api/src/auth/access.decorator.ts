// Every resolver states who may call it; the AccessGuard denies whatever does not
// (deny by default), and a test walks the schema to prove each operation has a rule.
import { applyDecorators, SetMetadata } from '@nestjs/common';
import type { ParticipantRole } from '@custos/core/auth/principal';

export type AccessRule =
  /** No token needed (sign-in itself, the public parts of the ledger's surface). */
  | { readonly kind: 'anyone' }
  /** Any signed-in participant, or the admin. */
  | { readonly kind: 'signed-in' }
  /** The admin, or a participant holding one of `roles` (none: the admin only). */
  | { readonly kind: 'admin-or-roles'; readonly roles: readonly ParticipantRole[] };

export const ACCESS_RULE = 'custos:access-rule';

const rule = (value: AccessRule) => applyDecorators(SetMetadata(ACCESS_RULE, value));

export const Access = {
  anyone: () => rule({ kind: 'anyone' }),
  signedIn: () => rule({ kind: 'signed-in' }),
  admin: () => rule({ kind: 'admin-or-roles', roles: [] }),
  adminOr: (...roles: ParticipantRole[]) => rule({ kind: 'admin-or-roles', roles }),
};
