// Registering participants and their keys, revoking keys, and looking participants up
// (SPEC section 3). Other modules read participants through this service: roles,
// company prefixes, license and keys, with the time rules of participant.ts.
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import { DomainError } from '@custos/core/errors/domain-error';
import { verifyKeyAttestation } from '@custos/ledger/key-attestation';
import { SealingKeyService } from '@custos/sealing/sealing-key.service';
import {
  authorisationOf,
  importRecords,
  keyAddedRecord,
  keyRevokedRecord,
  registrationRecords,
} from './key-directory-records';
import { KeyDirectoryService } from './key-directory.service';
import { authoriseKeyChange, type SignedBy } from './key-change-authority';
import type { Participant } from './participant';
import { findKey } from './participant';
import {
  parseKey,
  parseKeyId,
  parseParticipant,
  parseParticipantId,
  type ParticipantFields,
  type PublicKeyFields,
} from './participant-input';
import {
  type KeyRowEvidence,
  ParticipantRepository,
  type StoredParticipant,
} from './participant.repository';
import { SessionParticipants } from './session-participants';

/** Stored participants and an empty key directory, without the operator's word to import. */
export class KeyDirectoryMissingError extends Error {
  constructor(participants: number) {
    super(
      `the key directory is empty but ${participants} participant(s) are stored: if this is the upgrade of a ledger from before the key directory, start once with CUSTOS_KEY_DIRECTORY_IMPORT=true to bring their keys in; otherwise the directory was deleted, so restore key_record and key_checkpoint from a backup (keys rebuilt from the rows alone would trust whatever was written to them)`,
    );
  }
}

