// A small pool of worker threads deciding Ed25519 signatures with the ledger's rule, so
// that verification of a large batch uses every core and never stalls the main thread.
// For keys that pass `isScreenedPublicKey` a worker asks OpenSSL (node:crypto) first and
// trusts its accept; every OpenSSL rejection is re-checked in the worker with the strict
// rule (@noble/curves, `zip215: false`, what `verifyStrict` runs), which makes the decision
// that of `verifyFast` (libs/ledger/src/ed25519-native.ts). A batch of bad signatures
// costs a pure verification each, on the workers, not on the thread serving requests.
//
// The worker is a few lines of plain CommonJS run with `eval`, so the same code runs from
// the compiled build and under ts-jest, with no file to copy and nothing to transpile;
// noble (ESM only) is imported by the absolute file URL this module resolves.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const NOBLE_ED25519 = pathToFileURL(require.resolve('@noble/curves/ed25519.js')).href;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const noble = import(workerData.noble).then((m) => m.ed25519);
const keys = new Map();
function keyObject(x) {
  let key = keys.get(x);
  if (key === undefined) {
    try { key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }); }
    catch { key = null; }
    if (keys.size > 4096) keys.clear();
    keys.set(x, key);
  }
  return key;
}
const fromBase64Url = (x) => new Uint8Array(Buffer.from(x, 'base64url'));
parentPort.on('message', async ({ id, keys: keyList, keyIndex, signatures, messages, offsets }) => {
  const n = keyIndex.length;
  const ok = new Uint8Array(n);
  const objects = keyList.map(keyObject);
  let strict;
  for (let i = 0; i < n; i++) {
    const key = objects[keyIndex[i]];
    const message = messages.subarray(offsets[i], offsets[i + 1]);
    const signature = signatures.subarray(i * 64, i * 64 + 64);
    if (key) {
      try { ok[i] = verify(null, message, key, signature) ? 1 : 0; } catch { ok[i] = 0; }
    }
    if (ok[i] === 1) continue;
    // OpenSSL's reject is not the rule's: decide it with the strict verifier.
    strict ??= await noble;
    try {
      ok[i] = strict.verify(signature, message, fromBase64Url(keyList[keyIndex[i]]), { zip215: false }) ? 1 : 0;
    } catch { ok[i] = 0; }
  }
  parentPort.postMessage({ id, ok }, [ok.buffer]);
});
`;

/** One chunk of verifications: messages, 64-byte signatures, and an index into `keys`. */
export interface VerifyChunk {
  /** base64url public keys (screened). */
  readonly keys: readonly string[];
  readonly keyIndex: Uint32Array;
  readonly signatures: Uint8Array;
  readonly messages: Uint8Array;
  /** offsets[i]..offsets[i+1] is message i. */
  readonly offsets: Uint32Array;
}

interface Pending {
  resolve(ok: Uint8Array): void;
  reject(err: Error): void;
}

class PoolWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failed: Error | undefined;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { noble: NOBLE_ED25519 } });
    this.worker.unref();
    this.worker.on('message', ({ id, ok }: { id: number; ok: Uint8Array }) => {
      const entry = this.pending.get(id);
      this.pending.delete(id);
      entry?.resolve(ok);
    });
    const failAll = (err: Error) => {
      this.failed = err;
      for (const entry of this.pending.values()) entry.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', failAll);
    this.worker.on('exit', (code) => failAll(new Error(`verify worker exited with ${code}`)));
  }

  get usable(): boolean {
    return this.failed === undefined;
  }

  run(chunk: VerifyChunk): Promise<Uint8Array> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...chunk }, [
        chunk.keyIndex.buffer,
        chunk.signatures.buffer,
        chunk.messages.buffer,
        chunk.offsets.buffer,
      ] as ArrayBuffer[]);
    });
  }

  async terminate(): Promise<void> {
    this.failed ??= new Error('verify pool closed');
    await this.worker.terminate();
  }
}

/** Worker threads for OpenSSL Ed25519 checks; started on first use, replaced if one dies. */
export class VerifyPool {
  private workers: PoolWorker[] = [];

  constructor(readonly size: number) {}

  private worker(i: number): PoolWorker {
    let worker = this.workers[i];
    if (!worker || !worker.usable) {
      worker = new PoolWorker();
      this.workers[i] = worker;
    }
    return worker;
  }

  /** Runs the chunks on the workers, chunk i on worker i mod size; 1 = the rule accepts. */
  runAll(chunks: readonly VerifyChunk[]): Promise<Uint8Array[]> {
    return Promise.all(chunks.map((chunk, i) => this.worker(i % this.size).run(chunk)));
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
