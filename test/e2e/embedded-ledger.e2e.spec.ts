// The whole ledger on the embedded defaults (one PGlite, BullMQ on it, no server): events
// submitted, sealed by the worker, a package verified with proofs that check offline, and
// all of it still there, and still verifying, after a restart. Same code paths as on
// PostgreSQL + Redis: only the configuration differs (docs/adr/0001).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-request';
import { checkVerificationBundle } from '../../libs/ledger/src/verification-bundle';
import {
  COMPANY_PREFIX,
  gln,
  LedgerWorld,
  sscc,
  ssccUri,
  unitUri,
  VERIFY,
  type VerificationAnswer,
} from '../fixtures/ledger-world';
import { startProduct } from '../product';
import { tempDir } from '../storage';

describe('embedded mode: the whole ledger', () => {
  const dir = tempDir('embedded-ledger');
  afterAll(() => dir.remove());

  it('ingests, seals and verifies with proofs, and keeps it all across a restart', async () => {
    const env = { CUSTOS_DATA_DIR: dir.path, SEAL_MAX_WAIT_MS: '100' };
    const first = await startProduct(env);
    const token = readFileSync(join(dir.path, 'secrets', 'admin-token'), 'utf8');
    let world = new LedgerWorld(first.url, token);
    const maker = await world.register(
      gln('950600000100'),
      'Maker',
      ['MANUFACTURER'],
      [COMPANY_PREFIX],
    );
    const pharmacy = await world.register(gln('950600000101'), 'Pharmacy', ['DISPENSER']);
    const unit = unitUri('EMB1');
    const box = ssccUri(sscc(`0${COMPANY_PREFIX}000000777`));
    await world.submit(maker, [
      world.signed(maker, 'COMMISSION', { items: [unit], lot: 'L1', expiry: '2030-12-31' }),
      world.signed(maker, 'PACK', { items: [unit], parent: box }),
      world.signed(maker, 'SHIP', { items: [box], to: pharmacy.id }),
    ]);
    await world.act(pharmacy, 'RECEIVE', { items: [box], from: maker.id });
    await world.sealedUpTo(pharmacy.client!, 4);
    const { ledgerKey } = await world.anonymous().request<{ ledgerKey: string }>(gql`
      {
        ledgerKey
      }
    `);
    const before = (await pharmacy.client!.request<VerificationAnswer>(VERIFY, { code: unit }))
      .verifyPackage;
    expect(before).toMatchObject({
      verdict: 'AUTHENTIC',
      findings: [],
      custodian: { id: pharmacy.id },
    });
    expect(before.proof?.entries).toHaveLength(4);
    expect(checkVerificationBundle(before, [ledgerKey]).ok).toBe(true);
    await expect(first.stop('SIGTERM')).resolves.toBe(0);

    const second = await startProduct(env);
    try {
      world = new LedgerWorld(second.url, token);
      await world.signIn(pharmacy);
      const after = (await pharmacy.client!.request<VerificationAnswer>(VERIFY, { code: unit }))
        .verifyPackage;
      expect(after).toMatchObject({
        verdict: 'AUTHENTIC',
        findings: [],
        custodian: { id: pharmacy.id },
      });
      expect(after.proof?.checkpoint.treeSize).toBe(4);
      expect(checkVerificationBundle(after, [ledgerKey]).ok).toBe(true);
      // The sealing key was kept with the data: the same ledger key signs after the restart.
      const again = await world.anonymous().request<{ ledgerKey: string }>(gql`
        {
          ledgerKey
        }
      `);
      expect(again.ledgerKey).toBe(ledgerKey);
    } finally {
      await expect(second.stop('SIGTERM')).resolves.toBe(0);
    }
  }, 180_000); // two starts of the embedded product (PGlite), seals and scans between
});
