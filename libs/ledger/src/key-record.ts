// Records of the key directory (docs/adr/0014): participant registrations, key additions
// and revocations, each the leaf of an RFC 9162 log (leaf input: UTF-8 of the RFC 8785
// JSON of the record). A participant authorises its own changes with an Ed25519 signature
// (RFC 8032) over `custos-key-request:v1:` ‖ RFC 8785 JSON of the request — the record
// without `at` and `authorisedBy`. Times are RFC 3339 UTC with milliseconds. Pure.
import { astring } from './assert';
import { base64UrlToBytes, bytesToBase64Url, bytesToUtf8, concatBytes, utf8ToBytes } from './bytes';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, sign, verifyStrict } from './ed25519';
import { LedgerArgumentError } from './errors';
import type { Ed25519Verify } from './events';
import { canonicalJsonBytes } from './jcs';
import { leafHash } from './merkle';

const REQUEST_PREFIX = utf8ToBytes('custos-key-request:v1:');

export type Authorisation =
  | { readonly role: 'ADMIN' }
  | { readonly role: 'UPGRADE' }
  | { readonly role: 'REGULATOR'; readonly participantId: string }
  | { readonly role: 'PARTICIPANT'; readonly keyId: string; readonly signature: Uint8Array };

/** What a participant signs to add or revoke one of its own keys. */
export type KeyRequest =
  | {
      readonly type: 'KEY_ADDED';
      readonly participantId: string;
      readonly keyId: string;
      readonly publicKey: Uint8Array;
      readonly validFrom: Date | null;
    }
  | { readonly type: 'KEY_REVOKED'; readonly participantId: string; readonly keyId: string };

export interface Registration {
  readonly type: 'PARTICIPANT_REGISTERED';
  readonly participantId: string;
  readonly roles: readonly string[];
  readonly companyPrefixes: readonly string[];
}

/** One leaf of the directory: a change, when it was recorded, and who authorised it. */
export type KeyRecord = (KeyRequest | Registration) & {
  /** When it was recorded; for KEY_REVOKED, the revocation time. */
  readonly at: Date;
  readonly authorisedBy: Authorisation;
};

const time = (d: Date | null) => (d === null ? null : d.toISOString());

function requestJson(r: KeyRequest | Registration): Record<string, unknown> {
  const participantId = astring(r.participantId, 'participantId');
  switch (r.type) {
    case 'PARTICIPANT_REGISTERED':
      return {
        type: r.type,
        participantId,
        roles: [...r.roles],
        companyPrefixes: [...r.companyPrefixes],
      };
    case 'KEY_ADDED':
      return {
        type: r.type,
        participantId,
        keyId: astring(r.keyId, 'keyId'),
        publicKey: bytesToBase64Url(r.publicKey),
        validFrom: time(r.validFrom),
      };
    case 'KEY_REVOKED':
      return { type: r.type, participantId, keyId: astring(r.keyId, 'keyId') };
  }
}

function authorisationJson(a: Authorisation): Record<string, unknown> {
  switch (a.role) {
    case 'ADMIN':
    case 'UPGRADE':
      return { role: a.role };
    case 'REGULATOR':
      return { role: a.role, participantId: a.participantId };
    case 'PARTICIPANT':
      return { role: a.role, keyId: a.keyId, signature: bytesToBase64Url(a.signature) };
  }
}

/** `custos-key-request:v1:` ‖ UTF-8(JCS of the request): what a participant signs. */
export function keyRequestBytes(request: KeyRequest): Uint8Array {
  return concatBytes(REQUEST_PREFIX, canonicalJsonBytes(requestJson(request)));
}

export function signKeyRequest(request: KeyRequest, secretKey: Uint8Array): Uint8Array {
  return sign(keyRequestBytes(request), secretKey);
}

export function verifyKeyRequest(
  request: KeyRequest,
  signature: Uint8Array,
  publicKey: Uint8Array,
  verify: Ed25519Verify = verifyStrict,
): boolean {
  if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  return verify(signature, keyRequestBytes(request), publicKey);
}

/** The request part of a record (what a PARTICIPANT authorisation signed). */
export function requestOf(record: KeyRecord): KeyRequest | Registration {
  switch (record.type) {
    case 'PARTICIPANT_REGISTERED':
      return {
        type: record.type,
        participantId: record.participantId,
        roles: record.roles,
        companyPrefixes: record.companyPrefixes,
      };
    case 'KEY_ADDED':
      return {
        type: record.type,
        participantId: record.participantId,
        keyId: record.keyId,
        publicKey: record.publicKey,
        validFrom: record.validFrom,
      };
    case 'KEY_REVOKED':
      return { type: record.type, participantId: record.participantId, keyId: record.keyId };
  }
}

