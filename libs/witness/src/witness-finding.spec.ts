import type { WitnessAssessment } from '@custos/ledger/witness-policy';
import { standingRollback } from './ledger-rollback';
import { unwitnessedFinding } from './witness-finding';

const met: WitnessAssessment = { witnessed: true, quorum: 1, witnesses: [], summary: 'ok' };
const unmet: WitnessAssessment = { ...met, witnessed: false, summary: '0 of 1 vouched' };

describe('unwitnessedFinding (SPEC 9)', () => {
  it('never with no witnesses configured, whatever else', () => {
    expect(unwitnessedFinding({ configured: 0, assessment: unmet, rollback: 'r' })).toBeUndefined();
  });
  it('a standing rollback wins over a met quorum', () => {
    expect(unwitnessedFinding({ configured: 2, assessment: met, rollback: 'size 9 > 5' })).toMatch(
      /larger tree .* unresolved: size 9 > 5/,
    );
  });
  it('an unmet quorum says why; a met one is no finding', () => {
    expect(unwitnessedFinding({ configured: 1, assessment: unmet })).toMatch(
      /lacks a quorum .*: 0 of 1 vouched/,
    );
    expect(unwitnessedFinding({ configured: 1, assessment: met })).toBeUndefined();
  });
});

describe('standingRollback', () => {
  const at = (id: number) => ({ id: BigInt(id), message: `#${id}` });
  it('stands until a newer resolution', () => {
    expect(standingRollback(undefined, at(3))).toBeUndefined();
    expect(standingRollback(at(2), undefined)).toEqual(at(2));
    expect(standingRollback(at(2), at(3))).toBeUndefined();
    expect(standingRollback(at(4), at(3))).toEqual(at(4));
  });
});
