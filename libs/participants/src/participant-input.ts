// Checks what a client sends to register a participant or a key and turns it into the
// values that are stored. Every refusal is a DomainError naming the input field
// (`input.keys[1].publicKey`) and saying what to fix. Public keys follow SPEC section 3:
// base64url without padding of 32 bytes that canonically encode a point not of small
// order (the same decoder as signature verification, @custos/ledger/ed25519).
import { type ParticipantRole, participantRoles } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { Gs1Error } from '@custos/gs1/errors';
import { assertGln } from '@custos/gs1/keys';
import { base64UrlToBytes } from '@custos/ledger/bytes';
import { publicKeyProblem } from '@custos/ledger/ed25519';
import type { License, NewParticipant, NewParticipantKey } from './participant';

export interface LicenseFields {
  readonly number: string;
  readonly authority: string;
  readonly validUntil: string;
}

export interface PublicKeyFields {
  readonly keyId: string;
  readonly publicKey: string;
  readonly validFrom?: string | null | undefined;
}

export interface ParticipantFields {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly companyPrefixes?: readonly string[] | null | undefined;
  readonly license: LicenseFields;
  readonly keys: readonly PublicKeyFields[];
}

const bad = (field: string, message: string) =>
  new DomainError('BAD_USER_INPUT', `${field}: ${message}`, field);

/** A participant id: a GLN whose check digit is right. */
export function parseParticipantId(value: string, field: string): string {
  try {
    return assertGln(value, field);
  } catch (err) {
    if (!(err instanceof Gs1Error)) throw err;
    const reason = err.message.startsWith(`${field}: `)
      ? err.message.slice(field.length + 2)
      : err.message;
    throw bad(field, err.code === 'INCORRECT_CHECK_DIGIT' ? `GLN ${reason}` : reason);
  }
}

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function parseKeyId(value: string, field: string): string {
  if (!KEY_ID.test(value)) {
    throw bad(
      field,
      'a keyId is 1 to 64 characters: letters, digits and . _ : - (starting with a letter or digit)',
    );
  }
  return value;
}

function text(value: string, field: string, maxLength: number): string {
  if (value.trim() === '') throw bad(field, 'must not be empty');
  if (value.length > maxLength) throw bad(field, `at most ${maxLength} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw bad(field, 'must not hold control characters');
  return value;
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function realDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** An RFC 3339 instant with its offset (`2027-01-31T00:00:00Z`). */
export function parseInstant(value: string, field: string): Date {
  const m = INSTANT.exec(value);
  const [, y, mo, d, h, mi, s] = (m ?? []).map(Number);
  const ok =
    m !== null &&
    realDate(y!, mo!, d!) &&
    h! < 24 &&
    mi! < 60 &&
    s! < 60 &&
    (m[9] === undefined || (Number(m[9]) < 24 && Number(m[10]) < 60));
  const date = ok ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw bad(field, `expected an RFC 3339 instant such as 2027-01-31T00:00:00Z, got "${value}"`);
  }
  return date;
}

/** A date (`YYYY-MM-DD`, valid through the end of that day, UTC) or an RFC 3339 instant. */
export function parseValidUntil(value: string, field: string): Date {
  const m = DATE.exec(value);
  if (!m) return parseInstant(value, field);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!realDate(y, mo, d)) throw bad(field, `no such date: "${value}"`);
  return new Date(Date.UTC(y, mo - 1, d, 23, 59, 59, 999));
}

export function parsePublicKey(value: string, field: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base64UrlToBytes(value, field);
  } catch {
    throw new DomainError(
      'INVALID_PUBLIC_KEY',
      `${field}: expected base64url without padding (RFC 4648 section 5)`,
      field,
    );
  }
  const problem = publicKeyProblem(bytes);
  switch (problem) {
    case null:
      return bytes;
    case 'LENGTH':
      return refuseKey(field, `an Ed25519 public key is 32 bytes, got ${bytes.length}`);
    case 'NOT_CANONICAL_POINT':
      return refuseKey(field, 'not the canonical encoding of an Ed25519 curve point');
    case 'SMALL_ORDER':
      return refuseKey(field, 'a point of small order cannot be a signing key');
  }
}

function refuseKey(field: string, message: string): never {
  throw new DomainError('INVALID_PUBLIC_KEY', `${field}: ${message}`, field);
}

export function parseKey(input: PublicKeyFields, field: string): NewParticipantKey {
  return {
    keyId: parseKeyId(input.keyId, `${field}.keyId`),
    publicKey: parsePublicKey(input.publicKey, `${field}.publicKey`),
    validFrom:
      input.validFrom === null || input.validFrom === undefined
        ? undefined
        : parseInstant(input.validFrom, `${field}.validFrom`),
  };
}

function parseLicense(input: LicenseFields, field: string): License {
  return {
    number: text(input.number, `${field}.number`, 100),
    authority: text(input.authority, `${field}.authority`, 200),
    validUntil: parseValidUntil(input.validUntil, `${field}.validUntil`),
  };
}

function parseRoles(roles: readonly string[], field: string): ParticipantRole[] {
  if (roles.length === 0) throw bad(field, 'name at least one role');
  roles.forEach((role, i) => {
    if (!(participantRoles as readonly string[]).includes(role)) {
      throw bad(`${field}[${i}]`, `expected one of ${participantRoles.join(', ')}`);
    }
  });
  return participantRoles.filter((role) => roles.includes(role));
}

function parseCompanyPrefixes(prefixes: readonly string[], field: string): string[] {
  prefixes.forEach((prefix, i) => {
    if (!/^\d{6,12}$/.test(prefix)) {
      throw bad(`${field}[${i}]`, `a GS1 Company Prefix is 6 to 12 digits, got "${prefix}"`);
    }
  });
  return [...new Set(prefixes)];
}

/** Validates a whole registration; `field` is the argument's name (`input`). */
export function parseParticipant(input: ParticipantFields, field = 'input'): NewParticipant {
  const id = parseParticipantId(input.id, `${field}.id`);
  const name = text(input.name, `${field}.name`, 200);
  const roles = parseRoles(input.roles, `${field}.roles`);
  const companyPrefixes = parseCompanyPrefixes(
    input.companyPrefixes ?? [],
    `${field}.companyPrefixes`,
  );
  const license = parseLicense(input.license, `${field}.license`);
  const keys = input.keys.map((key, i) => parseKey(key, `${field}.keys[${i}]`));
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (seen.has(key.keyId)) {
      throw new DomainError(
        'KEY_EXISTS',
        `${field}.keys[${i}].keyId: keyId "${key.keyId}" appears twice`,
        `${field}.keys[${i}].keyId`,
      );
    }
    seen.add(key.keyId);
  });
  return { id, name, roles, companyPrefixes, license, keys };
}
