import { encodeVerifierKey } from './note';
import { publicKeyOf, randomSecretKey } from './ed25519';
import { cosign, encodeCosignerVkey } from './cosignature';
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

  it('given witness keys, checks their cosignatures on the checkpoint and the quorum', () => {
    const w1 = { name: 'witness.test/b1', secretKey: new Uint8Array(32).fill(7) };
    const w2 = { name: 'witness.test/b2', secretKey: new Uint8Array(32).fill(8) };
    const keys = [w1, w2].map((w) => encodeCosignerVkey(w.name, publicKeyOf(w.secretKey)));
    const now = 1_800_000_000;
    const bundle = makeBundle();
    const note = bundle.proof.checkpoint.note;
    bundle.proof.checkpoint.note = note + cosign(note, w1, now - 90);

    const one = checkVerificationBundle(bundle, [vkey], { witnesses: keys, quorum: 1, now });
    expect(failed(one)).toEqual([]);
    expect(one.witnesses?.witnesses.map((w) => [w.name, w.ageSeconds])).toEqual([
      ['witness.test/b1', 90],
      ['witness.test/b2', undefined],
    ]);
    expect(one.checks.find((c) => c.what.includes('quorum'))?.detail).toBe(
      '1 of 2 witnesses vouched (quorum 1): witness.test/b1 90 s ago',
    );
    // Quorum defaults to all; a max age applies against `now`.
    expect(failed(checkVerificationBundle(bundle, [vkey], { witnesses: keys, now }))).toEqual([
      'checkpoint cosigned by a quorum of witnesses',
    ]);
    expect(
      checkVerificationBundle(bundle, [vkey], {
        witnesses: keys,
        quorum: 1,
        maxAgeSeconds: 60,
        now,
      }).ok,
    ).toBe(false);
    // Without witness keys, cosignature lines are ignored and no witness check is made.
    const plain = checkVerificationBundle(bundle, [vkey]);
    expect(plain.ok).toBe(true);
    expect(plain.witnesses).toBeUndefined();
    // A malformed witness key is a failed check, not a throw.
    expect(failed(checkVerificationBundle(bundle, [vkey], { witnesses: ['nope'] }))).toEqual([
      'witness policy is well formed',
    ]);
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
