import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import type { Participant } from '@custos/participants/participant';
import { tradingPartner } from './trading-partner';

const now = new Date('2026-12-01T00:00:00Z');
const wholesaler: Participant = {
  id: '9506000000015',
  name: 'Wholesale Ltd',
  roles: ['DISTRIBUTOR'],
  companyPrefixes: [],
  license: { number: 'L', authority: 'A', validUntil: new Date('2027-01-01T00:00:00Z') },
  keys: [],
};
const session: Principal = { kind: 'participant', id: wholesaler.id, roles: ['DISTRIBUTOR'] };

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'allowed';
}

describe('who may ask a DSCSA verification question', () => {
  it('a licensed trading partner asking as itself', () => {
    expect(tradingPartner(session, wholesaler, wholesaler.id, now)).toBe(wholesaler);
  });

  it('nobody signed in: 401', () => {
    expect(code(() => tradingPartner(undefined, undefined, wholesaler.id, now))).toMatch(
      /^UNAUTHENTICATED/,
    );
  });

  it('403 for the admin, another GLN, a regulator, a lapsed license', () => {
    expect(code(() => tradingPartner({ kind: 'admin' }, undefined, wholesaler.id, now))).toMatch(
      /^FORBIDDEN: the admin/,
    );
    expect(code(() => tradingPartner(session, wholesaler, '9506000000022', now))).toMatch(
      /^FORBIDDEN: reqGLN: 9506000000022 is not the signed-in participant/,
    );
    const regulator = { ...wholesaler, roles: ['REGULATOR' as const] };
    expect(code(() => tradingPartner(session, regulator, wholesaler.id, now))).toMatch(
      /not a trading partner/,
    );
    const lapsed = new Date('2027-01-02T00:00:00Z');
    expect(code(() => tradingPartner(session, wholesaler, wholesaler.id, lapsed))).toMatch(
      /license of 9506000000015 lapsed/,
    );
  });
});
