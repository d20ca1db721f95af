// A CommonJS consumer of the SDK, as a third party writes one: `require('custos/sdk/…')`
// (the package's exports map). The same steps and output as consumer.mjs.
'use strict';
const { CustosClient } = require('custos/sdk/client');
const { createSignedEvent, verifySignedEvent } = require('custos/sdk/events');
const { generateKey } = require('custos/sdk/keys');

async function main() {
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
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
