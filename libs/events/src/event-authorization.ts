// Who may submit what (SPEC sections 3 and 4): the actor and its key exist, the key was
// valid at eventTime and is not revoked now, eventTime is not too far ahead, the license
// has not lapsed, and the actor has the role (and GS1 company prefix) the type needs.
// Pure: the caller passes the participants and the clock.
import { gtinHasCompanyPrefix } from '@custos/gs1/keys';
import type { StoredKey } from '@custos/store/participant-key.repository';
import type { ActorParticipant } from './participant-directory.repository';
import { RejectionError } from './rejection';
import { MAX_CLOCK_SKEW_MS } from './submission';
import type { ValidatedEvent } from './event-validation';

export interface ActorKey {
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | null;
  readonly revokedAt: Date | null;
}

export interface ActorRecord extends ActorParticipant {
  readonly keys: ReadonlyMap<string, ActorKey>;
}

/** The participants with their key rows, by id. */
export function actorRecords(
  participants: readonly ActorParticipant[],
  keys: readonly StoredKey[],
): Map<string, ActorRecord> {
  const byParticipant = new Map<string, Map<string, ActorKey>>();
  for (const k of keys) {
    let own = byParticipant.get(k.participantId);
    if (!own) byParticipant.set(k.participantId, (own = new Map<string, ActorKey>()));
    own.set(k.keyId, {
      publicKey: new Uint8Array(k.publicKey),
      validFrom: k.validFrom,
      revokedAt: k.revokedAt,
    });
  }
  return new Map(
    participants.map((p) => [
      p.id,
      { ...p, keys: byParticipant.get(p.id) ?? new Map<string, ActorKey>() },
    ]),
  );
}

/** The actor's key for the event; throws RejectionError when it may not sign it. */
export function authorizeEvent(
  event: ValidatedEvent,
  actor: ActorRecord | undefined,
  now: Date,
): ActorKey {
  const f = `events[${event.index}]`;
  if (!actor) {
    throw new RejectionError(
      'UNKNOWN_ACTOR',
      `${f}.event.actor: ${event.actor} is not a registered participant`,
    );
  }
  const key = actor.keys.get(event.keyId);
  if (!key) {
    throw new RejectionError(
      'UNKNOWN_KEY',
      `${f}.keyId: ${event.keyId} is not a key of ${actor.id}`,
    );
  }
  if (key.revokedAt && key.revokedAt.getTime() <= now.getTime()) {
    throw new RejectionError(
      'KEY_REVOKED',
      `${f}.keyId: key ${event.keyId} was revoked at ${key.revokedAt.toISOString()}`,
    );
  }
  if (key.validFrom && event.eventTime.getTime() < key.validFrom.getTime()) {
    throw new RejectionError(
      'KEY_NOT_YET_VALID',
      `${f}.keyId: key ${event.keyId} is valid from ${key.validFrom.toISOString()}, after the eventTime`,
    );
  }
  if (event.eventTime.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw new RejectionError(
      'EVENT_TIME_IN_FUTURE',
      `${f}.event.eventTime: more than 5 minutes ahead of the server's clock (${now.toISOString()})`,
    );
  }
  return key;
}

/** Role, company prefix and license rules; run after the signature has been checked. */
export function checkEntitlement(event: ValidatedEvent, actor: ActorRecord, now: Date): void {
  const f = `events[${event.index}].event`;
  if (actor.licenseValidUntil.getTime() < now.getTime()) {
    throw new RejectionError(
      'LICENSE_LAPSED',
      `${f}.actor: the license of ${actor.id} lapsed on ${actor.licenseValidUntil.toISOString()}`,
    );
  }
  const has = (role: ActorRecord['roles'][number]) => actor.roles.includes(role);
  switch (event.type) {
    case 'COMMISSION': {
      if (!has('MANUFACTURER')) throw missingRole(f, actor, 'COMMISSION', 'MANUFACTURER');
      event.items.forEach((item, i) => {
        if (item.gtin !== undefined && !ownsGtin(actor, item.gtin)) {
          throw prefixMismatch(`${f}.items[${i}]`, actor, item.gtin);
        }
      });
      return;
    }
    case 'RECALL': {
      if (has('REGULATOR')) return;
      if (!has('MANUFACTURER')) throw missingRole(f, actor, 'RECALL', 'MANUFACTURER or REGULATOR');
      if (!ownsGtin(actor, event.gtin!)) throw prefixMismatch(`${f}.gtin`, actor, event.gtin!);
      return;
    }
    case 'DISPENSE':
      if (!has('DISPENSER')) throw missingRole(f, actor, 'DISPENSE', 'DISPENSER');
      return;
    case 'PACK':
    case 'UNPACK':
    case 'SHIP':
    case 'RECEIVE':
    case 'DECOMMISSION':
      // Any trading partner may handle goods; the regulator trades nothing.
      if (!has('MANUFACTURER') && !has('DISTRIBUTOR') && !has('DISPENSER')) {
        throw missingRole(f, actor, event.type, 'MANUFACTURER, DISTRIBUTOR or DISPENSER');
      }
      return;
  }
}

function ownsGtin(actor: ActorRecord, gtin: string): boolean {
  return actor.companyPrefixes.some((prefix) => {
    try {
      return gtinHasCompanyPrefix(gtin, prefix);
    } catch {
      return false;
    }
  });
}

function missingRole(f: string, actor: ActorRecord, type: string, role: string): RejectionError {
  return new RejectionError(
    'MISSING_ROLE',
    `${f}.type: ${type} needs the role ${role}; ${actor.id} has ${actor.roles.join(', ') || 'none'}`,
  );
}

function prefixMismatch(field: string, actor: ActorRecord, gtin: string): RejectionError {
  return new RejectionError(
    'COMPANY_PREFIX_MISMATCH',
    `${field}: GTIN ${gtin} is not under a GS1 company prefix of ${actor.id} (${actor.companyPrefixes.join(', ') || 'none registered'})`,
  );
}
