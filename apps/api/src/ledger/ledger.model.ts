import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { bytesToBase64, bytesToHex } from '@custos/ledger/bytes';
import type { LedgerCheckpoint, LedgerEntry } from '@custos/sealing/ledger-query.service';

@ObjectType({
  description: "A witness's cosignature on a checkpoint (C2SP tlog-cosignature, cosignature/v1).",
})
export class Cosignature {
  @Field({ description: "The witness's key name, e.g. witness.example.org/w1." })
  name!: string;

  @Field({ description: 'Key ID of its cosignature/v1 key, 8 lowercase hex digits.' })
  keyId!: string;

  @Field({ description: 'When it cosigned (RFC 3339), the time its signature covers.' })
  timestamp!: string;
}

@ObjectType({
  description:
    'The witnesses this ledger submits to and the policy verifyPackage applies (SPEC 9).',
})
export class WitnessPolicy {
  @Field(() => [String], {
    description: 'CUSTOS_WITNESSES: the witness keys, C2SP cosignature/v1 vkeys.',
  })
  witnesses!: string[];

  @Field(() => Int, { description: 'CUSTOS_WITNESS_QUORUM: how many must cosign.' })
  quorum!: number;

  @Field(() => Int, { description: 'CUSTOS_WITNESS_MAX_AGE_SECONDS: how old they may be.' })
  maxAgeSeconds!: number;
}

@ObjectType({ description: 'A signed tree head of the log (C2SP tlog-checkpoint).' })
export class Checkpoint {
  @Field({ description: 'The log origin (CUSTOS_LOG_ORIGIN), also the signing key name.' })
  origin!: string;

  @Field(() => Int, { description: 'Number of entries in the tree.' })
  treeSize!: number;

  @Field({ description: 'RFC 9162 root hash, lowercase hex.' })
  rootHash!: string;

  @Field({ description: 'The checkpoint as a C2SP signed note, signed by the sealing key.' })
  note!: string;
}

@ObjectType({ description: 'A sealed block (SPEC section 5); `hash` covers the other fields.' })
export class Block {
  @Field(() => Int)
  height!: number;

  @Field({ description: 'Hash of the previous block (64 zeros for block 0), lowercase hex.' })
  prevHash!: string;

  @Field(() => Int)
  firstLeafIndex!: number;

  @Field(() => Int)
  eventCount!: number;

  @Field(() => Int, { description: 'Log size after this block.' })
  treeSize!: number;

  @Field({ description: 'Log root at treeSize, lowercase hex.' })
  rootHash!: string;

  @Field({ description: 'When it was sealed (RFC 3339), exactly the string the hash covers.' })
  sealedAt!: string;

  @Field({ description: 'Hex SHA-256 of the RFC 8785 form of the other fields.' })
  hash!: string;
}

@ObjectType({ description: 'One log entry: an accepted event as sealed.' })
export class Entry {
  @Field(() => Int)
  leafIndex!: number;

  @Field({ description: 'base64 of the RFC 8785 leaf input {event, keyId, signature}.' })
  leafInput!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => Int)
  blockHeight!: number;
}

/** The log's checkpoint as the schema gives it: the root hash in lowercase hex. */
export function toCheckpoint(c: LedgerCheckpoint): Checkpoint {
  return { origin: c.origin, treeSize: c.treeSize, rootHash: bytesToHex(c.rootHash), note: c.note };
}

/** A sealed entry as the schema gives it: the leaf input in base64. */
export function toEntry(e: LedgerEntry): Entry {
  return {
    leafIndex: e.leafIndex,
    leafInput: bytesToBase64(e.leafInput),
    eventId: e.eventId,
    blockHeight: e.blockHeight,
  };
}
