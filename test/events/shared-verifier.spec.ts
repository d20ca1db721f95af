// Every module that checks signatures (ingest, the sealer, the audit) gets the same
// SignatureVerificationService, so a process runs one pool of verifier threads.
import { Test, type TestingModule } from '@nestjs/testing';
import { CoreModule } from '../../libs/core/src/core.module';
import { EventsModule } from '../../libs/events/src/events.module';
import { IngestService } from '../../libs/events/src/ingest.service';
import { SignatureVerificationService } from '../../libs/events/src/signature-verification.service';
import { ParticipantsModule } from '../../libs/participants/src/participants.module';
import { AuditService } from '../../libs/regulators/src/audit.service';
import { RegulatorsModule } from '../../libs/regulators/src/regulators.module';
import { SealingModule } from '../../libs/sealing/src/sealing.module';
import { SealingService } from '../../libs/sealing/src/sealing.service';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

describe('one signature verifier per process', () => {
  let db: TestDatabase;
  let module: TestingModule;

  beforeAll(async () => {
    db = await createTestDatabase('shared-verifier');
    module = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot(serverConfig(db, testQueuePrefix('shared-verifier'))),
        ParticipantsModule,
        EventsModule,
        SealingModule,
        RegulatorsModule,
      ],
    }).compile();
  });
  afterAll(async () => {
    await module?.close();
    await db?.drop();
  });

  it('is one instance, the one ingest, the sealer and the audit were given', () => {
    const all = module.get(SignatureVerificationService, { strict: false, each: true });
    expect(all).toHaveLength(1);
    const verifierOf = (service: object) =>
      Object.values(service).find((v) => v instanceof SignatureVerificationService);
    expect(verifierOf(module.get(IngestService, { strict: false }))).toBe(all[0]);
    expect(verifierOf(module.get(SealingService, { strict: false }))).toBe(all[0]);
    expect(verifierOf(module.get(AuditService, { strict: false }))).toBe(all[0]);
  });
});
