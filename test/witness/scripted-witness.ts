// A witness over HTTP whose answers a test chooses: it parses each add-checkpoint request
// (C2SP tlog-witness) and answers with what `answer` returns; by default it cosigns with
// its own key (cosignature/v1) at the current time.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cosign, encodeCosignerVkey } from '../../libs/ledger/src/cosignature';
import { publicKeyOf } from '../../libs/ledger/src/ed25519';
import {
  type AddCheckpointRequest,
  parseAddCheckpointRequest,
} from '../../libs/ledger/src/tlog-witness';

export interface ScriptedAnswer {
  readonly status: number;
  readonly type?: string;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

export interface ScriptedWitness {
  readonly name: string;
  readonly vkey: string;
  readonly url: string;
  /** `<vkey> <url>`, an entry of CUSTOS_WITNESSES. */
  readonly entry: string;
  readonly seen: AddCheckpointRequest[];
  answer: (request: AddCheckpointRequest) => ScriptedAnswer;
  /** A cosignature of the request's checkpoint at `timestamp` (default: now). */
  cosign(request: AddCheckpointRequest, timestamp?: number): ScriptedAnswer;
  close(): Promise<void>;
}

export async function startScriptedWitness(name: string, seed: number): Promise<ScriptedWitness> {
  const signer = { name, secretKey: new Uint8Array(32).fill(seed) };
  const vkey = encodeCosignerVkey(name, publicKeyOf(signer.secretKey));
  const seen: AddCheckpointRequest[] = [];
  const cosignNow = (request: AddCheckpointRequest, timestamp = Math.floor(Date.now() / 1000)) => ({
    status: 200,
    body: cosign(request.checkpoint, signer, timestamp),
  });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = parseAddCheckpointRequest(Buffer.concat(chunks));
      seen.push(request);
      const answer = witness.answer(request);
      res.writeHead(answer.status, {
        ...(answer.type ? { 'content-type': answer.type } : {}),
        ...answer.headers,
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const witness: ScriptedWitness = {
    name,
    vkey,
    url,
    entry: `${vkey} ${url}`,
    seen,
    answer: cosignNow,
    cosign: cosignNow,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return witness;
}
