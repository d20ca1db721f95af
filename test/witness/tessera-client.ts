// add-checkpoint requests shaped as Tessera's witness client sends them
// (transparency-dev/witness client/http/witness_client.go, used by transparency-dev/tessera):
// a Go net/http POST of `old N\n`, proof lines, `\n`, the checkpoint, with no Content-Type,
// a Content-Length, Go's User-Agent and Accept-Encoding: gzip; and its reading of the answer.
import { request } from 'node:http';
import { formatAddCheckpointRequest } from '@custos/ledger/tlog-witness';

export interface WitnessReply {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

export function postAddCheckpoint(
  prefix: string,
  oldSize: number,
  proof: readonly Uint8Array[],
  checkpoint: string,
): Promise<WitnessReply> {
  return postRaw(prefix, formatAddCheckpointRequest({ oldSize, proof, checkpoint }));
}

export function postRaw(prefix: string, body: string): Promise<WitnessReply> {
  const url = new URL(`${prefix}/add-checkpoint`);
  const bytes = Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'User-Agent': 'Go-http-client/1.1',
          'Content-Length': String(bytes.length),
          'Accept-Encoding': 'gzip',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
}

/** What Tessera's client makes of an answer (witness.Err* in transparency-dev/witness). */
export function tesseraReading(reply: WitnessReply): string {
  switch (reply.status) {
    case 200:
      return 'cosigned';
    case 409:
      return reply.contentType === 'text/x.tlog.size'
        ? `stale ${Number(reply.body.trim())}`
        : 'root mismatch';
    case 404:
      return 'unknown log';
    case 403:
      return 'no valid signature';
    case 400:
      return 'old size invalid';
    case 422:
      return 'invalid proof';
    case 429:
      return 'push-back';
    default:
      return `unexpected status ${reply.status}`;
  }
}
