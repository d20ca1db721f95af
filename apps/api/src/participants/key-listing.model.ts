import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { bytesToBase64, bytesToUtf8 } from '@custos/ledger/bytes';
import { parseCheckpoint } from '@custos/ledger/checkpoint';
import type { KeyListing as Listing } from '@custos/ledger/key-listing';
import { parseKeyRecord } from '@custos/ledger/key-record';

@ObjectType({ description: 'One key directory record (docs/adr/0014) with its proof.' })
export class KeyDirectoryRecord {
  @Field(() => Int)
  leafIndex!: number;

  @Field({ description: 'base64 of the leaf input: the RFC 8785 JSON of the record.' })
  leafInput!: string;

  @Field({ description: 'The record as JSON text (the leaf input, readable).' })
  record!: string;

  @Field({ description: 'PARTICIPANT_REGISTERED, KEY_ADDED or KEY_REVOKED.' })
  type!: string;

  @Field(() => String, { nullable: true })
  keyId!: string | null;

  @Field({ description: 'ADMIN, REGULATOR, PARTICIPANT or UPGRADE.' })
  authorisedBy!: string;

  @Field(() => [String], {
    description: 'RFC 9162 inclusion proof in the checkpoint (base64 hashes, sibling first).',
  })
  inclusionProof!: string[];
}

@ObjectType({
  description:
    'Every record the key directory holds about a participant, provable offline against its checkpoint.',
})
export class KeyListing {
  @Field(() => ID)
  participantId!: string;

  @Field({ description: 'The directory origin: the log origin + "/keys".' })
  origin!: string;

  @Field(() => Int)
  treeSize!: number;

  @Field({ description: 'The directory checkpoint: a C2SP signed note by the ledger key.' })
  checkpoint!: string;

  @Field(() => [KeyDirectoryRecord])
  records!: KeyDirectoryRecord[];
}

export function toKeyListing(listing: Listing): KeyListing {
  const head = parseCheckpoint(listing.checkpoint.slice(0, listing.checkpoint.indexOf('\n\n') + 1));
  return {
    participantId: listing.participantId,
    origin: head.origin,
    treeSize: head.size,
    checkpoint: listing.checkpoint,
    records: listing.records.map((r) => {
      const record = parseKeyRecord(r.leafInput);
      return {
        leafIndex: r.leafIndex,
        leafInput: bytesToBase64(r.leafInput),
        record: bytesToUtf8(r.leafInput),
        type: record.type,
        keyId: record.type === 'PARTICIPANT_REGISTERED' ? null : record.keyId,
        authorisedBy: record.authorisedBy.role,
        inclusionProof: r.proof.map(bytesToBase64),
      };
    }),
  };
}
