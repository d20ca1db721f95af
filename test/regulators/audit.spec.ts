// The full-ledger audit on the real PostgreSQL: a ledger of really signed events sealed
// by the real sealer into blocks of 100; a clean audit finds nothing, and rows changed
// behind the application's back (an event, a tree node, a block) are each reported with
// their block and leaf.
import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { CoreModule } from '../../libs/core/src/core.module';
import { AUDIT_OPTIONS, AuditService } from '../../libs/regulators/src/audit.service';
import { RegulatorsModule } from '../../libs/regulators/src/regulators.module';
import { AuditRepository } from '../../libs/regulators/src/audit.repository';
import { AuditTables } from '../../libs/regulators/src/audit-tables';
import { BlockRepository } from '../../libs/store/src/block.repository';
import { EventIndexRepository } from '../../libs/store/src/event-index.repository';
import { LedgerEventRepository } from '../../libs/store/src/ledger-event.repository';
import { ParticipantKeyRepository } from '../../libs/store/src/participant-key.repository';
import { TreeNodeRepository } from '../../libs/store/src/tree-node.repository';
import type { Storage } from '../../libs/core/src/database/storage';
import { JOB_QUEUE, STORAGE } from '../../libs/core/src/tokens';
import { SignatureVerificationService } from '../../libs/events/src/signature-verification.service';
import { LedgerQueryService } from '../../libs/sealing/src/ledger-query.service';
import { KeyDirectoryService } from '../../libs/participants/src/key-directory.service';
import { SealingKeyService } from '../../libs/sealing/src/sealing-key.service';
import { SealingService } from '../../libs/sealing/src/sealing.service';
import { insertPending, registerKeys, shipEvent, testSigner } from '../sealing/fixture';
import { gln } from '../events/fixture';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

const EVENTS = 600;

