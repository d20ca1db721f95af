// libs/sdk against the real product (embedded mode, a spawned server): keys, registration
// with the admin token, sign-in with the key alone, batched submission, idempotent
// resubmission, a rejection by index, verification and the offline check of its bundle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustosClient } from '../../libs/sdk/src/client';
import { createSignedEvent } from '../../libs/sdk/src/events';
import { generateKey } from '../../libs/sdk/src/keys';
import { verifyBundle } from '../../libs/sdk/src/bundle';
import { COMPANY_PREFIX, gln, GTIN, sscc, ssccUri, unitUri } from '../fixtures/ledger-world';
import { type Product, startProduct } from '../product';
import { tempDir } from '../storage';

describe('libs/sdk end to end', () => {
  const dir = tempDir('sdk-e2e');
  let product: Product;
  let adminToken: string;

  beforeAll(async () => {
    product = await startProduct({ CUSTOS_DATA_DIR: dir.path, SEAL_MAX_WAIT_MS: '100' });
    adminToken = readFileSync(join(dir.path, 'secrets', 'admin-token'), 'utf8').trim();
  });
  afterAll(async () => {
    await product?.stop();
    dir.remove();
  });

  it('registers, signs in, submits in batches, resubmits safely, verifies offline', async () => {
    const admin = new CustosClient({ url: product.url, token: adminToken });
    const makerId = gln('950600000201');
    const pharmacyId = gln('950600000202');
    const makerKey = generateKey('k1', makerId);
    const pharmacyKey = generateKey('k1', pharmacyId);
    const license = { number: 'L-1', authority: 'Test Agency', validUntil: '2099-12-31' };
    await admin.registerParticipant({
      id: makerId,
      name: 'SDK Maker',
      roles: ['MANUFACTURER'],
      companyPrefixes: [COMPANY_PREFIX],
      license,
      keys: [
        { keyId: makerKey.keyId, publicKey: makerKey.publicKey, validFrom: '2020-01-01T00:00:00Z' },
      ],
    });
    await admin.registerParticipant({
      id: pharmacyId,
      name: 'SDK Pharmacy',
      roles: ['DISPENSER'],
      license,
      keys: [{ keyId: pharmacyKey.keyId, publicKey: pharmacyKey.publicKey }],
    });

    const maker = new CustosClient({ url: product.url });
    const session = await maker.signIn(makerKey);
    expect(session.token).toBe(maker.token);

    const units = Array.from({ length: 25 }, (_, i) => unitUri(`SDK${i}`));
    const box = ssccUri(sscc(`0${COMPANY_PREFIX}000000901`));
    const at = new Date(Date.now() - 5000);
    const events = [
      ...units.map((u) =>
        createSignedEvent(
          makerKey,
          'COMMISSION',
          { items: [u], lot: 'SDK1', expiry: '2030-12-31' },
          { eventTime: at },
        ),
      ),
      createSignedEvent(makerKey, 'PACK', { items: units, parent: box }, { eventTime: at }),
      createSignedEvent(makerKey, 'SHIP', { items: [box], to: pharmacyId }, { eventTime: at }),
    ];
    const progress: number[] = [];
    const report = await maker.submit(events, {
      limits: { maxEvents: 10 },
      onProgress: (p) => progress.push(p.submitted),
    });
    expect(report).toMatchObject({
      ok: true,
      submitted: 27,
      accepted: 27,
      duplicates: 0,
      batches: 3,
    });
    expect(progress).toEqual([10, 20, 27]);

    // Resubmitting is safe by design: the same signed events are duplicates, nothing moves.
    const again = await maker.submit(events);
    expect(again).toMatchObject({ ok: true, accepted: 0, duplicates: 27, batches: 1 });

    // A rejection comes back with its index in the whole submission, the field named.
    const forged = {
      ...createSignedEvent(makerKey, 'DECOMMISSION', { items: [units[0]!], reason: 'DESTROYED' }),
    };
    const tampered = { ...forged, event: { ...forged.event, reason: 'STOLEN' } };
    const rejected = await maker.submit([...events.slice(0, 5), tampered], {
      limits: { maxEvents: 4 },
    });
    expect(rejected.ok).toBe(false);
    expect(rejected.rejections).toEqual([
      expect.objectContaining({ index: 5, code: 'BAD_SIGNATURE', eventId: forged.event.eventId }),
    ]);

    const pharmacy = new CustosClient({ url: product.url });
    await pharmacy.signIn(pharmacyKey);
    const receive = createSignedEvent(pharmacyKey, 'RECEIVE', { items: [box], from: makerId });
    expect((await pharmacy.submit([receive])).accepted).toBe(1);
    await pharmacy.waitForTreeSize(28);

    const answer = await pharmacy.verify(
      units[3]!.replace('https://id.gs1.org/01/', '(01)').replace('/21/', '(21)'),
    );
    expect(answer).toMatchObject({
      identifier: units[3],
      verdict: 'AUTHENTIC',
      findings: [],
      status: 'ACTIVE',
      custodian: { id: pharmacyId },
      product: { gtin: GTIN, lot: 'SDK1', expiry: '2030-12-31' },
    });
    expect(answer.trail.map((t) => t.type)).toEqual(['COMMISSION', 'PACK', 'SHIP', 'RECEIVE']);

    const ledgerKey = await pharmacy.ledgerKey();
    const offline = verifyBundle(JSON.parse(JSON.stringify(answer)), ledgerKey);
    expect(offline.ok).toBe(true);
    expect(offline.entries).toHaveLength(4);
    // The same bundle with one trail entry changed fails offline.
    const edited = {
      ...answer,
      trail: answer.trail.map((t, i) => (i === 1 ? { ...t, actor: pharmacyId } : t)),
    };
    expect(verifyBundle(edited, ledgerKey).ok).toBe(false);
  });

  it('a participant rotates its own key: adds one signed by its current key, revokes the old', async () => {
    const admin = new CustosClient({ url: product.url, token: adminToken });
    const id = gln('950600000203');
    const old = generateKey('k1', id);
    await admin.registerParticipant({
      id,
      name: 'SDK Rotating Pharmacy',
      roles: ['DISPENSER'],
      license: { number: 'L-3', authority: 'Test Agency', validUntil: '2099-12-31' },
      keys: [{ keyId: old.keyId, publicKey: old.publicKey }],
    });
    const me = new CustosClient({ url: product.url });
    await me.signIn(old);
    const next = generateKey('k2', id);
    // validFrom as a user writes it: signed as the server reads it (UTC, milliseconds).
    const added = await me.addKey(
      id,
      { keyId: next.keyId, publicKey: next.publicKey, validFrom: '2020-01-01T01:00:00+01:00' },
      old,
    );
    expect(added.keys.map((k) => k.keyId)).toEqual(['k1', 'k2']);
    // Without its signature the participant may not; a signature by another key is refused.
    await expect(me.addKey(id, generateKey('k3', id))).rejects.toThrow(/FORBIDDEN|added by/);
    await expect(me.revokeKey(id, 'k1', generateKey('k2', id))).rejects.toThrow(/signature/);
    const revoked = await me.revokeKey(id, 'k1', next);
    expect(revoked.keys.find((k) => k.keyId === 'k1')!.revokedAt).not.toBeNull();
    await expect(new CustosClient({ url: product.url }).signIn(old)).rejects.toThrow(/revoked/);
    await new CustosClient({ url: product.url }).signIn(next);
  });
});
