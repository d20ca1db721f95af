// The admission limit on request bodies (issue 17): CUSTOS_MAX_BODY_BYTES bounds one body,
// CUSTOS_MAX_INFLIGHT_BODY_BYTES the bodies held at once across requests. A 10,000-event
// batch of ~8 MB holds ~300 MB of heap while it is parsed and checked (BENCHMARKS.md step
// 13), so without this N clients at once take N times that. Every route shares it
// (GraphQL, EPCIS capture, the witness): a request's bytes are reserved before its body is
// read and given back when its answer has been sent or its connection closed; one that
// finds no room waits, first come first served, and after CUSTOS_ADMISSION_WAIT_MS is
// answered 503 UNAVAILABLE with Retry-After (the code the stopping server and the EPCIS
// problem mapping already use for "not now, retry").
import type { IncomingHttpHeaders } from 'node:http';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestLimits } from '@custos/core/config/config';
import { AdmissionQueue, type Grant } from './admission-queue';

/**
 * Bodies of at most this many bytes, and requests without a body, are not counted and never
 * wait. A sign-in, a scan's verifyPackage or a witness's checkpoint must not queue behind a
 * 16 MiB batch that waits for room: what they hold is a few hundred kilobytes of heap at most,
 * already bounded by the connections the server accepts, while the limit is there for the
 * bodies that each cost hundreds of megabytes.
 */
export const UNCOUNTED_BODY_BYTES = 64 * 1024;

/** Seconds a refused client is told to wait (as the witness's own push-back, docs/witness.md). */
const RETRY_AFTER_SECONDS = 1;

type Limits = Pick<RequestLimits, 'maxBodyBytes' | 'maxInflightBodyBytes' | 'admissionWaitMs'>;

/**
 * What a request is to reserve before its body is read: its Content-Length; for a body of
 * unknown length (chunked), the largest body allowed, cut to the bytes received once it has
 * arrived (reserving as it arrives could leave two half-read bodies each waiting for the
 * other's room); 0 for what is not counted, or what Fastify refuses unread (over the cap).
 */
export function bodyReservation(
  headers: IncomingHttpHeaders,
  maxBodyBytes: number,
): { bytes: number; chunked: boolean } {
  const length = headers['content-length'];
  if (length !== undefined) {
    const bytes = Number(length);
    const counted = Number.isSafeInteger(bytes) && bytes > UNCOUNTED_BODY_BYTES;
    return { bytes: counted && bytes <= maxBodyBytes ? bytes : 0, chunked: false };
  }
  if (headers['transfer-encoding'] !== undefined) return { bytes: maxBodyBytes, chunked: true };
  return { bytes: 0, chunked: false };
}

/** The body as Fastify's parser reads it, counted; `onEnd` gets the bytes once it has all arrived. */
class CountingStream extends Transform {
  private received = 0;

  constructor(private readonly onEnd: (bytes: number) => void) {
    super();
  }

  get receivedEncodedLength(): number {
    return this.received;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.received += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback) {
    this.onEnd(this.received);
    callback();
  }
}

export function admitBodies(fastify: FastifyInstance, limits: Limits): AdmissionQueue {
  const queue = new AdmissionQueue(limits.maxInflightBodyBytes);
  const chunkedGrants = new WeakMap<FastifyRequest, Grant>();

  fastify.addHook('onRequest', async (request, reply) => {
    const { bytes, chunked } = bodyReservation(request.headers, limits.maxBodyBytes);
    if (bytes === 0) return;
    // The response's 'close' comes once it has been sent, and also when the connection
    // ends first (client gone, aborted upload, error): the one place that always frees the
    // reservation, and that cancels the wait of a client that left while queued.
    const left = new AbortController();
    let grant: Grant | undefined = undefined;
    reply.raw.once('close', () => {
      left.abort();
      grant?.release();
    });
    grant = await queue.acquire(
      bytes,
      AbortSignal.any([left.signal, AbortSignal.timeout(limits.admissionWaitMs)]),
    );
    if (grant !== undefined) {
      if (left.signal.aborted) grant.release();
      else if (chunked) chunkedGrants.set(request, grant);
      return;
    }
    void reply
      .code(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .header('connection', 'close')
      .send({
        errors: [
          {
            message: `the server is busy: it holds at most ${limits.maxInflightBodyBytes} bytes of request bodies at once (CUSTOS_MAX_INFLIGHT_BODY_BYTES) and found no room for this one's ${bytes} within ${limits.admissionWaitMs} ms (CUSTOS_ADMISSION_WAIT_MS); retry after ${RETRY_AFTER_SECONDS} s`,
            extensions: { code: 'UNAVAILABLE' },
          },
        ],
      });
    return reply;
  });

  fastify.addHook('preParsing', async (request, _reply, payload) => {
    const grant = chunkedGrants.get(request);
    if (grant === undefined) return payload;
    chunkedGrants.delete(request);
    const counted = new CountingStream((received) => grant.shrink(received));
    // pipeline, not pipe: an upload cut off mid-way ends the parser's read with an error.
    pipeline(payload, counted, () => undefined);
    return counted;
  });

  return queue;
}
