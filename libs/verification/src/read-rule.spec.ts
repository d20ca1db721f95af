import { finding } from '@custos/custody/findings';
import { disclosedFindings, mayReadTrail } from './read-rule';

const holders = new Set(['0950600000002']);
const pharmacy = { kind: 'participant', id: '0950600000002', roles: ['DISPENSER'] } as const;
const stranger = { kind: 'participant', id: '0950600000003', roles: ['DISPENSER'] } as const;
const regulator = { kind: 'participant', id: '0950600000004', roles: ['REGULATOR'] } as const;

describe('read rule', () => {
  it('gives the trail to the admin, regulators and holders only', () => {
    expect(mayReadTrail({ kind: 'admin' }, holders)).toBe(true);
    expect(mayReadTrail(regulator, holders)).toBe(true);
    expect(mayReadTrail(pharmacy, holders)).toBe(true);
    expect(mayReadTrail(stranger, holders)).toBe(false);
    expect(mayReadTrail(undefined, holders)).toBe(false);
  });

  it('keeps parties and event ids from a caller kept from the trail', () => {
    const dispensed = finding(
      'ALREADY_DISPENSED',
      'dispensed by 0950600000002 at 2026-01-01T00:00:00Z',
      'e1',
      'dispensed at 2026-01-01T00:00:00Z',
    );
    expect(disclosedFindings([dispensed], true)).toEqual([
      {
        code: 'ALREADY_DISPENSED',
        severity: 'CRITICAL',
        message: 'dispensed by 0950600000002 at 2026-01-01T00:00:00Z',
        eventId: 'e1',
      },
    ]);
    expect(disclosedFindings([dispensed], false)).toEqual([
      {
        code: 'ALREADY_DISPENSED',
        severity: 'CRITICAL',
        message: 'dispensed at 2026-01-01T00:00:00Z',
      },
    ]);
  });
});
