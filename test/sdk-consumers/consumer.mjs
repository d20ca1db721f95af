// An ESM consumer of the SDK, as a third party writes one: `import … from 'custos/sdk/…'`
// (the package's exports map). Against the server at argv[2] with the admin token argv[3]:
// a key, the participant argv[4] registered with it, sign-in with the key alone, an event
// built and signed as SPEC section 4 says, checked and submitted, the ledger key.
// Prints one line of JSON for test/e2e/sdk-consumers.e2e.spec.ts.
import { CustosClient } from 'custos/sdk/client';
import { createSignedEvent, verifySignedEvent } from 'custos/sdk/events';
import { generateKey } from 'custos/sdk/keys';

const [url, adminToken, participantId] = process.argv.slice(2);
const key = generateKey('k1', participantId);
await new CustosClient({ url, token: adminToken }).registerParticipant({
  id: participantId,
  name: 'SDK consumer',
  roles: ['DISPENSER'],
  companyPrefixes: [],
  license: { number: 'L-1', authority: 'Test Agency', validUntil: '2099-12-31' },
  keys: [{ keyId: key.keyId, publicKey: key.publicKey, validFrom: '2020-01-01T00:00:00Z' }],
});
const client = new CustosClient({ url });
await client.signIn(key);
const signed = createSignedEvent(key, 'DISPENSE', {
  items: [`https://id.gs1.org/01/09506000134352/21/SDK${participantId}`],
});
const report = await client.submit([signed]);
console.log(
  JSON.stringify({
    verified: verifySignedEvent(signed, key.publicKey),
    ledgerKey: await client.ledgerKey(),
    accepted: report.accepted,
  }),
);
