// A realistic supply chain end to end over HTTP (issue 17): the generated chain of
// bench/supply-chain.ts (manufacturers → wholesalers → pharmacies, units in cases in
// pallets, a few percent stolen, recalled and cloned) is signed by its parties, submitted
// through GraphQL in 1,000-event batches by 4 concurrent clients, sealed by the product's
// own worker, and then scanned by its pharmacies: `verifyPackage` of the units each holds,
// driven by autocannon in its own process. Full run: 1,000,000 events; smoke: 2,000.
// References, same run: one core's native Ed25519 verify rate.
// Targets: ingest >= 0.8x, scans >= 0.08x that rate with p99 <= 50 ms at 32 concurrent.
import '../test/resolve-ts.cjs';
import { randomUUID } from 'node:crypto';
import { GraphQLClient, gql } from 'graphql-request';
import type { SignedEventSubmission } from '@custos/events/submission';
import { randomSecretKey } from '@custos/ledger/ed25519';
import { createTestDatabase, servicesEnv } from '../test/storage';
import { LedgerWorld, type Party } from '../test/fixtures/ledger-world';
import { startProduct } from '../test/product';
import { type Bench, benchNodeArgs } from './harness';
import { loadTest, median } from './load';
import { nativeVerifyRates, type Signer, signer } from './signer';
import { type ChainParty, supplyChain } from './supply-chain';

const ADMIN_TOKEN = 'bench-chain-admin-token-0123456789abcdef01234';
const BATCH = 1_000;
const CLIENTS = 4;
const VERIFY = `query ($code: String!) { verifyPackage(code: $code) { verdict proof { entries { leafIndex } } } }`;

interface Member {
  readonly party: ChainParty;
  readonly secretKey: Uint8Array;
  readonly signer: Signer;
  /** Signed in, once registered. */
  world?: Party;
}

async function submit(client: GraphQLClient, events: SignedEventSubmission[]): Promise<void> {
  const { submitEvents } = await client.request<{
    submitEvents: { accepted: unknown[]; rejected: { index: number; code: string }[] };
  }>(
    gql`
      mutation ($events: [SignedEventInput!]!) {
        submitEvents(events: $events) {
          accepted {
            eventId
          }
          rejected {
            index
            code
          }
        }
      }
    `,
    { events },
  );
  if (submitEvents.rejected.length > 0)
    throw new Error(`rejected: ${JSON.stringify(submitEvents.rejected.slice(0, 3))}`);
}

async function treeSize(client: GraphQLClient): Promise<number> {
  const { checkpoint } = await client.request<{ checkpoint: { treeSize: number } }>(
    '{ checkpoint { treeSize } }',
  );
  return checkpoint.treeSize;
}

