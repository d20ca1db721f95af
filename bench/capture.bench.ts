// EPCIS 2.0 capture against submitEvents (issue 16: "capture of 10,000 events in one
// document as fast as submitEvents"), over HTTP against the built product in its own
// process: the same manufacturer commissions fresh units, once as GraphQL submitEvents in
// 1,000-event batches, once as one EPCISDocument POSTed to /epcis/capture and followed to
// the end of its capture job. Both reach the same ingest (validation, strict signatures,
// custody, bulk inserts); the difference is the EPCIS mapping and the one large body.
// Runs alternate (submitEvents, capture, submitEvents, capture, …) so that the machine's
// drift hits both; each figure is the median, beside one core's native Ed25519 verify rate.
// Full run: 10,000 events per capture, 3 rounds; smoke: 1,000, 1 round.
import '../test/resolve-ts.cjs';
import { GraphQLClient, gql } from 'graphql-request';
import { epcisDocument } from '@custos/epcis/document';
import { toEpcisEvent } from '@custos/epcis/to-epcis';
import type { SignedEventSubmission } from '@custos/events/submission';
import { createTestDatabase, servicesEnv } from '../test/storage';
import { COMPANY_PREFIX, gln, LedgerWorld, unitUri } from '../test/fixtures/ledger-world';
import { startProduct } from '../test/product';
import { type Bench, benchNodeArgs } from './harness';
import { median } from './load';
import { nativeVerifyRates, signer } from './signer';

const ADMIN_TOKEN = 'bench-capture-admin-token-0123456789abcdef0123';
const BATCH = 1_000;

interface CaptureJob {
  readonly running: boolean;
  readonly success: boolean;
  readonly errors: unknown[];
}

async function submitInBatches(client: GraphQLClient, events: SignedEventSubmission[]) {
  for (let i = 0; i < events.length; i += BATCH) {
    const { submitEvents } = await client.request<{
      submitEvents: { rejected: { index: number; code: string; message: string }[] };
    }>(
      gql`
        mutation ($events: [SignedEventInput!]!) {
          submitEvents(events: $events) {
            rejected {
              index
              code
              message
            }
          }
        }
      `,
      { events: events.slice(i, i + BATCH) },
    );
    if (submitEvents.rejected.length > 0)
      throw new Error(`submitEvents refused: ${JSON.stringify(submitEvents.rejected[0])}`);
  }
}

/** POSTs the document and polls its capture job until it has finished. */
async function capture(url: string, token: string, document: unknown): Promise<void> {
  const posted = await fetch(`${url}/epcis/capture`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/ld+json',
      'GS1-Capture-Error-Behaviour': 'rollback',
    },
    body: JSON.stringify(document),
  });
  const location = posted.headers.get('location');
  if (posted.status !== 202 || !location)
    throw new Error(`capture answered ${posted.status}: ${await posted.text()}`);
  for (;;) {
    const answer = await fetch(new URL(location, url), {
      headers: { authorization: `Bearer ${token}` },
    });
    const job = (await answer.json()) as CaptureJob;
    if (!job.running) {
      if (!job.success) throw new Error(`capture failed: ${JSON.stringify(job.errors[0])}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const bench: Bench = {
  name: 'capture',
  async run(ctx) {
    const events = ctx.smoke ? 1_000 : 10_000;
    const rounds = ctx.smoke ? 1 : 3;
    const db = await createTestDatabase('bench_capture');
    const env = {
      ...servicesEnv(db, 'bench_capture'),
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
      CUSTOS_ROLE: 'api',
    };
    const product = await startProduct(env, 60_000, benchNodeArgs());
    try {
      const world = new LedgerWorld(product.url, ADMIN_TOKEN);
      const maker = await world.register(
        gln('950600000000'),
        'Maker Pharma',
        ['MANUFACTURER'],
        [COMPANY_PREFIX],
      );
      const client = await world.signIn(maker);
      const by = signer(maker.id, maker.secretKey, maker.keyId);
      let serial = 0;
      const start = Date.now() - 3_600_000;
      const commissions = () =>
        Array.from({ length: events }, () => {
          serial += 1;
          return by.sign({
            eventId: crypto.randomUUID(),
            type: 'COMMISSION',
            actor: maker.id,
            eventTime: new Date(start + serial).toISOString(),
            items: [unitUri(`K${serial.toString(36)}`)],
            lot: 'L1',
            expiry: '2030-12-31',
          });
        });

      const viaGraphql: number[] = [];
      const viaCapture: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const batch = commissions();
        let began = performance.now();
        await submitInBatches(client, batch);
        viaGraphql.push((events * 1000) / (performance.now() - began));

        const signed = commissions();
        const document = epcisDocument(
          signed.map((s) =>
            toEpcisEvent({
              event: { ...s.event },
              keyId: by.keyId,
              signature: String(s.signature),
            }),
          ),
          new Date().toISOString(),
        );
        began = performance.now();
        await capture(product.url, maker.token!, document);
        viaCapture.push((events * 1000) / (performance.now() - began));
      }
      const reference = nativeVerifyRates(by, commissions()[0]!, ctx.smoke ? 200 : 1_000).fast;
      const graphqlRate = median(viaGraphql);
      const captureRate = median(viaCapture);
      const note = `${events} events, median of ${rounds}`;
      ctx.report('submitEvents, 1,000-event batches', graphqlRate, 'events/s', note);
      ctx.report('EPCIS capture, one document', captureRate, 'events/s', note);
      ctx.report('native Ed25519 verify, one core, reference', reference, 'verify/s');
      ctx.report('ratio capture / submitEvents (target >= 1)', captureRate / graphqlRate, 'x');
      ctx.report('ratio capture / native verify', captureRate / reference, 'x');
    } finally {
      await product.stop();
      await db.drop();
    }
  },
};
