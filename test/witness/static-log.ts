// A log as static tlog-tiles files, built in the test from leaf inputs of its own: what a
// forking or rolled-back operator could publish under the log's key. Written from the
// tlog-tiles text (level L tile N holds the roots of the subtrees of 256^L leaves), not
// from the mirror's code. Also a tiny static web server for such a folder.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import { signCheckpoint } from '@custos/ledger/checkpoint';
import { leafHash, rootOfLeafHashes } from '@custos/ledger/merkle';
import type { NoteSigner } from '@custos/ledger/note';
import { encodeEntryBundle, tilePath } from '@custos/ledger/tiles';

export function writeStaticLog(dir: string, entries: readonly Uint8Array[], signer: NoteSigner) {
  const put = (path: string, bytes: Uint8Array | string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  };
  const chunks = <T>(xs: readonly T[]) =>
    Array.from({ length: Math.ceil(xs.length / 256) }, (_, i) => xs.slice(i * 256, i * 256 + 256));
  chunks(entries).forEach((bundle, index) =>
    put(tilePath({ level: 'entries', index, width: bundle.length }), encodeEntryBundle(bundle)),
  );
  const leaves = entries.map((e) => leafHash(e));
  let hashes = leaves;
  for (let level = 0; hashes.length > 0; level++) {
    chunks(hashes).forEach((tile, index) =>
      put(tilePath({ level, index, width: tile.length }), Buffer.concat(tile)),
    );
    hashes = chunks(hashes)
      .filter((c) => c.length === 256)
      .map((c) => rootOfLeafHashes(c));
  }
  const note = signCheckpoint(
    { origin: signer.name, size: entries.length, rootHash: rootOfLeafHashes(leaves) },
    [signer],
  );
  put('checkpoint', note);
  return note;
}

/** Serves `dir` at `<url>/log/…` as a static web server would; 404 for what is missing. */
export async function serveFolder(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    if (!path.startsWith('/log/')) return res.writeHead(404).end();
    try {
      const body = readFileSync(join(dir, path.slice('/log/'.length)));
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
