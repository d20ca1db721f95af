import { finding } from '@custos/custody/findings';
import { type TrailStep, disclose, disclosedFindings, mayReadTrail } from './read-rule';

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

  it('gives the trail and the proof of its steps only to a caller who may read it', () => {
    const step = (eventId: string): TrailStep => ({
      eventId,
      type: 'COMMISSION',
      actor: '0950600000001',
      eventTime: '2026-01-01T00:00:00Z',
      sealed: true,
      blockHeight: 0,
      leafIndex: 0,
    });
    const entry = (eventId: string) => ({ eventId, leafIndex: 0 });
    const outcome = {
      holders,
      findings: [finding('CUSTODY_BREAK', 'held by 0950600000002', 'e1', 'held by another')],
      trail: [step('e1')],
      // e2 was read and proven (another lot's recall) but is not in this unit's trail.
      proof: { checkpoint: 'c', entries: [entry('e1'), entry('e2')] },
    };
    expect(disclose(pharmacy, outcome)).toEqual({
      trailVisible: true,
      findings: disclosedFindings(outcome.findings, true),
      trail: [step('e1')],
      proof: { checkpoint: 'c', entries: [entry('e1')] },
    });
    expect(disclose(stranger, outcome)).toEqual({
      trailVisible: false,
      findings: [
        {
          code: 'CUSTODY_BREAK',
          severity: outcome.findings[0]!.severity,
          message: 'held by another',
        },
      ],
      trail: [],
      proof: undefined,
    });
  });
});
