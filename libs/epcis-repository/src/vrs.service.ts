// The DSCSA verification responder (GS1 US Lightweight Messaging Standard 1.3): a
// verification request is answered from verifyPackage of the unit by GTIN + serial, the
// same custody replay, proofs and findings (SPEC section 6), read into the standard's
// codes by lwmsVerificationData. The responder is the brand owner of the GTIN: the
// participant that registered its company prefix; a GTIN no one registered is not here (404).
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { lwmsVerificationData, type LwmsData } from '@custos/epcis/lwms-verification';
import type { VrsConnectivityRequest, VrsVerifyRequest } from '@custos/epcis/vrs-request';
import { CANONICAL_STEM } from '@custos/gs1/digital-link';
import { percentEncode } from '@custos/gs1/percent';
import type { Participant } from '@custos/participants/participant';
import { ParticipantService } from '@custos/participants/participant.service';
import { VerificationService } from '@custos/verification/verification.service';
import { tradingPartner } from './trading-partner';

export interface VrsVerificationResponse {
  readonly verificationTimestamp: string;
  readonly responderGLN: string;
  readonly data: LwmsData;
  readonly corrUUID: string;
}

export interface VrsConnectivityResponse {
  readonly responderGLN: string;
}

@Injectable()
export class VrsService {
  constructor(
    private readonly verification: VerificationService,
    private readonly participants: ParticipantService,
  ) {}

  async checkConnectivity(
    principal: Principal | undefined,
    request: VrsConnectivityRequest,
    now = new Date(),
  ): Promise<VrsConnectivityResponse> {
    await this.requester(principal, request.requesterGln, now);
    return { responderGLN: (await this.responder(request.gtin)).id };
  }

  async verify(
    principal: Principal | undefined,
    request: VrsVerifyRequest,
    now = new Date(),
  ): Promise<VrsVerificationResponse> {
    await this.requester(principal, request.requesterGln, now);
    const responder = await this.responder(request.gtin);
    // The unit by its key only: lot and expiry are compared here, into the No_match codes.
    const unit = `${CANONICAL_STEM}/01/${request.gtin}/21/${percentEncode(request.serial)}`;
    const result = await this.verification.verifyPackage(unit, principal, 'scan', now);
    const data = lwmsVerificationData(
      { lot: request.lot, expiry: request.expiry },
      { findings: result.findings, product: result.product },
      now,
    );
    return {
      verificationTimestamp: now.toISOString(),
      responderGLN: responder.id,
      data,
      corrUUID: request.corrUUID ?? randomUUID(),
    };
  }

  private async requester(
    principal: Principal | undefined,
    requesterGln: string,
    now: Date,
  ): Promise<Participant> {
    const participant =
      principal?.kind === 'participant' ? await this.participants.find(principal.id) : undefined;
    return tradingPartner(principal, participant, requesterGln, now);
  }

  private async responder(gtin: string): Promise<Participant> {
    const owner = await this.participants.ownerOfGtin(gtin);
    if (!owner)
      throw new DomainError(
        'NOT_FOUND',
        `gtin: ${gtin} is not on this system (no participant registered its company prefix)`,
        'gtin',
      );
    return owner;
  }
}
