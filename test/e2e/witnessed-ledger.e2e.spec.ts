// The log as a witness client, end to end: one ledger process and one witness process,
// both the built server, each on its own embedded storage. A sealed block's checkpoint is
// sent to the witness, and `checkpoint` serves the note with the witness's cosignature,
// which the independent cosignature/v1 verifier accepts. Without witnesses the start log
// says the ledger is unwitnessed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-request';
import { openCheckpoint } from '@custos/ledger/checkpoint';
import { parseVerifierKey } from '@custos/ledger/note';
import { COMPANY_PREFIX, gln, LedgerWorld, unitUri } from '../fixtures/ledger-world';
import { type Product, startProduct } from '../product';
import { tempDir } from '../storage';
import { verifyCosignatureIndependently } from '../witness/independent-cosignature-verifier';

const CHECKPOINT = gql`
  {
    checkpoint {
      treeSize
      note
    }
    ledgerKey
  }
`;
interface CheckpointAnswer {
  checkpoint: { treeSize: number; note: string };
  ledgerKey: string;
}

/** Lines printed just after the "listening" line that startProduct waits for. */
async function printed(product: Product, pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 100; i++) {
    const match = pattern.exec(product.output());
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not printed: ${String(pattern)}\n${product.output()}`);
}

describe('a ledger witnessed by a Custos witness', () => {
  const logData = tempDir('witnessed-log');
  const witnessData = tempDir('witnessed-w');
  const origin = 'custos.test/witnessed';
  let log: Product | undefined;
  let witness: Product | undefined;

  afterAll(async () => {
    await log?.stop();
    await witness?.stop();
    logData.remove();
    witnessData.remove();
  });

  it('each sealed block gets a cosignature that an independent verifier accepts', async () => {
    // The ledger first, without witnesses: it says so, and hands out its vkey.
    const sealingKey = 'ab'.repeat(32);
    const logEnv = {
      CUSTOS_DATA_DIR: logData.path,
      CUSTOS_LOG_ORIGIN: origin,
      CUSTOS_SEALING_KEY: sealingKey,
      SEAL_MAX_WAIT_MS: '100',
    };
    log = await startProduct(logEnv);
    await printed(log, /the ledger is unwitnessed/);
    const token = readFileSync(join(logData.path, 'secrets', 'admin-token'), 'utf8');
    const { ledgerKey } = await new LedgerWorld(log.url, token).admin.request<CheckpointAnswer>(
      CHECKPOINT,
    );
    await log.stop();

    witness = await startProduct({
      CUSTOS_ROLE: 'witness',
      CUSTOS_DATA_DIR: witnessData.path,
      CUSTOS_WITNESS_NAME: 'witness.test/partner',
      CUSTOS_WITNESS_LOGS: ledgerKey,
    });
    const witnessVkey = (await printed(witness, /witness vkey: (\S+)\n/))[1]!;

    log = await startProduct({ ...logEnv, CUSTOS_WITNESSES: `${witnessVkey} ${witness.url}` });
    await printed(log, /witnessed by 1 witness\(es\), quorum 1/);
    expect(log.output()).not.toContain('unwitnessed');
    const world = new LedgerWorld(log.url, token);
    const maker = await world.register(
      gln('950600000200'),
      'Maker',
      ['MANUFACTURER'],
      [COMPANY_PREFIX],
    );
    const cosignedAt = async (size: number) => {
      for (let i = 0; i < 200; i++) {
        const { checkpoint } = await world.admin.request<CheckpointAnswer>(CHECKPOINT);
        if (checkpoint.treeSize === size && checkpoint.note.includes('witness.test/partner'))
          return checkpoint.note;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no cosigned checkpoint of size ${size}:\n${log!.output()}`);
    };

    await world.submit(maker, [
      world.signed(maker, 'COMMISSION', {
        items: [unitUri('W1')],
        lot: 'L1',
        expiry: '2030-12-31',
      }),
    ]);
    const first = await cosignedAt(1);
    const v1 = verifyCosignatureIndependently(first, { vkey: witnessVkey });
    expect(Math.abs(v1.timestamp - Date.now() / 1000)).toBeLessThan(120);
    // Still the log's signed note: the log key verifies it, the cosignature line is ignored.
    expect(openCheckpoint(first, [parseVerifierKey(ledgerKey)], origin).checkpoint.size).toBe(1);

    // The next block goes with a consistency proof from size 1.
    await world.submit(maker, [
      world.signed(maker, 'COMMISSION', {
        items: [unitUri('W2')],
        lot: 'L1',
        expiry: '2030-12-31',
      }),
      world.signed(maker, 'COMMISSION', {
        items: [unitUri('W3')],
        lot: 'L1',
        expiry: '2030-12-31',
      }),
    ]);
    const third = await cosignedAt(3);
    expect(verifyCosignatureIndependently(third, { vkey: witnessVkey }).name).toBe(
      'witness.test/partner',
    );
    expect(witness.output()).not.toMatch(/WARN|ERROR/);
  }, 300_000);
});
