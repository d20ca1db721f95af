// The ledger the scan benchmarks read (verification, mixed): `size` sealed entries, most of
// them filler (real events, signatures and content hashes by one registered key, inserted
// as pending rows and sealed by the real sealer, never scanned), and `cases` cases of 10
// units whose 6-event trails (COMMISSION, PACK, then the case shipped and received twice)
// go through the real GraphQL ingest of the product at `url`. So every scan reads events,
// recomputes leaf inputs, checks signatures and proves inclusion in a full-size tree.
import { createHash, createPrivateKey, randomUUID, sign as nodeSign } from 'node:crypto';
import type { Client } from 'pg';
import { MAX_BLOCKS_PER_SEAL } from '../libs/sealing/src/sealing.service';
import { canonicalJson } from '../libs/ledger/src/jcs';
import { bytesToBase64Url } from '../libs/ledger/src/bytes';
import { publicKeyOf } from '../libs/ledger/src/ed25519';
import { eventSigningBytes, leafInput } from '../libs/ledger/src/events';
import { insertPending, type PendingRow } from '../test/sealing/fixture';
import type { TestSealer } from '../test/sealing/sealer';
import {
  COMPANY_PREFIX,
  gln,
  LedgerWorld,
  type Party,
  sscc,
  ssccUri,
  unitUri,
} from '../test/fixtures/ledger-world';

// Filler is never scanned, but the sealer checks every signature: really signed, by one
// registered key, through node:crypto (the same RFC 8032 bytes as libs/ledger, faster).
const FILLER_SEED = createHash('sha256').update('bench-verification-filler').digest();
const FILLER_KEY = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), FILLER_SEED]),
  format: 'der',
  type: 'pkcs8',
});
const FILLER_PUBLIC = bytesToBase64Url(publicKeyOf(FILLER_SEED));

/** Other parties' entries: real events, signatures and content hashes, never scanned. */
function filler(count: number, tag: string): PendingRow[] {
  const actor = '9506000000997';
  return Array.from({ length: count }, (_, i) => {
    const event = {
      eventId: randomUUID(),
      type: 'SHIP',
      actor,
      eventTime: '2026-11-01T10:00:00Z',
      items: [`https://id.gs1.org/01/09506000134352/21/${tag}${i}`],
      to: '9506000000980',
    };
    const signature = nodeSign(null, eventSigningBytes(event), FILLER_KEY).toString('base64url');
    const input = leafInput({ event, keyId: 'k1', signature });
    return {
      eventId: event.eventId,
      type: 'SHIP',
      actor,
      keyId: 'k1',
      signature,
      eventJson: canonicalJson(event),
      contentHash: createHash('sha256').update(input).digest(),
      eventTime: event.eventTime,
      publicKey: FILLER_PUBLIC,
    };
  });
}

async function fill(pg: Client, sealer: TestSealer, count: number, tag: string): Promise<void> {
  const chunk = 20_000;
  for (let i = 0; i < count; i += chunk) {
    await insertPending(pg, filler(Math.min(chunk, count - i), `${tag}${i}-`));
    await sealAll(sealer);
  }
}

/** Seals everything pending, as the worker works off a backlog. */
export async function sealAll(sealer: TestSealer): Promise<void> {
  while ((await sealer.sealing.sealBlocks(MAX_BLOCKS_PER_SEAL)).blocks.length > 0);
}

export interface FilledLedger {
  readonly world: LedgerWorld;
  readonly maker: Party;
  /** Signed in; holds every unit of `units`. */
  readonly pharmacy: Party;
  /** The scanned units' URIs: each AUTHENTIC with 6 proofs. */
  readonly units: readonly string[];
  /** Sealed entries (the latest checkpoint's tree size). */
  readonly size: number;
  readonly seconds: number;
}

/** Builds the ledger (half the filler, the trails, the other half), analysed, all sealed. */
export async function fillLedger(
  pg: Client,
  sealer: TestSealer,
  url: string,
  adminToken: string,
  size: number,
  cases: number,
): Promise<FilledLedger> {
  const start = performance.now();
  const unitsPerCase = 10;
  const trailEvents = cases * (unitsPerCase + 5);
  await fill(pg, sealer, Math.floor((size - trailEvents) / 2), 'A');

  // The scanned units, through the real ingest: maker -> wholesaler -> pharmacy, in cases.
  const world = new LedgerWorld(url, adminToken);
  const maker = await world.register(
    gln('950600000000'),
    'Maker',
    ['MANUFACTURER'],
    [COMPANY_PREFIX],
  );
  const wholesaler = await world.register(gln('950600000001'), 'Wholesaler', ['DISTRIBUTOR']);
  const pharmacy = await world.register(gln('950600000002'), 'Pharmacy', ['DISPENSER']);
  const units: string[] = [];
  for (let c = 0; c < cases; c++) {
    const box = ssccUri(sscc(`0${COMPANY_PREFIX}${String(c + 1).padStart(9, '0')}`));
    const items = Array.from({ length: unitsPerCase }, (_, u) => unitUri(`S${c}-${u}`));
    units.push(...items);
    await world.submit(maker, [
      ...items.map((unit) =>
        world.signed(maker, 'COMMISSION', { items: [unit], lot: 'L1', expiry: '2030-12-31' }),
      ),
      world.signed(maker, 'PACK', { items, parent: box }),
      world.signed(maker, 'SHIP', { items: [box], to: wholesaler.id }),
    ]);
    await world.act(wholesaler, 'RECEIVE', { items: [box], from: maker.id });
    await world.act(wholesaler, 'SHIP', { items: [box], to: pharmacy.id });
    await world.act(pharmacy, 'RECEIVE', { items: [box], from: wholesaler.id });
  }
  await sealAll(sealer);
  const { rows } = await pg.query<{ n: string }>('SELECT count(*)::text AS n FROM ledger_event');
  await fill(pg, sealer, size - Number(rows[0]!.n), 'B');
  await pg.query('VACUUM ANALYZE');
  const sealed = Number(
    (await pg.query<{ n: string }>('SELECT max(tree_size)::text AS n FROM block')).rows[0]!.n,
  );
  if (!pharmacy.token) await world.signIn(pharmacy);
  return {
    world,
    maker,
    pharmacy,
    units,
    size: sealed,
    seconds: (performance.now() - start) / 1000,
  };
}
