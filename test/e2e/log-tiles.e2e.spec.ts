// The log as C2SP tlog-tiles under /log/, read the way a mirror reads it: the built
// product, 300 sealed entries in two checkpoints, and a mirror rebuilt from nothing but
// /log/checkpoint, the hash tiles and the entry bundles, which must reproduce every leaf
// (the submitted events, in order) and each checkpoint's root. Also: entry bundles are
// for regulators and the admin only, tiles are immutable, and an event whose ledger entry
// would not fit a bundle (65,535 bytes) is refused at ingest with EVENT_TOO_LARGE.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-request';
import { bytesToBase64 } from '@custos/ledger/bytes';
import { openCheckpoint } from '@custos/ledger/checkpoint';
import { leafHash, rootOfLeafHashes } from '@custos/ledger/merkle';
import { parseVerifierKey } from '@custos/ledger/note';
import { parseEntryBundle, parseHashTile, tilePath } from '@custos/ledger/tiles';
import { COMPANY_PREFIX, gln, gtin, LedgerWorld, unitUri } from '../fixtures/ledger-world';
import { type Product, startProduct } from '../product';
import { tempDir } from '../storage';

describe('/log/: C2SP tlog-tiles', () => {
  const dir = tempDir('log-tiles');
  let product: Product;
  afterAll(async () => {
    await product?.stop();
    dir.remove();
  });

  it('a mirror rebuilt from the tiles reproduces every leaf and every root', async () => {
    product = await startProduct({
      CUSTOS_DATA_DIR: dir.path,
      SEAL_MAX_WAIT_MS: '100',
      CUSTOS_GRAPHQL_MAX_LIST: '20000',
    });
    const token = readFileSync(join(dir.path, 'secrets', 'admin-token'), 'utf8');
    const world = new LedgerWorld(product.url, token);
    const { ledgerKey } = await world.admin.request<{ ledgerKey: string }>(gql`
      {
        ledgerKey
      }
    `);
    const maker = await world.register(
      gln('950600000300'),
      'Maker',
      ['MANUFACTURER'],
      [COMPANY_PREFIX],
    );
    const get = (path: string, auth?: string) =>
      fetch(
        `${product.url}/log/${path}`,
        auth ? { headers: { authorization: `Bearer ${auth}` } } : {},
      );
    const bytes = async (path: string) => {
      const res = await get(path, token);
      expect([path, res.status]).toEqual([path, 200]);
      return new Uint8Array(await res.arrayBuffer());
    };
    const commission = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) =>
        world.signed(maker, 'COMMISSION', {
          items: [unitUri(`T${from + i}`)],
          lot: 'L1',
          expiry: '2030-12-31',
        }),
      );

    /** What a mirror does: the checkpoint, then every tile and bundle it implies. */
    const mirror = async () => {
      const res = await get('checkpoint');
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const { checkpoint } = openCheckpoint(await res.text(), [parseVerifierKey(ledgerKey)]);
      const size = checkpoint.size;
      const leaves: Uint8Array[] = [];
      const entries: Uint8Array[] = [];
      for (let n = 0; n * 256 < size; n++) {
        const width = Math.min(256, size - n * 256);
        const tile = parseHashTile(await bytes(tilePath({ level: 0, index: n, width })), width);
        const bundle = parseEntryBundle(
          await bytes(tilePath({ level: 'entries', index: n, width })),
        );
        expect(bundle).toHaveLength(width);
        bundle.forEach((entry, i) => expect(leafHash(entry)).toEqual(tile[i]));
        leaves.push(...tile);
        entries.push(...bundle);
      }
      // Level 1: each hash is the root of a full level-0 tile.
      const full = Math.floor(size / 256);
      if (full > 0) {
        const level1 = parseHashTile(
          await bytes(tilePath({ level: 1, index: 0, width: full })),
          full,
        );
        level1.forEach((hash, i) =>
          expect(hash).toEqual(rootOfLeafHashes(leaves.slice(i * 256, i * 256 + 256))),
        );
      }
      expect(bytesToBase64(rootOfLeafHashes(leaves))).toBe(bytesToBase64(checkpoint.rootHash));
      return { size, entries, root: checkpoint.rootHash };
    };

    const first = commission(0, 200);
    await world.submit(maker, first);
    await world.sealedUpTo(world.admin, 200);
    const at200 = await mirror();
    expect(at200.size).toBe(200);

    const second = commission(200, 100);
    await world.submit(maker, second);
    await world.sealedUpTo(world.admin, 300);
    const at300 = await mirror();
    expect(at300.size).toBe(300);
    // Every leaf is the submitted event, in acceptance order, and the old tiles did not move.
    const ids = at300.entries.map(
      (e) =>
        (JSON.parse(new TextDecoder().decode(e)) as { event: { eventId: string } }).event.eventId,
    );
    expect(ids).toEqual([...first, ...second].map((s) => s.event.eventId));
    expect(at300.entries.slice(0, 200)).toEqual(at200.entries);

    // Caching: full tiles forever; the checkpoint not.
    const fullTile = await get('tile/0/000');
    expect(fullTile.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fullTile.arrayBuffer()).byteLength).toBe(8192);
    expect((await get('checkpoint')).headers.get('cache-control')).toMatch(/no-cache/);
    // A tile the tree does not cover yet, and paths that are not canonical.
    expect((await get('tile/0/001.p/45')).status).toBe(404);
    expect((await get('tile/0/002')).status).toBe(404);
    expect((await get('tile/0/1')).status).toBe(400);
    expect((await get('tile/0/000.p/256')).status).toBe(400);
    // Entry bundles reveal trading partners: anonymous 401, a manufacturer 403.
    expect((await get('tile/entries/000')).status).toBe(401);
    const makerToken = (
      maker.client as unknown as { requestConfig: { headers: Record<string, string> } }
    ).requestConfig.headers.authorization!.slice('Bearer '.length);
    expect((await get('tile/entries/000', makerToken)).status).toBe(403);
    expect((await get('tile/0/000', makerToken)).status).toBe(200);
  }, 300_000);

  it('refuses an event whose ledger entry would exceed 65,535 bytes, naming it', async () => {
    const token = readFileSync(join(dir.path, 'secrets', 'admin-token'), 'utf8');
    const world = new LedgerWorld(product.url, token);
    const maker = await world.register(
      gln('950600000301'),
      'Big maker',
      ['MANUFACTURER'],
      ['9506001'], // a company prefix has one holder: not the first maker's
    );
    const items = Array.from({ length: 1200 }, (_, i) =>
      unitUri(`BIG${String(i).padStart(17, '0')}`, gtin('0950600113435')),
    );
    const big = world.signed(maker, 'COMMISSION', { items, lot: 'L1', expiry: '2030-12-31' });
    const error = await world.submit(maker, [big]).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    const rejected = JSON.parse((error as Error).message.replace(/^rejected: /, '')) as {
      code: string;
      message: string;
    }[];
    expect(rejected).toEqual([
      {
        index: 0,
        code: 'EVENT_TOO_LARGE',
        message: expect.stringMatching(
          new RegExp(
            `^events\\[0\\]\\.event: event ${String(big.event.eventId)} makes a ledger entry of \\d+ bytes; at most 65535`,
          ),
        ),
      },
    ]);
  }, 120_000);
});
