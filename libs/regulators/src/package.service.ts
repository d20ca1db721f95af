// package(code) (SPEC section 7): a unit's trail under the read rule. verifyPackage does
// the replay and re-verification and says whether this caller may read the trail
// (`trailVisible`: a regulator or the admin always; a trading partner only for a unit
// that was once in its custody). Reading is not scanning: it raises no alert, and an
// identifier never commissioned answers null.
import { Injectable } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { canonicalIdentifier } from '@custos/gs1/canonical';
import { Gs1Error } from '@custos/gs1/errors';
import { parseIdentifier } from '@custos/gs1/parse';
import {
  type TrailStep,
  type VerificationResult,
  VerificationService,
} from '@custos/verification/verification.service';
import { UnitStateRepository } from '@custos/store/unit-state.repository';
import type { Participant } from '@custos/participants/participant';

export interface PackageView {
  readonly identifier: string;
  readonly status: NonNullable<VerificationResult['status']>;
  readonly custodian: Participant | undefined;
  readonly product: VerificationResult['product'];
  readonly trail: readonly TrailStep[];
}

@Injectable()
export class PackageService {
  constructor(
    private readonly verification: VerificationService,
    private readonly units: UnitStateRepository,
  ) {}

  async read(code: string, principal: Principal | undefined): Promise<PackageView | undefined> {
    let identifier: string;
    try {
      const parsed = parseIdentifier(code);
      if (parsed.kind !== 'unit' && parsed.kind !== 'logistic-unit') {
        throw new DomainError(
          'BAD_USER_INPUT',
          `code: a package is a unit (GTIN with serial) or a logistic unit (SSCC), not a ${parsed.kind}`,
          'code',
        );
      }
      identifier = canonicalIdentifier(parsed);
    } catch (err) {
      if (err instanceof Gs1Error)
        throw new DomainError('BAD_USER_INPUT', `code: ${err.message}`, 'code');
      throw err;
    }
    if (!(await this.units.exists(identifier))) return undefined;
    const result = await this.verification.verifyPackage(code, principal, 'read');
    if (!result.trailVisible) {
      throw new DomainError(
        'FORBIDDEN',
        `not allowed: the trail of ${identifier} is readable by regulators and by the parties that held it`,
        'code',
      );
    }
    if (result.status === undefined) return undefined;
    return {
      identifier: result.identifier,
      status: result.status,
      custodian: result.custodian,
      product: result.product,
      trail: result.trail,
    };
  }
}
