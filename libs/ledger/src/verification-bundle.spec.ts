import { encodeVerifierKey } from './note';
import { publicKeyOf, randomSecretKey } from './ed25519';
import { checkVerificationBundle } from './verification-bundle';
import { makeBundle, ORIGIN, vkey } from '../../../test/fixtures/verification-bundle';

const failed = (report: ReturnType<typeof checkVerificationBundle>) =>
  report.checks.filter((c) => !c.ok).map((c) => c.what);

describe('checkVerificationBundle', () => {
  it('accepts an honest answer, given as the Verification or as the whole GraphQL response', () => {
    const bundle = makeBundle();
    for (const input of [bundle, { data: { verifyPackage: bundle } }]) {
      const report = checkVerificationBundle(input, [vkey]);
      expect(failed(report)).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.entries.map((e) => e.event.type)).toEqual(['COMMISSION', 'SHIP', 'RECEIVE']);
      expect(report.checks.length).toBeGreaterThanOrEqual(2 + 3 * 4 + 3);
    }
  });

  it('refuses another ledger key', () => {
    const other = encodeVerifierKey(ORIGIN, publicKeyOf(randomSecretKey()));
    const report = checkVerificationBundle(makeBundle(), [other]);
    expect(report.ok).toBe(false);
    expect(failed(report)).toEqual(['checkpoint signed by the ledger key']);
  });

  it('catches an edited event, path, checkpoint field and trail', () => {
    const edited = makeBundle();
    const entry = edited.proof.entries[1]!;
    const input = JSON.parse(Buffer.from(entry.leafInput, 'base64').toString('utf8')) as {
      event: { to?: string };
    };
    input.event.to = '9506000000021';
    entry.leafInput = Buffer.from(JSON.stringify(input)).toString('base64');
    expect(failed(checkVerificationBundle(edited, [vkey]))).toContain(
      `entry 1 (leaf 3, event ${entry.eventId}): leaf hash recomputed from the signed event`,
    );

    const badPath = makeBundle();
    badPath.proof.entries[0]!.path[0] = '00'.repeat(32);
    expect(failed(checkVerificationBundle(badPath, [vkey]))).toEqual([
      `entry 0 (leaf 2, event ${badPath.proof.entries[0]!.eventId}): proof`,
    ]);

    const badRoot = makeBundle();
    badRoot.proof.checkpoint.rootHash = 'ab'.repeat(32);
    expect(failed(checkVerificationBundle(badRoot, [vkey]))).toEqual([
      'checkpoint fields match the signed note',
    ]);

    const badTrail = makeBundle();
    badTrail.trail[2]!.actor = '9506000000038';
    expect(failed(checkVerificationBundle(badTrail, [vkey]))).toEqual([
      `trail RECEIVE ${badTrail.trail[2]!.eventId} is the signed, proven event`,
    ]);
  });

  it('reports junk as failed checks, never a throw', () => {
    for (const junk of [
      null,
      42,
      'text',
      { proof: {} },
      { proof: { checkpoint: { note: 'x' }, entries: [{}] } },
    ]) {
      const report = checkVerificationBundle(junk, [vkey]);
      expect(report.ok).toBe(false);
    }
    expect(checkVerificationBundle(makeBundle(), ['not a vkey']).ok).toBe(false);
    expect(checkVerificationBundle(makeBundle(), []).ok).toBe(false);
  });
});
