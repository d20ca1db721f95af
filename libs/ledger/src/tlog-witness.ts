// C2SP tlog-witness (c2sp.org/tlog-witness) `add-checkpoint` bodies. The request is
// `old <size>\n`, at most 63 base64 consistency-proof lines, a blank line, then the signed
// checkpoint; the success answer is one or more note signature lines (the cosignatures);
// a 409 answer (`Content-Type: text/x.tlog.size`) is the witness's size and a newline.
// Sizes are decimal without leading zeros ("0" for none).
import { auint } from './assert';
import { base64ToBytes, bytesToBase64, bytesToUtf8 } from './bytes';
import { FormatError } from './errors';
import { HASH_SIZE } from './merkle';

export const ADD_CHECKPOINT_PATH = 'add-checkpoint';
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';
export const MAX_PROOF_LINES = 63;

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, as sent. */
  readonly checkpoint: string;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function malformed(why: string): FormatError {
  return new FormatError('MALFORMED_ADD_CHECKPOINT', `malformed add-checkpoint request: ${why}`);
}

function decimal(text: string, field: string, fail: (why: string) => Error): number {
  if (!DECIMAL.test(text) || !Number.isSafeInteger(Number(text)))
    throw fail(`${field} must be a decimal without leading zeros, below 2^53`);
  return Number(text);
}

export function formatAddCheckpointRequest(request: AddCheckpointRequest): string {
  auint(request.oldSize, 'oldSize');
  if (request.proof.length > MAX_PROOF_LINES)
    throw malformed(`more than ${MAX_PROOF_LINES} proof lines`);
  const lines = request.proof.map((hash, i) => {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE)
      throw malformed(`proof[${i}] must be a 32-byte hash`);
    return `${bytesToBase64(hash)}\n`;
  });
  return `old ${request.oldSize}\n${lines.join('')}\n${request.checkpoint}`;
}

/** Throws FormatError MALFORMED_ADD_CHECKPOINT (HTTP 400) naming the part that is wrong. */
export function parseAddCheckpointRequest(body: string | Uint8Array): AddCheckpointRequest {
  let text: string;
  try {
    text = typeof body === 'string' ? body : bytesToUtf8(body, 'body');
  } catch {
    throw malformed('body is not UTF-8');
  }
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw malformed('no blank line after the old size and proof lines');
  const head = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  const oldLine = head[0]!;
  if (!oldLine.startsWith('old ')) throw malformed('the first line must be "old <size>"');
  const oldSize = decimal(oldLine.slice(4), 'old size', malformed);
  const proofLines = head.slice(1);
  if (proofLines.length > MAX_PROOF_LINES)
    throw malformed(`more than ${MAX_PROOF_LINES} proof lines`);
  const proof = proofLines.map((line, i) => {
    let hash: Uint8Array;
    try {
      hash = base64ToBytes(line);
    } catch {
      throw malformed(`proof line ${i + 1} is not base64`);
    }
    if (hash.length !== HASH_SIZE) throw malformed(`proof line ${i + 1} is not a 32-byte hash`);
    return hash;
  });
  if (checkpoint.length === 0) throw malformed('no checkpoint after the blank line');
  return { oldSize, proof, checkpoint };
}

/** The body of a 409 answer. */
export function formatTreeSize(size: number): string {
  return `${auint(size, 'size')}\n`;
}

export function parseTreeSize(body: string): number {
  const fail = (why: string) =>
    new FormatError('MALFORMED_ADD_CHECKPOINT', `malformed x.tlog.size body: ${why}`);
  if (!body.endsWith('\n')) throw fail('must end in a newline');
  return decimal(body.slice(0, -1), 'size', fail);
}

/** The signature lines of a 200 answer, each without its newline. */
export function parseCosignatureLines(body: string): string[] {
  const fail = (why: string) =>
    new FormatError('MALFORMED_ADD_CHECKPOINT', `malformed add-checkpoint answer: ${why}`);
  if (body.length === 0 || !body.endsWith('\n')) throw fail('must end in a newline');
  const lines = body.slice(0, -1).split('\n');
  for (const line of lines) {
    if (!/^\u2014 \S+ [A-Za-z0-9+/]+={0,2}$/.test(line))
      throw fail('each line must be "— <name> <base64>"');
  }
  return lines;
}
