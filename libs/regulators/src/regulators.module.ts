import { Module } from '@nestjs/common';
import { ParticipantsModule } from '@custos/participants/participants.module';
import { SealingModule } from '@custos/sealing/sealing.module';
import { StoreModule } from '@custos/store/store.module';
import { VerificationModule } from '@custos/verification/verification.module';
import { AlertListener } from './alert-listener.service';
import { AlertsService } from './alerts.service';
import { AuditProgressListener } from './audit-progress-listener.service';
import { AuditRepository } from './audit.repository';
import { AuditTables } from './audit-tables';
import { AUDIT_OPTIONS, AuditService, CHUNK_LEAVES } from './audit.service';
import { SignatureVerificationModule } from '@custos/events/signature-verification.module';
import { LotTraceService } from './lot-trace.service';
import { PackageService } from './package.service';

/** What regulators need (SPEC sections 1 and 7): lot traces, trails, alerts, the audit. */
@Module({
  imports: [
    ParticipantsModule,
    SealingModule,
    SignatureVerificationModule,
    StoreModule,
    VerificationModule,
  ],
  providers: [
    AlertsService,
    AlertListener,
    AuditRepository,
    AuditTables,
    { provide: AUDIT_OPTIONS, useValue: { chunkLeaves: CHUNK_LEAVES } },
    AuditService,
    AuditProgressListener,
    LotTraceService,
    PackageService,
  ],
  exports: [
    // The resolvers read custodians through it.
    ParticipantsModule,
    AlertsService,
    AlertListener,
    AuditService,
    AuditProgressListener,
    LotTraceService,
    PackageService,
  ],
})
export class RegulatorsModule {}
