// The full-ledger audit for regulators: start it, read its progress and discrepancies,
// follow it live. Thin: the audit runs in the worker (libs/regulators/src/audit.service.ts).
import {
  Args,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { AuditProgressListener } from '@custos/regulators/audit-progress-listener.service';
import { AuditService } from '@custos/regulators/audit.service';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { AuditDiscrepancy, AuditRun, toAuditRun } from './audit.model';
import { mapIterator } from './map-iterator';

@Resolver(() => AuditRun)
export class AuditResolver {
  constructor(
    private readonly audit: AuditService,
    private readonly progress: AuditProgressListener,
  ) {}

  @Access.adminOr('REGULATOR')
  @Mutation(() => AuditRun, {
    description: 'Re-verify the whole ledger in the background (regulators).',
  })
  async startAudit(@CurrentPrincipal() principal: Principal | undefined): Promise<AuditRun> {
    return toAuditRun(await this.audit.start(principal));
  }

  @Access.adminOr('REGULATOR')
  @Query(() => AuditRun, { nullable: true, description: 'An audit and its progress.' })
  async auditRun(@Args('id', { type: () => ID }) id: string): Promise<AuditRun | null> {
    const progress = await this.audit.progress(id);
    return progress ? toAuditRun(progress) : null;
  }

  @Access.adminOr('REGULATOR')
  @ResolveField(() => [AuditDiscrepancy], {
    description: 'What the audit found so far, by block and leaf; page with after.',
  })
  async discrepancies(
    @Parent() run: AuditRun,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => ID, nullable: true }) after?: string,
  ): Promise<AuditDiscrepancy[]> {
    const limit = first ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new DomainError('BAD_USER_INPUT', 'first must be a positive integer', 'first');
    }
    const rows = await this.audit.discrepancies(run.id, after ?? null, limit);
    return rows.map((d) => ({ ...d, id: d.id.toString() }));
  }

  @Access.adminOr('REGULATOR')
  @Subscription(() => AuditRun, {
    description: "An audit's progress after every chunk; ends when it finishes.",
    resolve: (run: AuditRun) => run,
  })
  async auditProgress(
    @Args('id', { type: () => ID }) id: string,
  ): Promise<AsyncIterableIterator<AuditRun>> {
    if (!/^\d+$/.test(id)) throw new DomainError('BAD_USER_INPUT', 'id: an audit run id', 'id');
    return mapIterator(await this.progress.subscribe(BigInt(id)), toAuditRun);
  }
}
