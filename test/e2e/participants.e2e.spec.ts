// Participants, keys, sign-in and access rules through GraphQL with a real client, on
// the real PostgreSQL and Redis (issue 5). Each error code of SPEC section 3 is asserted.
import { gql, type GraphQLClient } from 'graphql-request';
import { Client as Pg } from 'pg';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import {
  client,
  failure,
  gln,
  glnWithWrongCheckDigit,
  newKey,
  PARTICIPANT_FIELDS,
  participantInput,
  type ParticipantView,
  register,
  requestChallenge,
  signChallenge,
  signInCall,
  signInWith,
} from '../participants';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';

const ADD_KEY = gql`
  mutation ($id: ID!, $key: PublicKeyInput!) {
    addParticipantKey(participantId: $id, key: $key) {
      ...ParticipantFields
    }
  }
  ${PARTICIPANT_FIELDS}
`;
const REVOKE_KEY = gql`
  mutation ($id: ID!, $keyId: ID!) {
    revokeParticipantKey(participantId: $id, keyId: $keyId) {
      ...ParticipantFields
    }
  }
  ${PARTICIPANT_FIELDS}
`;
const PARTICIPANT = gql`
  query ($id: ID!) {
    participant(id: $id) {
      ...ParticipantFields
    }
  }
  ${PARTICIPANT_FIELDS}
`;

