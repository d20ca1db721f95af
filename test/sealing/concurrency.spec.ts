// Two sealers at once on one database (two processes' worth: separate connection pools),
// each sealing as fast as it can while events keep arriving in random batches, and
// seal triggers delivered twice. The sequencer lock lets one append at a time; the
// ledger must come out with no fork, gap, duplicate or reordering, and verify.
import { Client } from 'pg';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';
import { insertPending, shipEvent, testSigner } from './fixture';
import { checkLedger } from './ledger-check';
import { openSealer, type TestSealer } from './sealer';

describe('two sealers at once', () => {
  let db: TestDatabase;
  let pg: Client;
  const sealers: TestSealer[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('seal_concurrent');
    const config = serverConfig(db, testQueuePrefix('seal_concurrent'), {
      SEAL_MAX_EVENTS: '40',
      SEAL_MAX_WAIT_MS: '1',
      CUSTOS_SEALING_KEY: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    });
    sealers.push(await openSealer(config), await openSealer(config));
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    for (const s of sealers) await s.close();
    await pg?.end();
    await db?.drop();
  });

  it('never forks, loses, duplicates or reorders, and every proof verifies', async () => {
    const a = testSigner('9506000000003');
    let inserting = true;
    let inserted = 0;
    const heights: number[][] = [[], []];
    const inserter = (async () => {
      for (let round = 0; round < 60; round++) {
        const n = 1 + Math.floor(Math.random() * 50);
        await insertPending(
          pg,
          Array.from({ length: n }, (_, i) => shipEvent(a, '9506000000010', `R${round}-${i}`)),
        );
        inserted += n;
        await new Promise((r) => setTimeout(r, Math.random() * 15));
      }
      inserting = false;
    })();
    const loops = sealers.map(async (s, i) => {
      while (inserting) {
        // Each trigger delivered twice, as a redelivered job would be.
        const [one, two] = await Promise.all([s.sealing.sealDue(), s.sealing.sealDue()]);
        for (const block of [...one.blocks, ...two.blocks]) heights[i]!.push(block.height);
        const sealed = await s.sealing.sealBlock();
        if (sealed.block) heights[i]!.push(sealed.block.height);
      }
    });
    await Promise.all([inserter, ...loops]);
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all(sealers.map((s) => s.sealing.sealDue()));

    const summary = await checkLedger(sealers[0]!, pg, { allPairs: false });
    expect(summary.entries).toBe(inserted);
    expect(summary.pending).toBe(0);
    // Both sealed blocks; a block counted twice would be a duplicate height.
    const all = [...new Set([...heights[0]!, ...heights[1]!])];
    expect(heights[0]!.length).toBeGreaterThan(0);
    expect(heights[1]!.length).toBeGreaterThan(0);
    expect(new Set(heights[0]).size + new Set(heights[1]).size).toBe(all.length);
    expect(all.length).toBeLessThanOrEqual(summary.blocks);
  }, 180_000);
});
