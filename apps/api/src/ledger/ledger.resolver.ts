import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '@custos/core/auth/principal';
import { bytesToHex } from '@custos/ledger/bytes';
import { LedgerQueryService } from '@custos/sealing/ledger-query.service';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Block, Checkpoint, Entry, toCheckpoint, toEntry } from './ledger.model';

/** The log's public surface (SPEC sections 5 and 7): heads, blocks, entries, proofs. */
@Resolver()
export class LedgerResolver {
  constructor(private readonly ledger: LedgerQueryService) {}

  @Access.signedIn()
  @Query(() => Checkpoint, { description: 'The latest signed checkpoint.' })
  async checkpoint(): Promise<Checkpoint> {
    return toCheckpoint(await this.ledger.checkpoint());
  }

  // Open to anyone, without a token: offline verifiers and witnesses need the public key
  // to check checkpoints, and it gives nothing away.
  @Access.anyone()
  @Query(() => String, { description: 'The sealing key as a C2SP verifier key (vkey).' })
  ledgerKey(): Promise<string> {
    return this.ledger.ledgerKey();
  }

  @Access.signedIn()
  @Query(() => Block, { nullable: true, description: 'The block at `height`, if sealed.' })
  async block(@Args('height', { type: () => Int }) height: number): Promise<Block | null> {
    return (await this.ledger.block(height)) ?? null;
  }

  @Access.signedIn()
  @Query(() => Entry, {
    nullable: true,
    description:
      'The sealed entry at `leafIndex`: regulators read all, a trading partner those its event names.',
  })
  async entry(
    @Args('leafIndex', { type: () => Int }) leafIndex: number,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<Entry | null> {
    const entry = await this.ledger.entry(leafIndex, principal);
    return entry ? toEntry(entry) : null;
  }

  @Access.signedIn()
  @Query(() => [String], { description: 'RFC 9162 inclusion proof, lowercase hex hashes.' })
  async inclusionProof(
    @Args('leafIndex', { type: () => Int }) leafIndex: number,
    @Args('treeSize', { type: () => Int }) treeSize: number,
  ): Promise<string[]> {
    return (await this.ledger.inclusionProof(leafIndex, treeSize)).map((h) => bytesToHex(h));
  }

  @Access.signedIn()
  @Query(() => [String], { description: 'RFC 9162 consistency proof, lowercase hex hashes.' })
  async consistencyProof(
    @Args('fromSize', { type: () => Int }) fromSize: number,
    @Args('toSize', { type: () => Int }) toSize: number,
  ): Promise<string[]> {
    return (await this.ledger.consistencyProof(fromSize, toSize)).map((h) => bytesToHex(h));
  }
}