describe('participants, keys and sign-in through GraphQL', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let admin: GraphQLClient;
  let anyone: GraphQLClient;
  const maker = { id: gln(950600000001), key: newKey('k1') };
  const regulator = { id: gln(950600000002), key: newKey('reg-1') };
  const distributor = { id: gln(950600000003), key: newKey('d1') };

  beforeAll(async () => {
    db = await createTestDatabase('participants');
    running = await startApp(
      serverConfig(db, testQueuePrefix('participants'), {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        // This file signs in often from one address; the limits have their own file.
        CUSTOS_SIGNIN_RATE_PER_ADDRESS: '100000',
        CUSTOS_SIGNIN_RATE_PER_PARTICIPANT: '100000',
      }),
      { logger: false },
    );
    admin = client(running.url, ADMIN_TOKEN);
    anyone = client(running.url);
    await register(admin, participantInput(maker.id, ['MANUFACTURER'], [maker.key]));
    await register(admin, participantInput(regulator.id, ['REGULATOR'], [regulator.key]));
    await register(admin, participantInput(distributor.id, ['DISTRIBUTOR'], [distributor.key]));
  });
  afterAll(async () => {
    await running?.stop();
    await db?.drop();
  });

  async function sql(text: string, values: unknown[]): Promise<void> {
    const pg = new Pg({ connectionString: db.url });
    await pg.connect();
    try {
      await pg.query(text, values);
    } finally {
      await pg.end();
    }
  }

  describe('registration', () => {
    it('registers a participant with the admin token and reads it back', async () => {
      const key = newKey('main');
      const id = gln(950600000010);
      const created = await register(
        admin,
        participantInput(id, ['MANUFACTURER', 'DISTRIBUTOR', 'MANUFACTURER'], [key], {
          companyPrefixes: ['9507100', '9507101', '9507100'],
          license: { number: 'WDA-1', authority: 'MHRA', validUntil: '2030-06-30' },
        }),
      );
      expect(created).toEqual({
        id,
        name: `Participant ${id}`,
        roles: ['MANUFACTURER', 'DISTRIBUTOR'],
        companyPrefixes: ['9507100', '9507101'],
        license: { number: 'WDA-1', authority: 'MHRA', validUntil: '2030-06-30T23:59:59.999Z' },
        keys: [{ keyId: 'main', publicKey: key.publicKey, validFrom: null, revokedAt: null }],
      });
      const { token } = await signInWith(running.url, distributor.id, distributor.key);
      const read = await client(running.url, token).request<{ participant: ParticipantView }>(
        PARTICIPANT,
        { id },
      );
      expect(read.participant).toEqual(created);
    });

    it('lets a regulator register participants', async () => {
      const { token } = await signInWith(running.url, regulator.id, regulator.key);
      const id = gln(950600000011);
      const created = await register(
        client(running.url, token),
        participantInput(id, ['DISPENSER'], [newKey('p1')]),
      );
      expect(created.id).toBe(id);
    });

    it('refuses a GLN with a wrong check digit, naming the field (BAD_USER_INPUT)', async () => {
      const { id, expected } = glnWithWrongCheckDigit(950600000012);
      const actual = Number(id.slice(-1));
      const err = await failure(register(admin, participantInput(id, ['DISPENSER'], [])));
      expect(err).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.id',
        message: `input.id: GLN check digit should be ${expected}, not ${actual}`,
      });
    });

    it.each([
      ['input.name', { name: '  ' }, 'must not be empty'],
      ['input.roles', { roles: [] }, 'name at least one role'],
      ['input.companyPrefixes[1]', { companyPrefixes: ['9506000', '95'] }, '6 to 12 digits'],
      [
        'input.license.validUntil',
        { license: { number: 'n', authority: 'a', validUntil: '2030-02-30' } },
        'no such date',
      ],
      [
        'input.keys[0].validFrom',
        { keys: [{ keyId: 'a', publicKey: newKey('a').publicKey, validFrom: 'yesterday' }] },
        'RFC 3339',
      ],
      [
        'input.keys[0].keyId',
        { keys: [{ keyId: 'has space', publicKey: newKey('a').publicKey }] },
        '1 to 64 characters',
      ],
    ])('refuses a malformed %s (BAD_USER_INPUT)', async (field, extra, message) => {
      const err = await failure(
        register(admin, participantInput(gln(950600000013), ['DISPENSER'], [], extra)),
      );
      expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(err.message).toContain(`${field}: `);
      expect(err.message).toContain(message);
    });

    it('refuses a second registration of a GLN (PARTICIPANT_EXISTS)', async () => {
      const err = await failure(register(admin, participantInput(maker.id, ['DISPENSER'], [])));
      expect(err).toMatchObject({ code: 'PARTICIPANT_EXISTS', field: 'input.id' });
    });

    it('refuses the same keyId twice in one registration (KEY_EXISTS)', async () => {
      const err = await failure(
        register(
          admin,
          participantInput(gln(950600000014), ['DISPENSER'], [newKey('x'), newKey('x')]),
        ),
      );
      expect(err).toMatchObject({ code: 'KEY_EXISTS', field: 'input.keys[1].keyId' });
    });

    const identity = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]);
    const nonCanonical = Buffer.concat([
      Buffer.from([0xed]),
      Buffer.alloc(30, 0xff),
      Buffer.from([0x7f]),
    ]);
    it.each([
      ['a point of small order', identity.toString('base64url'), 'small order'],
      ['a non-canonical point encoding', nonCanonical.toString('base64url'), 'canonical'],
      ['31 bytes', Buffer.alloc(31, 7).toString('base64url'), '32 bytes, got 31'],
      ['padded base64', `${newKey('a').publicKey}=`, 'base64url'],
      ['standard base64', Buffer.alloc(32, 0xfb).toString('base64'), 'base64url'],
    ])('refuses %s as a public key (INVALID_PUBLIC_KEY)', async (_, publicKey, message) => {
      const err = await failure(
        register(admin, {
          ...participantInput(gln(950600000015), ['DISPENSER'], []),
          keys: [{ keyId: 'bad', publicKey }],
        }),
      );
      expect(err).toMatchObject({ code: 'INVALID_PUBLIC_KEY', field: 'input.keys[0].publicKey' });
      expect(err.message).toContain(message);
    });
  });

  describe('keys', () => {
    const owner = { id: gln(950600000020), key: newKey('first') };
    beforeAll(async () => {
      await register(admin, participantInput(owner.id, ['DISPENSER'], [owner.key]));
    });

    it('adds a key, with a validFrom', async () => {
      const key = newKey('second');
      const data = await admin.request<{ addParticipantKey: ParticipantView }>(ADD_KEY, {
        id: owner.id,
        key: { keyId: key.keyId, publicKey: key.publicKey, validFrom: '2026-01-01T00:00:00Z' },
      });
      expect(data.addParticipantKey.keys.map((k) => [k.keyId, k.validFrom])).toEqual([
        ['first', null],
        ['second', '2026-01-01T00:00:00.000Z'],
      ]);
    });

    it('refuses a keyId the participant has (KEY_EXISTS)', async () => {
      const err = await failure(
        admin.request(ADD_KEY, {
          id: owner.id,
          key: { keyId: 'first', publicKey: newKey('z').publicKey },
        }),
      );
      expect(err).toMatchObject({ code: 'KEY_EXISTS', field: 'key.keyId' });
    });

    it('refuses a key for an unknown participant (UNKNOWN_PARTICIPANT)', async () => {
      const err = await failure(
        admin.request(ADD_KEY, {
          id: gln(950600000099),
          key: { keyId: 'a', publicKey: newKey('a').publicKey },
        }),
      );
      expect(err).toMatchObject({ code: 'UNKNOWN_PARTICIPANT', field: 'participantId' });
    });

    it('refuses a small-order key on addParticipantKey (INVALID_PUBLIC_KEY)', async () => {
      const identity = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]).toString('base64url');
      const err = await failure(
        admin.request(ADD_KEY, { id: owner.id, key: { keyId: 'weak', publicKey: identity } }),
      );
      expect(err).toMatchObject({ code: 'INVALID_PUBLIC_KEY', field: 'key.publicKey' });
    });

    it('refuses to revoke an unknown key (UNKNOWN_KEY) or a key of an unknown participant', async () => {
      expect(
        await failure(admin.request(REVOKE_KEY, { id: owner.id, keyId: 'nope' })),
      ).toMatchObject({ code: 'UNKNOWN_KEY', field: 'keyId' });
      expect(
        await failure(admin.request(REVOKE_KEY, { id: gln(950600000098), keyId: 'first' })),
      ).toMatchObject({ code: 'UNKNOWN_PARTICIPANT', field: 'participantId' });
    });

    it('lets a regulator revoke a key; the first revocation time stands', async () => {
      const { token } = await signInWith(running.url, regulator.id, regulator.key);
      const before = Date.now();
      const first = await client(running.url, token).request<{
        revokeParticipantKey: ParticipantView;
      }>(REVOKE_KEY, { id: owner.id, keyId: 'second' });
      const revokedAt = first.revokeParticipantKey.keys.find(
        (k) => k.keyId === 'second',
      )?.revokedAt;
      expect(Date.parse(revokedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
      const again = await admin.request<{ revokeParticipantKey: ParticipantView }>(REVOKE_KEY, {
        id: owner.id,
        keyId: 'second',
      });
      expect(again.revokeParticipantKey.keys.find((k) => k.keyId === 'second')?.revokedAt).toBe(
        revokedAt,
      );
    });
  });

  describe('sign-in', () => {
    it('signs in with nothing but the private key and the API, and uses the token', async () => {
      const challenge = await requestChallenge(anyone, maker.id);
      expect(challenge.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const ttl = Date.parse(challenge.expiresAt) - Date.now();
      expect(ttl).toBeGreaterThan(60_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
      const session = await signInCall(anyone, {
        participantId: maker.id,
        keyId: maker.key.keyId,
        nonce: challenge.nonce,
        signature: signChallenge(challenge.nonce, maker.key),
      });
      expect(Date.parse(session.expiresAt) - Date.now()).toBeLessThanOrEqual(900_000);
      const me = await client(running.url, session.token).request<{
        participant: ParticipantView;
      }>(PARTICIPANT, { id: maker.id });
      expect(me.participant).toMatchObject({ id: maker.id, roles: ['MANUFACTURER'] });
    });

    it('refuses a nonce used before (NONCE_ALREADY_USED)', async () => {
      const { nonce } = await requestChallenge(anyone, maker.id);
      const signature = signChallenge(nonce, maker.key);
      const args = { participantId: maker.id, keyId: 'k1', nonce, signature };
      await signInCall(anyone, args);
      expect(await failure(signInCall(anyone, args))).toMatchObject({
        code: 'NONCE_ALREADY_USED',
        field: 'nonce',
      });
    });

    it('refuses a nonce never issued, or issued to another participant (NONCE_UNKNOWN)', async () => {
      const made = 'A'.repeat(43);
      expect(
        await failure(
          signInCall(anyone, {
            participantId: maker.id,
            keyId: 'k1',
            nonce: made,
            signature: signChallenge(made, maker.key),
          }),
        ),
      ).toMatchObject({ code: 'NONCE_UNKNOWN', field: 'nonce' });
      const { nonce } = await requestChallenge(anyone, distributor.id);
      expect(
        await failure(
          signInCall(anyone, {
            participantId: maker.id,
            keyId: 'k1',
            nonce,
            signature: signChallenge(nonce, maker.key),
          }),
        ),
      ).toMatchObject({ code: 'NONCE_UNKNOWN' });
    });

    it('refuses an expired nonce (NONCE_EXPIRED)', async () => {
      const { nonce } = await requestChallenge(anyone, maker.id);
      await sql(
        `UPDATE sign_in_challenge SET expires_at = now() - interval '1 second' WHERE nonce = $1`,
        [nonce],
      );
      expect(
        await failure(
          signInCall(anyone, {
            participantId: maker.id,
            keyId: 'k1',
            nonce,
            signature: signChallenge(nonce, maker.key),
          }),
        ),
      ).toMatchObject({ code: 'NONCE_EXPIRED', field: 'nonce' });
    });

    it('refuses a wrong signature (BAD_SIGNATURE), and the nonce is spent', async () => {
      const { nonce } = await requestChallenge(anyone, maker.id);
      const args = {
        participantId: maker.id,
        keyId: 'k1',
        nonce,
        signature: signChallenge(nonce, newKey('other')),
      };
      expect(await failure(signInCall(anyone, args))).toMatchObject({
        code: 'BAD_SIGNATURE',
        field: 'signature',
      });
      const right = { ...args, signature: signChallenge(nonce, maker.key) };
      expect(await failure(signInCall(anyone, right))).toMatchObject({
        code: 'NONCE_ALREADY_USED',
      });
    });

    it('refuses a signature over another message (BAD_SIGNATURE) and a malformed one (BAD_USER_INPUT)', async () => {
      const { nonce } = await requestChallenge(anyone, maker.id);
      const unprefixed = Buffer.from(
        (await import('@noble/curves/ed25519.js')).ed25519.sign(
          new TextEncoder().encode(nonce),
          maker.key.secretKey,
        ),
      ).toString('base64url');
      expect(
        await failure(
          signInCall(anyone, {
            participantId: maker.id,
            keyId: 'k1',
            nonce,
            signature: unprefixed,
          }),
        ),
      ).toMatchObject({ code: 'BAD_SIGNATURE' });
      const { nonce: n2 } = await requestChallenge(anyone, maker.id);
      expect(
        await failure(
          signInCall(anyone, {
            participantId: maker.id,
            keyId: 'k1',
            nonce: n2,
            signature: 'not-a-signature',
          }),
        ),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'signature' });
    });

    it('refuses an unknown participant (UNKNOWN_PARTICIPANT) on requestChallenge and signIn', async () => {
      const stranger = gln(950600000097);
      expect(await failure(requestChallenge(anyone, stranger))).toMatchObject({
        code: 'UNKNOWN_PARTICIPANT',
        field: 'participantId',
      });
      expect(
        await failure(
          signInCall(anyone, {
            participantId: stranger,
            keyId: 'k1',
            nonce: 'A'.repeat(43),
            signature: signChallenge('x', maker.key),
          }),
        ),
      ).toMatchObject({ code: 'UNKNOWN_PARTICIPANT' });
    });

    it('refuses an unknown key (UNKNOWN_KEY)', async () => {
      const { nonce } = await requestChallenge(anyone, maker.id);
      expect(
        await failure(
          signInCall(anyone, {
            participantId: maker.id,
            keyId: 'k9',
            nonce,
            signature: signChallenge(nonce, maker.key),
          }),
        ),
      ).toMatchObject({ code: 'UNKNOWN_KEY', field: 'keyId' });
    });

    it('refuses a key whose validFrom is still ahead (KEY_NOT_YET_VALID)', async () => {
      const later = newKey('later');
      await admin.request(ADD_KEY, {
        id: maker.id,
        key: { keyId: later.keyId, publicKey: later.publicKey, validFrom: '2099-01-01T00:00:00Z' },
      });
      expect(await failure(signInWith(running.url, maker.id, later))).toMatchObject({
        code: 'KEY_NOT_YET_VALID',
        field: 'keyId',
      });
    });

    it('refuses a revoked key (KEY_REVOKED), and ends the sessions it opened', async () => {
      const id = gln(950600000030);
      const key = newKey('soon-revoked');
      const spare = newKey('spare');
      await register(admin, participantInput(id, ['DISPENSER'], [key, spare]));
      const { token } = await signInWith(running.url, id, key);
      const session = client(running.url, token);
      await expect(session.request(PARTICIPANT, { id })).resolves.toBeDefined();

      await admin.request(REVOKE_KEY, { id, keyId: key.keyId });
      expect(await failure(signInWith(running.url, id, key))).toMatchObject({
        code: 'KEY_REVOKED',
        field: 'keyId',
      });
      expect(await failure(session.request(PARTICIPANT, { id }))).toMatchObject({
        code: 'KEY_REVOKED',
      });
      const other = await signInWith(running.url, id, spare);
      await expect(
        client(running.url, other.token).request(PARTICIPANT, { id }),
      ).resolves.toBeDefined();
    });

    it('refuses a malformed participant id on requestChallenge, naming the field', async () => {
      expect(await failure(requestChallenge(anyone, '12345'))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'participantId',
      });
    });
  });

  describe('access rules', () => {
    it('refuses participant() without a token (UNAUTHENTICATED)', async () => {
      expect(await failure(anyone.request(PARTICIPANT, { id: maker.id }))).toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    });

    it('refuses a token that is not a Custos session, even where anyone may call', async () => {
      expect(
        await failure(requestChallenge(client(running.url, 'forged.token.x'), maker.id)),
      ).toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    });

    it('answers null for an unregistered GLN and BAD_USER_INPUT for a malformed one', async () => {
      const { token } = await signInWith(running.url, distributor.id, distributor.key);
      const session = client(running.url, token);
      await expect(session.request(PARTICIPANT, { id: gln(950600000096) })).resolves.toEqual({
        participant: null,
      });
      expect(await failure(session.request(PARTICIPANT, { id: '1234' }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'id',
      });
    });

    it('refuses registration, keys and revocation to a trading partner (FORBIDDEN) and to nobody (UNAUTHENTICATED)', async () => {
      const { token } = await signInWith(running.url, distributor.id, distributor.key);
      const partner = client(running.url, token);
      const input = participantInput(gln(950600000040), ['DISPENSER'], []);
      const calls = (c: GraphQLClient) => [
        register(c, input),
        c.request(ADD_KEY, {
          id: maker.id,
          key: { keyId: 'x9', publicKey: newKey('x9').publicKey },
        }),
        c.request(REVOKE_KEY, { id: maker.id, keyId: 'k1' }),
      ];
      // Adding a key is the admin's, or the participant's own signed request: a regulator
      // may not either (issue 13, docs/adr/0014).
      const expected = [
        /^only the admin or a REGULATOR may do this$/,
        new RegExp(`^a key of ${maker.id} is added by the admin or by ${maker.id}'s own request`),
        new RegExp(`^a key of ${maker.id} is revoked by the admin, a regulator, or ${maker.id}'s`),
      ];
      for (const [i, call] of calls(partner).entries()) {
        const err = await failure(call);
        expect(err).toMatchObject({ code: 'FORBIDDEN' });
        expect(err.message).toMatch(expected[i]!);
      }
      for (const call of calls(anyone)) {
        expect(await failure(call)).toMatchObject({ code: 'UNAUTHENTICATED' });
      }
      const after = await admin.request<{ participant: ParticipantView }>(PARTICIPANT, {
        id: maker.id,
      });
      expect(after.participant.keys.find((k) => k.keyId === 'k1')?.revokedAt).toBeNull();
    });
  });
});
