// Regulators' queries and the alertRaised subscription (SPEC sections 1 and 7). Thin:
// each reads its input, calls one service, and maps the answer; custodians are read in
// one batch per answer, never one query per row.
import { Args, Int, Query, Resolver, Subscription } from '@nestjs/graphql';
import type { Principal } from '@custos/core/auth/principal';
import { ParticipantService } from '@custos/participants/participant.service';
import { AlertListener } from '@custos/regulators/alert-listener.service';
import { AlertsService } from '@custos/regulators/alerts.service';
import { LotTraceService } from '@custos/regulators/lot-trace.service';
import { PackageService } from '@custos/regulators/package.service';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { PackageStatus } from '../graphql/ledger-enums';
import { type Participant, toParticipant } from '../participants/participant.model';
import { AlertFilterArgs, toAlertFilter } from './alert-filter.args';
import { mapIterator } from './map-iterator';
import { toTrailEntry } from '../verification/verification.model';
import { Alert, AlertConnection, LotTrace, Package, toAlert } from './regulators.model';

@Resolver()
export class RegulatorsResolver {
  constructor(
    private readonly lotTraces: LotTraceService,
    private readonly packages: PackageService,
    private readonly alertList: AlertsService,
    private readonly listener: AlertListener,
    private readonly participants: ParticipantService,
  ) {}

  @Access.adminOr('REGULATOR')
  @Query(() => LotTrace, { description: 'Where every unit of a lot is now (regulators).' })
  async lotTrace(
    @Args('gtin') gtin: string,
    @Args('lot') lot: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<LotTrace> {
    const trace = await this.lotTraces.trace(gtin, lot, first, after);
    const ids = [
      ...trace.byCustodian.map((c) => c.custodian),
      ...trace.units.edges.map((e) => e.node.custodian),
    ].filter((id): id is string => id !== null);
    const found = await this.participantsById(ids);
    return {
      gtin: trace.gtin,
      lot: trace.lot,
      totalUnits: trace.totalUnits,
      byStatus: trace.byStatus.map((s) => ({ status: PackageStatus[s.status], count: s.count })),
      byCustodian: trace.byCustodian.flatMap((c) => {
        const custodian = c.custodian === null ? undefined : found.get(c.custodian);
        return custodian ? [{ custodian, count: c.count }] : [];
      }),
      units: {
        edges: trace.units.edges.map((e) => ({
          cursor: e.cursor,
          node: {
            identifier: e.node.identifier,
            status: PackageStatus[e.node.status],
            custodian: e.node.custodian ? (found.get(e.node.custodian) ?? null) : null,
          },
        })),
        pageInfo: { hasNextPage: trace.units.hasNextPage, endCursor: trace.units.endCursor },
      },
    };
  }

  // Any signed-in participant; the trail read rule (SPEC 7) is applied by the service,
  // which answers FORBIDDEN to a trading partner that never held the unit.
  @Access.signedIn()
  @Query(() => Package, { nullable: true, description: "A package's trail, per read rules." })
  async package(
    @Args('code') code: string,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<Package | null> {
    const view = await this.packages.read(code, principal);
    if (!view) return null;
    return {
      identifier: view.identifier,
      status: PackageStatus[view.status],
      ...(view.custodian ? { custodian: toParticipant(view.custodian) } : {}),
      ...(view.product ? { product: { ...view.product } } : {}),
      trail: view.trail.map(toTrailEntry),
    };
  }

  @Access.adminOr('REGULATOR')
  @Query(() => AlertConnection, { description: 'Alerts for regulators, newest first.' })
  async alerts(
    @Args() filter: AlertFilterArgs,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<AlertConnection> {
    const page = await this.alertList.list(toAlertFilter(filter), first, after);
    return {
      edges: page.edges.map((e) => ({ cursor: e.cursor, node: toAlert(e.node) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }

  // Regulators and the admin only: alerts name units, scanners and trading partners
  // across the whole market, which the SPEC 7 read rule keeps from other participants.
  @Access.adminOr('REGULATOR')
  @Subscription(() => Alert, {
    description:
      'Every alert committed from now on, in any process, once per subscriber, filtered like `alerts`. With `since`, first those raised since then that are already committed, oldest first, read once the server listens (none committed in between is missed).',
    resolve: (alert: Alert) => alert,
  })
  async alertRaised(@Args() filter: AlertFilterArgs): Promise<AsyncIterableIterator<Alert>> {
    const source = await this.listener.follow(toAlertFilter(filter));
    return mapIterator(source, toAlert);
  }

  private async participantsById(ids: readonly string[]): Promise<Map<string, Participant>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const records = await this.participants.findMany(unique);
    return new Map([...records].map(([id, record]) => [id, toParticipant(record)]));
  }
}