@Injectable()
export class ParticipantService implements OnModuleInit {
  private readonly logger = new Logger('Participants');

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly participants: ParticipantRepository,
    private readonly sealingKey: SealingKeyService,
    private readonly directory: KeyDirectoryService,
    private readonly sessionParticipants: SessionParticipants,
  ) {}

  /**
   * The upgrade of a ledger from before the key directory, when the operator says so
   * (CUSTOS_KEY_DIRECTORY_IMPORT): brings its participant and key rows into the directory
   * (docs/adr/0014): the rows whose attestation verifies (docs/adr/0013), or every row as
   * stored when the ledger predates attestations too. Stored participants and an empty
   * directory are otherwise refused: a deleted directory must not be rebuilt from rows an
   * insider can edit.
   */
  async onModuleInit(): Promise<void> {
    const sealing = await this.sealingKey.publicKey();
    const imported = await this.participants.importDirectory(
      (stored, evidence) => {
        if (evidence === 'as-stored')
          this.logger.warn(
            'this ledger predates key attestations: its key rows are brought into the key directory as stored',
          );
        return stored.flatMap((p) => this.importable(p, evidence, sealing));
      },
      (participants) => {
        if (!this.config.keyDirectoryImport) throw new KeyDirectoryMissingError(participants);
      },
      await this.directory.signer(),
    );
    if (imported > 0) this.logger.warn(`brought ${imported} record(s) into the key directory`);
  }

  /** A participant's records for the import: with attestations, only the rows they prove. */
  private importable(stored: StoredParticipant, evidence: KeyRowEvidence, sealing: Uint8Array) {
    const id = stored.participant.id;
    if (evidence === 'as-stored') return importRecords(stored.participant, stored.keys);
    const keys = stored.keys.filter((k) => {
      const row = {
        participantId: id,
        keyId: k.keyId,
        publicKey: k.publicKey,
        validFrom: k.validFrom ?? null,
        revokedAt: k.revokedAt ?? null,
      };
      const ok = verifyKeyAttestation(row, k.attestation, sealing);
      if (!ok)
        this.logger.error(
          `key ${k.keyId} of ${id} has no valid attestation: left out of the key directory, it signs nothing`,
        );
      return ok;
    });
    return importRecords(stored.participant, keys);
  }

  /** True once any participant is registered (the start log suggests the demo otherwise). */
  async any(): Promise<boolean> {
    return this.participants.any();
  }

  /** PARTICIPANT_EXISTS when the GLN is registered already; fields are checked first. */
  async register(input: ParticipantFields, by: Principal, field = 'input'): Promise<Participant> {
    const participant = parseParticipant(input, field);
    const records = registrationRecords(participant, authorisationOf(by), new Date());
    const created = await this.participants.create(
      participant,
      records,
      await this.directory.signer(),
    );
    if (typeof created === 'object') {
      const i = participant.companyPrefixes.indexOf(created.prefix);
      throw new DomainError(
        'CONFLICT',
        `${field}.companyPrefixes[${i}]: company prefix ${created.prefix} ${created.prefix === created.taken ? 'is claimed' : `overlaps ${created.taken}, claimed`} by participant ${created.holder} (a company prefix has one holder)`,
        `${field}.companyPrefixes[${i}]`,
      );
    }
    if (created === 'exists') {
      throw new DomainError(
        'PARTICIPANT_EXISTS',
        `${field}.id: participant ${participant.id} is registered already`,
        `${field}.id`,
      );
    }
    return this.require(participant.id, `${field}.id`);
  }

  /**
   * KEY_EXISTS when the participant has (or had) a key with this keyId. By the admin, or
   * by the participant's request signed by one of its current keys (key-change-authority.ts).
   */
  async addKey(
    participantId: string,
    input: PublicKeyFields,
    by: Principal,
    signed: SignedBy = {},
    fields = { participantId: 'participantId', key: 'key' },
  ): Promise<Participant> {
    const id = parseParticipantId(participantId, fields.participantId);
    const key = parseKey(input, fields.key);
    const request = {
      type: 'KEY_ADDED',
      participantId: id,
      keyId: key.keyId,
      publicKey: key.publicKey,
      validFrom: key.validFrom ?? null,
    } as const;
    const authority = authoriseKeyChange(request, by, signed, await this.directory.current());
    const record = keyAddedRecord(id, key, authority, new Date());
    switch (await this.participants.addKey(id, key, record, await this.directory.signer())) {
      case 'added':
        return this.require(id, fields.participantId);
      case 'exists':
        throw new DomainError(
          'KEY_EXISTS',
          `${fields.key}.keyId: participant ${id} already has a key "${key.keyId}" (keyIds are never reused)`,
          `${fields.key}.keyId`,
        );
      case 'no-participant':
        throw unknownParticipant(id, fields.participantId);
    }
  }

  /**
   * Revokes the key from `at` on: everything signed with it after that is refused.
   * Revoking a revoked key changes nothing (the first revocation time stands). By the
   * admin, a regulator, or the participant's signed request (key-change-authority.ts).
   */
  async revokeKey(
    participantId: string,
    keyId: string,
    by: Principal,
    signed: SignedBy = {},
    at = new Date(),
  ): Promise<Participant> {
    const id = parseParticipantId(participantId, 'participantId');
    parseKeyId(keyId, 'keyId');
    const request = { type: 'KEY_REVOKED', participantId: id, keyId } as const;
    const authority = authoriseKeyChange(request, by, signed, await this.directory.current());
    const participant = await this.require(id, 'participantId');
    const key = findKey(participant, keyId);
    if (!key) throw unknownKey(id, keyId, 'keyId');
    if (key.revokedAt === undefined) {
      const record = keyRevokedRecord(id, keyId, authority, at);
      await this.participants.revokeKey(id, keyId, at, record, await this.directory.signer());
      this.sessionParticipants.forget(id); // at once here; other replicas hear the NOTIFY
    }
    return this.require(id, 'participantId');
  }

  /** The participant with this GLN, or undefined; BAD_USER_INPUT when `id` is no GLN. */
  async find(id: string, field = 'id'): Promise<Participant | undefined> {
    return this.participants.find(parseParticipantId(id, field));
  }

  /** UNKNOWN_PARTICIPANT when no participant has this GLN. */
  async require(id: string, field = 'id'): Promise<Participant> {
    const participant = await this.find(id, field);
    if (!participant) throw unknownParticipant(id, field);
    return participant;
  }

  /** Several participants at once (one query), by id; ids that are not registered are absent. */
  async findMany(ids: readonly string[]): Promise<Map<string, Participant>> {
    const found = await this.participants.findMany(ids);
    return new Map(found.map((p) => [p.id, p]));
  }

  /**
   * The length of the registered GS1 Company Prefix that `digits` (a key without its
   * indicator digit) start with, the longest one; undefined when none is registered.
   */
  async companyPrefixLookup(): Promise<(digits: string) => number | undefined> {
    const prefixes = (await this.participants.allCompanyPrefixes()).sort(
      (a, b) => b.length - a.length,
    );
    return (digits) => prefixes.find((p) => digits.startsWith(p))?.length;
  }

  /**
   * The brand owner of a GTIN-14: the participant that registered its GS1 Company Prefix
   * (the digits after the indicator, 6 to 12 long); the longest prefix wins.
   */
  async ownerOfGtin(gtin: string): Promise<Participant | undefined> {
    const prefixes: string[] = [];
    for (let length = 6; length <= 12; length += 1) prefixes.push(gtin.slice(1, 1 + length));
    const owners = await this.participants.findByCompanyPrefix(prefixes);
    const longest = (p: Participant) =>
      Math.max(...p.companyPrefixes.filter((c) => prefixes.includes(c)).map((c) => c.length));
    return owners.sort((a, b) => longest(b) - longest(a))[0];
  }
}

export function unknownParticipant(id: string, field: string): DomainError {
  return new DomainError(
    'UNKNOWN_PARTICIPANT',
    `${field}: no participant ${id} is registered`,
    field,
  );
}

export function unknownKey(participantId: string, keyId: string, field: string): DomainError {
  return new DomainError(
    'UNKNOWN_KEY',
    `${field}: participant ${participantId} has no key "${keyId}"`,
    field,
  );
}