/** The leaf input: UTF-8 of the RFC 8785 JSON of the whole record. */
export function keyRecordLeafInput(record: KeyRecord): Uint8Array {
  return canonicalJsonBytes({
    ...requestJson(record),
    at: time(record.at),
    authorisedBy: authorisationJson(record.authorisedBy),
  });
}

export function keyRecordLeafHash(record: KeyRecord): Uint8Array {
  return leafHash(keyRecordLeafInput(record));
}

// Parsing a stored or downloaded leaf back into a record: strict, each error names the field.

type Json = Record<string, unknown>;

function fail(field: string, why: string): never {
  throw new LedgerArgumentError(field, why);
}

function obj(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(field, 'expected an object');
  return value as Json;
}

function str(o: Json, key: string, field: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) fail(`${field}.${key}`, 'expected a string');
  return v;
}

function date(value: unknown, field: string): Date {
  if (typeof value !== 'string') fail(field, 'expected an RFC 3339 time');
  const d = new Date(value);
  if (Number.isNaN(d.getTime()) || d.toISOString() !== value)
    fail(field, 'expected an RFC 3339 UTC time with milliseconds');
  return d;
}

function strings(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string'))
    fail(field, 'expected an array of strings');
  return value as string[];
}

function bytes(o: Json, key: string, field: string, length: number): Uint8Array {
  const b = base64UrlToBytes(str(o, key, field), `${field}.${key}`);
  if (b.length !== length) fail(`${field}.${key}`, `expected ${length} bytes, got ${b.length}`);
  return b;
}

function parseAuthorisation(value: unknown, field: string): Authorisation {
  const o = obj(value, field);
  const role = o.role;
  switch (role) {
    case 'ADMIN':
    case 'UPGRADE':
      return { role };
    case 'REGULATOR':
      return { role, participantId: str(o, 'participantId', field) };
    case 'PARTICIPANT':
      return {
        role,
        keyId: str(o, 'keyId', field),
        signature: bytes(o, 'signature', field, SIGNATURE_LENGTH),
      };
    default:
      return fail(`${field}.role`, 'expected ADMIN, UPGRADE, REGULATOR or PARTICIPANT');
  }
}

/** The record a leaf input holds; LedgerArgumentError naming the field otherwise. */
export function parseKeyRecord(leafInput: Uint8Array, field = 'record'): KeyRecord {
  let value: unknown;
  try {
    value = JSON.parse(bytesToUtf8(leafInput, field));
  } catch {
    fail(field, 'not JSON');
  }
  const o = obj(value, field);
  const participantId = str(o, 'participantId', field);
  const at = date(o.at, `${field}.at`);
  const authorisedBy = parseAuthorisation(o.authorisedBy, `${field}.authorisedBy`);
  let record: KeyRecord;
  switch (o.type) {
    case 'PARTICIPANT_REGISTERED':
      record = {
        type: o.type,
        participantId,
        roles: strings(o.roles, `${field}.roles`),
        companyPrefixes: strings(o.companyPrefixes, `${field}.companyPrefixes`),
        at,
        authorisedBy,
      };
      break;
    case 'KEY_ADDED':
      record = {
        type: o.type,
        participantId,
        keyId: str(o, 'keyId', field),
        publicKey: bytes(o, 'publicKey', field, PUBLIC_KEY_LENGTH),
        validFrom: o.validFrom === null ? null : date(o.validFrom, `${field}.validFrom`),
        at,
        authorisedBy,
      };
      break;
    case 'KEY_REVOKED':
      record = { type: o.type, participantId, keyId: str(o, 'keyId', field), at, authorisedBy };
      break;
    default:
      return fail(`${field}.type`, 'expected PARTICIPANT_REGISTERED, KEY_ADDED or KEY_REVOKED');
  }
  // Only the canonical form is a record: no extra fields, no other spelling.
  const again = keyRecordLeafInput(record);
  if (again.length !== leafInput.length || again.some((b, i) => b !== leafInput[i]))
    fail(field, 'not the RFC 8785 form of a key record');
  return record;
}
