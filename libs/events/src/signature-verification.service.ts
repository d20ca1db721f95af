// Verifies a batch of event signatures with the ledger's Ed25519 rule (SPEC section 4)
// over exactly the bytes received. Small batches run on this thread with `verifyFast`;
// larger ones are spread over worker threads (verify-pool.ts), which also re-check every
// OpenSSL rejection with the strict rule, so the decision is always `verifyStrict`'s and
// a batch of bad signatures never holds this thread.
import { availableParallelism } from 'node:os';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { isScreenedPublicKey, verifyFast } from '@custos/ledger/ed25519-native';
import { verifyStrict } from '@custos/ledger/ed25519';
import { VerifyPool, type VerifyChunk } from './verify-pool';

export interface VerifyRequest {
  readonly message: Uint8Array;
  /** The 64 signature bytes. */
  readonly signature: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Below this many screened signatures a batch is verified on the calling thread. */
export const POOL_THRESHOLD = 256;

@Injectable()
export class SignatureVerificationService implements OnModuleDestroy {
  private readonly pool: VerifyPool;

  constructor() {
    this.pool = new VerifyPool(Math.max(1, Math.min(4, availableParallelism())));
  }

  /** One decision per request, in order. */
  async verifyAll(
    requests: readonly VerifyRequest[],
    options: { threshold?: number } = {},
  ): Promise<boolean[]> {
    const threshold = options.threshold ?? POOL_THRESHOLD;
    const results = new Array<boolean>(requests.length).fill(false);
    const pooled: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      if (r.signature.length === 64 && isScreenedPublicKey(r.publicKey)) pooled.push(i);
      else results[i] = verifyStrict(r.signature, r.message, r.publicKey);
    }
    if (pooled.length < threshold) {
      for (const i of pooled) {
        const r = requests[i]!;
        results[i] = verifyFast(r.signature, r.message, r.publicKey);
      }
      return results;
    }
    const chunkCount = this.pool.size;
    const per = Math.ceil(pooled.length / chunkCount);
    const slices = Array.from({ length: chunkCount }, (_, c) =>
      pooled.slice(c * per, (c + 1) * per),
    ).filter((s) => s.length > 0);
    const answers = await this.pool.runAll(slices.map((slice) => chunkOf(requests, slice)));
    slices.forEach((slice, c) => {
      const ok = answers[c]!;
      slice.forEach((i, j) => {
        results[i] = ok[j] === 1;
      });
    });
    return results;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}

function chunkOf(requests: readonly VerifyRequest[], slice: readonly number[]): VerifyChunk {
  const keys: string[] = [];
  const keyNumbers = new Map<string, number>();
  const keyIndex = new Uint32Array(slice.length);
  const signatures = new Uint8Array(slice.length * 64);
  const offsets = new Uint32Array(slice.length + 1);
  let total = 0;
  for (const i of slice) total += requests[i]!.message.length;
  const messages = new Uint8Array(total);
  let at = 0;
  slice.forEach((i, j) => {
    const r = requests[i]!;
    // What the worker decodes; Buffer's native encoder, this runs once per request.
    const id = Buffer.from(r.publicKey.buffer, r.publicKey.byteOffset, r.publicKey.length).toString(
      'base64url',
    );
    let n = keyNumbers.get(id);
    if (n === undefined) {
      n = keys.length;
      keys.push(id);
      keyNumbers.set(id, n);
    }
    keyIndex[j] = n;
    signatures.set(r.signature, j * 64);
    offsets[j] = at;
    messages.set(r.message, at);
    at += r.message.length;
  });
  offsets[slice.length] = at;
  return { keys, keyIndex, signatures, messages, offsets };
}