describe('full-ledger audit', () => {
  let db: TestDatabase;
  let module: TestingModule;
  let sql: Client;
  let audit: AuditService;

  beforeAll(async () => {
    db = await createTestDatabase('audit');
    const config = serverConfig(db, testQueuePrefix('audit'), { SEAL_MAX_EVENTS: '100' });
    // Chunks of 50 leaves: a run of 600 leaves commits 12 times (two runs can interleave).
    module = await Test.createTestingModule({
      imports: [CoreModule.forRoot(config), RegulatorsModule],
    })
      .overrideProvider(AUDIT_OPTIONS)
      .useValue({ chunkLeaves: 50 })
      .compile();
    await module.init();
    audit = module.get(AuditService);
    sql = new Client({ connectionString: db.url });
    await sql.connect();

    const maker = testSigner(gln(1));
    await sql.query(
      `INSERT INTO participant (id, name, roles, company_prefixes, license_number, license_authority, license_valid_until)
       VALUES ($1, 'Maker', '{MANUFACTURER}', '{9506000}', 'L1', 'EMA', '2099-01-01')`,
      [maker.gln],
    );
    await registerKeys(sql, [maker]);
    await insertPending(
      sql,
      Array.from({ length: EVENTS }, (_, i) => shipEvent(maker, gln(2), `A${i}`)),
    );
    const sealing = module.get(SealingService);
    for (let i = 0; i < EVENTS / 100; i++) expect((await sealing.sealBlock()).block).toBeDefined();
  });
  afterAll(async () => {
    await sql?.end();
    await module?.close();
    await db?.drop();
  });

  async function runAudit() {
    const started = await audit.start(undefined);
    await audit.run(started.run.id.toString());
    const done = (await audit.progress(started.run.id.toString()))!;
    const found = await audit.discrepancies(started.run.id.toString(), null, 1000);
    return { done, found };
  }

  it('re-verifies a clean ledger: every leaf, node, root, checkpoint, link; finds nothing', async () => {
    const { done, found } = await runAudit();
    expect(found).toEqual([]);
    expect(done.run.status).toBe('COMPLETED');
    expect(done.run.nextLeaf).toBe(EVENTS);
    expect(done.run.nextBlock).toBe(6);
    expect(done.percentDone).toBe(100);
    expect(done.eventsPerSecond).toBeGreaterThan(0);
  });

  it('runs two audits at once, each with its own state: neither disturbs the other', async () => {
    // Issue 12: one key cache on the service, cleared by each run's start, let a second run
    // empty the keys of the first mid-walk (false KEY_MISSING). Two runs are allowed. The
    // repository orders the two runs so the second starts exactly while the first is
    // mid-walk: the first run's first commit waits until the second has started, and the
    // second's key read waits until the first has checked and committed another chunk.
    // A gate never holds longer than 2 s (a shared key cache can make a run wait on itself).
    const within = (gate: Promise<void>) =>
      Promise.race([gate, new Promise<void>((r) => setTimeout(r, 2000))]);
    // The gates sit on the tables the runs read (libs/store) and on the runs' commits.
    const gates = { walks: 0, commits: 0 };
    let secondStarted!: () => void;
    let firstMoved!: () => void;
    let atCommit!: () => void;
    const started = new Promise<void>((r) => (secondStarted = r));
    const moved = new Promise<void>((r) => (firstMoved = r));
    const committing = new Promise<void>((r) => (atCommit = r));
    class GatedBlocks extends BlockRepository {
      override async range(from: number, to: number) {
        const rows = await super.range(from, to);
        if (++gates.walks === 2) secondStarted();
        return rows;
      }
    }
    class GatedKeys extends ParticipantKeyRepository {
      override async publicKeys(pairs: readonly { actor: string; keyId: string }[]) {
        if (gates.walks >= 2) await within(moved);
        return super.publicKeys(pairs);
      }
    }
    class GatedRepository extends AuditRepository {
      override async commitChunk(...args: Parameters<AuditRepository['commitChunk']>) {
        const n = ++gates.commits;
        if (n === 1) {
          atCommit();
          await within(started);
        }
        const ok = await super.commitChunk(...args);
        if (n === 2) firstMoved();
        return ok;
      }
    }
    const storage = module.get<Storage>(STORAGE);
    const repository = new GatedRepository(storage);
    const tables = new AuditTables(
      module.get(LedgerEventRepository),
      module.get(EventIndexRepository),
      new GatedBlocks(storage),
      module.get(TreeNodeRepository),
      new GatedKeys(storage),
    );
    const gated = new AuditService(
      repository,
      tables,
      module.get(LedgerQueryService),
      module.get(SealingKeyService),
      module.get(SignatureVerificationService),
      module.get(KeyDirectoryService),
      module.get(JOB_QUEUE),
      { chunkLeaves: 50 },
    );
    const first = await gated.start(undefined);
    const second = await gated.start(undefined);
    const firstDone = gated.run(first.run.id.toString());
    await committing;
    await Promise.all([firstDone, gated.run(second.run.id.toString())]);
    for (const id of [first.run.id, second.run.id]) {
      expect((await gated.progress(id.toString()))!.run).toMatchObject({
        status: 'COMPLETED',
        nextLeaf: EVENTS,
      });
      expect(await gated.discrepancies(id.toString(), null, 1000)).toEqual([]);
    }
  });

  it('reports a changed event, tree node and block with their block and leaf', async () => {
    // Leaf 150 (block 1): the recipient rewritten in the stored event.
    await sql.query(
      `UPDATE ledger_event SET event_json = replace(event_json, $1, $2) WHERE leaf_index = 150`,
      [gln(2), gln(3)],
    );
    // The stored hash of leaf 420 (block 4).
    await sql.query(
      `UPDATE tree_node SET hash = decode(repeat('ab', 32), 'hex') WHERE level = 0 AND index = 420`,
    );
    // Block 5's sealedAt.
    await sql.query(`UPDATE block SET sealed_at = '2020-01-01T00:00:00.000Z' WHERE height = 5`);

    const { done, found } = await runAudit();
    expect(done.run.status).toBe('COMPLETED');
    const brief = found.map((d) => ({ kind: d.kind, block: d.blockHeight, leaf: d.leafIndex }));
    expect(brief).toEqual(
      expect.arrayContaining([
        { kind: 'EVENT_CONTENT', block: 1, leaf: 150 },
        { kind: 'SIGNATURE', block: 1, leaf: 150 },
        { kind: 'ROOT', block: 1, leaf: null },
        { kind: 'CHECKPOINT', block: 1, leaf: null },
        { kind: 'TREE_NODE', block: 4, leaf: 420 },
        { kind: 'BLOCK_HASH', block: 5, leaf: null },
      ]),
    );
    // Block 0, sealed before any change, is clean; every block after the changed leaf
    // reports a root (and checkpoint) that the recomputed tree no longer gives.
    expect(found.filter((d) => d.blockHeight === 0)).toEqual([]);
    for (const block of [2, 3, 4, 5]) {
      expect(brief).toContainEqual({ kind: 'ROOT', block, leaf: null });
    }
    expect(new Set(found.map((d) => d.kind))).toEqual(
      new Set(['EVENT_CONTENT', 'SIGNATURE', 'ROOT', 'CHECKPOINT', 'TREE_NODE', 'BLOCK_HASH']),
    );
    expect(done.run.discrepancyCount).toBe(found.length);
  });
});
