// Sign-in attempts are limited per participant and per client address, counted in the
// database: two API replicas on one database share the count (issue 5).
import { GraphQLClient } from 'graphql-request';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import {
  client,
  failure,
  gln,
  newKey,
  participantInput,
  register,
  requestChallenge,
  signChallenge,
  signInCall,
} from '../participants';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

const ADMIN_TOKEN = 'rate-admin-token-0123456789abcdef0123456789ab';

describe('sign-in rate limits across two API replicas', () => {
  let db: TestDatabase;
  let a: RunningApp;
  let b: RunningApp;
  const p1 = { id: gln(700000000001), key: newKey('k1') };
  const p2 = gln(700000000002);
  const p3 = gln(700000000003);

  beforeAll(async () => {
    db = await createTestDatabase('rate');
    const env = {
      CUSTOS_ROLE: 'api',
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
      CUSTOS_SIGNIN_RATE_PER_PARTICIPANT: '3',
      CUSTOS_SIGNIN_RATE_PER_ADDRESS: '8',
      // One window a day: the test cannot straddle two windows but at midnight UTC.
      CUSTOS_SIGNIN_RATE_WINDOW_SECONDS: '86400',
    };
    a = await startApp(serverConfig(db, testQueuePrefix('rate'), env), { logger: false });
    b = await startApp(serverConfig(db, testQueuePrefix('rate'), env), { logger: false });
    const admin = client(a.url, ADMIN_TOKEN);
    await register(admin, participantInput(p1.id, ['DISPENSER'], [p1.key]));
    await register(admin, participantInput(p2, ['DISPENSER'], []));
    await register(admin, participantInput(p3, ['DISPENSER'], []));
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  it('counts requestChallenge and signIn of one participant on both replicas (RATE_LIMITED)', async () => {
    const { nonce } = await requestChallenge(client(a.url), p1.id); // 1
    const session = await signInCall(client(b.url), {
      participantId: p1.id,
      keyId: 'k1',
      nonce,
      signature: signChallenge(nonce, p1.key),
    }); // 2
    expect(session.token).toBeTruthy();
    await requestChallenge(client(a.url), p1.id); // 3
    const err = await failure(requestChallenge(client(b.url), p1.id)); // 4
    expect(err).toMatchObject({ code: 'RATE_LIMITED' });
    expect(err.message).toMatch(
      new RegExp(`^too many sign-in attempts for participant ${p1.id}: try again in \\d+ s$`),
    );
    // A valid signature does not get past the limit either.
    expect(
      await failure(
        signInCall(client(a.url), {
          participantId: p1.id,
          keyId: 'k1',
          nonce,
          signature: signChallenge(nonce, p1.key),
        }),
      ),
    ).toMatchObject({ code: 'RATE_LIMITED' }); // 5
  });

  it('limits one address across participants, whatever X-Forwarded-For says (RATE_LIMITED)', async () => {
    // 5 attempts so far from this address; the limit is 8.
    await requestChallenge(client(a.url), p2); // 6
    await requestChallenge(client(b.url), p2); // 7
    await requestChallenge(client(a.url), p3); // 8
    const err = await failure(requestChallenge(client(b.url), p3)); // 9
    expect(err).toMatchObject({ code: 'RATE_LIMITED' });
    expect(err.message).toMatch(
      /^too many sign-in attempts from this address: try again in \d+ s$/,
    );
    const spoofed = await failure(fetchChallenge(a.url, p3, { 'x-forwarded-for': '203.0.113.7' }));
    expect(spoofed).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

function fetchChallenge(url: string, participantId: string, headers: Record<string, string>) {
  return new GraphQLClient(`${url}/graphql`, { headers }).request<unknown>(
    'mutation ($id: ID!) { requestChallenge(participantId: $id) { nonce } }',
    { id: participantId },
  );
}
