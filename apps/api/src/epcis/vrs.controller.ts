import { Controller, Get, Header, Param, Query, UseFilters, UseGuards } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { parseVrsConnectivityRequest, parseVrsVerifyRequest } from '@custos/epcis/vrs-request';
import {
  type VrsConnectivityResponse,
  VrsService,
  type VrsVerificationResponse,
} from '@custos/epcis-repository/vrs.service';
import { VrsProblemFilter } from './problem.filter';
import { RestCaller, RestCallerGuard } from './rest-caller';

/** DSCSA product verification, GS1 US Lightweight Messaging Standard 1.3 (SPEC section 10). */
@Controller('vrs')
@UseGuards(RestCallerGuard)
@UseFilters(VrsProblemFilter)
export class VrsController {
  constructor(private readonly vrs: VrsService) {}

  @Get('verify/gtin/:gtin/lot/:lot/ser/:ser')
  @Header('cache-control', 'private, no-cache')
  verify(
    @Param() path: Record<string, string>,
    @Query() query: Record<string, unknown>,
    @RestCaller() caller: Principal | undefined,
  ): Promise<VrsVerificationResponse> {
    return this.vrs.verify(caller, parseVrsVerifyRequest(path, query));
  }

  @Get('checkConnectivity')
  @Header('cache-control', 'private, no-cache')
  checkConnectivity(
    @Query() query: Record<string, unknown>,
    @RestCaller() caller: Principal | undefined,
  ): Promise<VrsConnectivityResponse> {
    return this.vrs.checkConnectivity(caller, parseVrsConnectivityRequest(query));
  }
}