export const bench: Bench = {
  name: 'chain',
  async run(ctx) {
    const size = ctx.size ?? (ctx.smoke ? 2_000 : 1_000_000);
    const seconds = ctx.smoke ? 3 : 15;
    const rounds = ctx.smoke ? 1 : 3;
    const connections = ctx.smoke ? 4 : 32;

    const reference = signer('0000000000000');
    const sample = reference.sign({ eventId: randomUUID(), type: 'X' });
    const verifyRate = nativeVerifyRates(reference, sample, ctx.smoke ? 100 : 1000).fast;
    ctx.report('raw Ed25519 verifyFast, 1 core (reference)', verifyRate, 'sig/s');

    const chain = supplyChain({ events: size, seed: 17 });
    const members = new Map<string, Member>(
      chain.parties.map((party) => {
        const secretKey = randomSecretKey();
        return [party.id, { party, secretKey, signer: signer(party.id, secretKey, 'k1') }];
      }),
    );
    const signStart = performance.now();
    const phases = chain.phases.map((phase) => {
      const byActor = new Map<string, SignedEventSubmission[]>();
      for (const event of phase) {
        const list = byActor.get(event.actor) ?? [];
        list.push(members.get(event.actor)!.signer.sign(event));
        byActor.set(event.actor, list);
      }
      return byActor;
    });
    ctx.report(
      'supply chain generated and signed',
      chain.eventCount,
      'events',
      `${chain.parties.length} parties, ${((performance.now() - signStart) / 1000).toFixed(1)} s`,
    );

    const db = await createTestDatabase('bench_chain');
    // A full run ingests for longer than a session's default 15 minutes.
    const env = {
      ...servicesEnv(db, 'bench_chain'),
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
      CUSTOS_SESSION_TTL_SECONDS: '86400',
    };
    const product = await startProduct(env, 60_000, benchNodeArgs());
    try {
      const world = new LedgerWorld(product.url, ADMIN_TOKEN);
      const admin = world.admin;
      for (const member of members.values()) {
        const { id, name, roles, companyPrefixes } = member.party;
        member.world = await world.register(
          id,
          name,
          [...roles],
          companyPrefixes,
          member.secretKey,
        );
        await world.signIn(member.world);
      }
      const client = (member: Member) => member.world!.client!;

      // Ingest: each phase's batches by CLIENTS concurrent submitters, in causal order per actor.
      const ingestStart = performance.now();
      for (const byActor of phases) {
        const queues = [...byActor.entries()].map(([actor, events]) => ({ actor, events }));
        let at = 0;
        await Promise.all(
          Array.from({ length: CLIENTS }, async () => {
            while (at < queues.length) {
              const { actor, events } = queues[at++]!;
              const submitter = client(members.get(actor)!);
              for (let i = 0; i < events.length; i += BATCH)
                await submit(submitter, events.slice(i, i + BATCH));
            }
          }),
        );
      }
      const ingestSeconds = (performance.now() - ingestStart) / 1000;
      const ingestRate = chain.eventCount / ingestSeconds;
      ctx.report('ingest, 4 clients, 1,000-event batches', ingestRate, 'event/s');
      ctx.report('ingest / native verify (target >= 0.8)', ingestRate / verifyRate, 'x');

      const deadline = Date.now() + 600_000;
      while ((await treeSize(admin)) < chain.eventCount) {
        if (Date.now() > deadline) throw new Error('the log did not seal the chain in 10 min');
        await new Promise((r) => setTimeout(r, 200));
      }
      ctx.report(
        'accepted to all sealed',
        (performance.now() - ingestStart) / 1000 - ingestSeconds,
        's',
        'after the last batch was accepted',
      );

      // Correctness first: the verdicts the chain fixes, asked as the parties would.
      const regulator = [...members.values()].find((m) => m.party.roles.includes('REGULATOR'))!;
      const verdict = async (client: GraphQLClient, code: string) =>
        (await client.request<{ verifyPackage: { verdict: string } }>(VERIFY, { code }))
          .verifyPackage.verdict;
      const wrong: string[] = [];
      for (const { code, pharmacy } of chain.scans.authentic.slice(0, 20)) {
        const got = await verdict(client(members.get(pharmacy)!), code);
        if (got !== 'AUTHENTIC') wrong.push(`${code} ${got}`);
      }
      for (const code of [
        ...chain.scans.dispensed.slice(0, 5),
        ...chain.scans.stolen.slice(0, 5),
      ]) {
        const got = await verdict(client(regulator), code);
        if (got !== 'COUNTERFEIT') wrong.push(`${code} ${got}`);
      }
      for (const code of chain.scans.recalled.slice(0, 5)) {
        const got = await verdict(client(regulator), code);
        if (got === 'AUTHENTIC') wrong.push(`${code} ${got}`);
      }
      if (wrong.length > 0) throw new Error(`wrong verdicts: ${wrong.join('; ')}`);

      // Pharmacies scanning what they hold, back to back.
      const requests = chain.scans.authentic.slice(0, 5_000).map(({ code, pharmacy }) => ({
        method: 'POST' as const,
        path: '/graphql',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${members.get(pharmacy)!.world!.token!}`,
        },
        body: JSON.stringify({ query: VERIFY, variables: { code } }),
      }));
      const runs = [];
      for (let round = 0; round < rounds; round++)
        runs.push(await loadTest(product.url, requests, connections, seconds));
      const rate = median(runs.map((r) => r.requestsPerSecond));
      const note = `${connections} connections, ${seconds} s, median of ${rounds}, ledger ${chain.eventCount.toLocaleString('en')} events`;
      ctx.report('verifyPackage saturated, pharmacies', rate, 'scan/s', note);
      ctx.report('verifyPackage p50', median(runs.map((r) => r.p50Ms)), 'ms');
      ctx.report('verifyPackage p99 (target <= 50)', median(runs.map((r) => r.p99Ms)), 'ms');
      ctx.report('scans / native verify (target >= 0.08)', rate / verifyRate, 'x');
      const failures = runs.reduce((sum, r) => sum + r.failures, 0);
      ctx.report('failed scans (must be 0)', failures, 'requests');
      if (failures > 0) throw new Error(`${failures} scans failed under load`);
    } finally {
      await product.stop();
      await db.drop();
    }
  },
};
