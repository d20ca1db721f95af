import fc from 'fast-check';
import { signCheckpoint } from './checkpoint';
import { cosign, cosignerKeyOf } from './cosignature';
import { LedgerArgumentError } from './errors';
import { FUTURE_SKEW_SECONDS, assessWitnesses } from './witness-policy';

const log = { name: 'custos.test/log', secretKey: new Uint8Array(32).fill(1) };
const w1 = { name: 'witness.test/w1', secretKey: new Uint8Array(32).fill(2) };
const w2 = { name: 'witness.test/w2', secretKey: new Uint8Array(32).fill(3) };
const w3 = { name: 'witness.test/w3', secretKey: new Uint8Array(32).fill(4) };
const keys = [w1, w2, w3].map(cosignerKeyOf);
const note = signCheckpoint({ origin: log.name, size: 7, rootHash: new Uint8Array(32) }, [log]);
const NOW = 1_800_000_000;

describe('assessWitnesses (SPEC 9 quorum of fresh cosignatures)', () => {
  it('counts fresh cosignatures by the policy keys and says who vouched how long ago', () => {
    const cosigned = note + cosign(note, w1, NOW - 10) + cosign(note, w2, NOW - 4000);
    const a = assessWitnesses(cosigned, { witnesses: keys, quorum: 1, maxAgeSeconds: 3600 }, NOW);
    expect(a.witnessed).toBe(true);
    expect(a.witnesses.map((w) => [w.name, w.fresh, w.ageSeconds])).toEqual([
      ['witness.test/w1', true, 10],
      ['witness.test/w2', false, 4000],
      ['witness.test/w3', false, undefined],
    ]);
    expect(a.summary).toBe('1 of 3 witnesses vouched (quorum 1): witness.test/w1 10 s ago');
    const two = assessWitnesses(cosigned, { witnesses: keys, quorum: 2, maxAgeSeconds: 3600 }, NOW);
    expect(two.witnessed).toBe(false);
    expect(two.summary).toMatch(/quorum 2 not met .*w2: cosigned 4000 s ago.*w3: no cosignature/);
  });

  it('ignores lines by unknown keys and never counts a cosignature that does not verify', () => {
    const other = { name: 'witness.test/w1', secretKey: new Uint8Array(32).fill(9) };
    const forged = note + cosign(note, other, NOW); // same name, other key: another key ID
    expect(
      assessWitnesses(forged, { witnesses: keys, quorum: 1, maxAgeSeconds: 60 }, NOW).witnessed,
    ).toBe(false);
    // w1's line on another checkpoint, pasted under this one: same key ID, bad signature.
    const elsewhere = signCheckpoint({ origin: log.name, size: 8, rootHash: new Uint8Array(32) }, [
      log,
    ]);
    const pasted = note + cosign(elsewhere, w1, NOW);
    const a = assessWitnesses(pasted, { witnesses: keys, quorum: 1, maxAgeSeconds: 60 }, NOW);
    expect(a.witnessed).toBe(false);
    expect(a.witnesses[0]!.problem).toMatch(/invalid cosignature by witness.test\/w1/);
  });

  it('a timestamp far ahead of the clock is not fresh', () => {
    const ahead = note + cosign(note, w1, NOW + FUTURE_SKEW_SECONDS + 1);
    const a = assessWitnesses(ahead, { witnesses: keys, quorum: 1, maxAgeSeconds: 3600 }, NOW);
    expect(a.witnessed).toBe(false);
    expect(a.witnesses[0]!.problem).toMatch(/in the future/);
    const near = note + cosign(note, w1, NOW + 30);
    expect(
      assessWitnesses(near, { witnesses: keys, quorum: 1, maxAgeSeconds: 3600 }, NOW).witnessed,
    ).toBe(true);
  });

  it('no witnesses is never witnessed; a quorum outside 1..n is refused by name', () => {
    expect(assessWitnesses(note, { witnesses: [], quorum: 0, maxAgeSeconds: 1 }, NOW)).toEqual({
      witnessed: false,
      quorum: 0,
      witnesses: [],
      summary: 'no witnesses given',
    });
    expect(() =>
      assessWitnesses(note, { witnesses: keys, quorum: 4, maxAgeSeconds: 1 }, NOW),
    ).toThrow(LedgerArgumentError);
    expect(() =>
      assessWitnesses(note, { witnesses: keys, quorum: 0, maxAgeSeconds: 1 }, NOW),
    ).toThrow(/quorum/);
  });

  it('witnessed exactly when at least quorum cosignatures are within maxAge', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 1, max: 7200 }), { nil: undefined }), {
          minLength: 3,
          maxLength: 3,
        }),
        fc.integer({ min: 1, max: 3 }),
        (ages, quorum) => {
          const signers = [w1, w2, w3];
          const text =
            note +
            ages
              .map((age, i) => (age === undefined ? '' : cosign(note, signers[i]!, NOW - age)))
              .join('');
          const fresh = ages.filter((age) => age !== undefined && age <= 3600).length;
          const a = assessWitnesses(text, { witnesses: keys, quorum, maxAgeSeconds: 3600 }, NOW);
          return a.witnessed === fresh >= quorum;
        },
      ),
      { numRuns: 30 },
    );
  });
});
