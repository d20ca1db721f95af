// The witness's 429 push-back (C2SP tlog-witness lets a witness rate-limit; omniwitness
// does): beyond maxInFlight requests at once, it answers 429 with Retry-After at once,
// before any check; once the work in hand is done it takes requests again. On the real
// PostgreSQL, the witness's own database.
import { signCheckpoint } from '../../libs/ledger/src/checkpoint';
import { publicKeyOf } from '../../libs/ledger/src/ed25519';
import { encodeVerifierKey } from '../../libs/ledger/src/note';
import { formatAddCheckpointRequest } from '../../libs/ledger/src/tlog-witness';
import { openStorage, type Storage } from '../../libs/core/src/database/storage';
import { WitnessStateRepository } from '../../libs/witness/src/witness-state.repository';
import { WitnessService } from '../../libs/witness/src/witness.service';
import { createTestDatabase, serverConfig, testQueuePrefix, type TestDatabase } from '../storage';

const origin = 'custos.test/pushed';
const log = { name: origin, secretKey: new Uint8Array(32).fill(5) };
const request = (oldSize: number, size: number) =>
  Buffer.from(
    formatAddCheckpointRequest({
      oldSize,
      proof: [],
      checkpoint: signCheckpoint({ origin, size, rootHash: new Uint8Array(32).fill(size) }, [log]),
    }),
  );

describe('witness push-back (429)', () => {
  let db: TestDatabase;
  let storage: Storage;
  let witness: WitnessService;

  beforeAll(async () => {
    db = await createTestDatabase('wpush');
    const config = serverConfig(db, testQueuePrefix('wpush'), {
      CUSTOS_ROLE: 'witness',
      CUSTOS_WITNESS_NAME: 'witness.test/pushy',
      CUSTOS_WITNESS_KEY: 'cd'.repeat(32),
      CUSTOS_WITNESS_LOGS: encodeVerifierKey(origin, publicKeyOf(log.secretKey)),
    });
    storage = await openStorage(config, { migrate: true });
    witness = new WitnessService(config, new WitnessStateRepository(storage), { maxInFlight: 2 });
  });
  afterAll(async () => {
    await storage?.close();
    await db?.drop();
  });

  it('answers 429 with Retry-After beyond its limit, and takes requests again after', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => witness.addCheckpoint(request(0, 5))),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    // The two it took: one cosigned, the other lost the race to it (409, size 5).
    expect(statuses.filter((s) => s !== 429).sort()).toEqual([200, 409]);
    const pushed = answers.find((a) => a.status === 429)!;
    expect(pushed.retryAfterSeconds).toBe(1);
    expect(pushed.body).toMatch(/^busy: 2 checkpoints being checked; retry later\n$/);

    // Nothing in flight any more: the next request is checked (and cosigned).
    const next = await witness.addCheckpoint(request(5, 5));
    expect(next.status).toBe(200);
  });
});
