// The checks of a C2SP tlog-witness `add-checkpoint` request (c2sp.org/tlog-witness), in the
// spec's order, as pure functions: the witness service reads its state, calls these, and
// persists only a `cosign` outcome (atomically, with a compare-and-set on the state read).
// Where the reference witnesses differ from the spec text we answer as omniwitness does
// (transparency-dev/witness `witness/http.go`), which Tessera's client reads: an unknown log
// is 404 (litewitness: 403), a same-size checkpoint with another root is 409 without a body
// (spec: 422), and push-back is 429. See docs/adr for the choice.
import { equalBytes } from '@custos/ledger/bytes';
import { type Checkpoint, parseCheckpoint } from '@custos/ledger/checkpoint';
import { FormatError, ProofVerificationError, VerificationError } from '@custos/ledger/errors';
import { emptyRoot } from '@custos/ledger/merkle';
import { verifyConsistency } from '@custos/ledger/merkle-verify';
import { type VerifierKey, openNote } from '@custos/ledger/note';
import type { AddCheckpointRequest } from '@custos/ledger/tlog-witness';

/** A log this witness accepts checkpoints from: its origin and the keys that sign them. */
export interface WitnessedLog {
  readonly origin: string;
  readonly keys: readonly VerifierKey[];
}

/** What the witness last cosigned for a log. */
export interface LogState {
  readonly size: number;
  readonly rootHash: Uint8Array;
}

export type Refusal =
  | { readonly kind: 'malformed'; readonly status: 400; readonly reason: string }
  | { readonly kind: 'unknown-log'; readonly status: 404; readonly reason: string }
  | { readonly kind: 'bad-signature'; readonly status: 403; readonly reason: string }
  | { readonly kind: 'old-size-too-large'; readonly status: 400; readonly reason: string }
  | {
      readonly kind: 'stale';
      readonly status: 409;
      readonly reason: string;
      /** The size the witness holds: the 409 body. */
      readonly size: number;
    }
  | { readonly kind: 'root-mismatch'; readonly status: 409; readonly reason: string }
  | { readonly kind: 'bad-proof'; readonly status: 422; readonly reason: string };

export interface SubmittedCheckpoint {
  readonly log: WitnessedLog;
  readonly checkpoint: Checkpoint;
  /** The checkpoint text (the lines a cosignature covers). */
  readonly text: string;
}

const refuse = <K extends Refusal['kind']>(
  kind: K,
  status: Extract<Refusal, { kind: K }>['status'],
  reason: string,
) => ({ kind, status, reason }) as Extract<Refusal, { kind: K }>;

/** Which log the checkpoint is for, and whether that log signed it (404, 403, 400). */
export function openSubmittedCheckpoint(
  request: AddCheckpointRequest,
  logs: ReadonlyMap<string, WitnessedLog>,
): SubmittedCheckpoint | Refusal {
  const note = request.checkpoint;
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return refuse('malformed', 400, 'checkpoint: no signature lines');
  const text = note.slice(0, split + 1);
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(text);
  } catch (err) {
    return refuse('malformed', 400, (err as Error).message);
  }
  const log = logs.get(checkpoint.origin);
  if (!log) return refuse('unknown-log', 404, `unknown log ${checkpoint.origin}`);
  try {
    openNote(note, log.keys);
  } catch (err) {
    if (err instanceof VerificationError)
      return refuse('bad-signature', 403, `checkpoint signature: ${err.message}`);
    if (err instanceof FormatError) return refuse('malformed', 400, err.message);
    throw err;
  }
  if (request.oldSize > checkpoint.size)
    return refuse(
      'old-size-too-large',
      400,
      `old size ${request.oldSize} is larger than the checkpoint's ${checkpoint.size}`,
    );
  return { log, checkpoint, text };
}

/** The consistency checks against what the witness holds (409, 422); undefined: cosign. */
export function checkConsistency(
  request: AddCheckpointRequest,
  checkpoint: Checkpoint,
  state: LogState | undefined,
): Refusal | undefined {
  const held = state?.size ?? 0;
  if (request.oldSize !== held)
    return { ...refuse('stale', 409, `the witness holds size ${held}`), size: held };
  if (checkpoint.size === 0 && !equalBytes(checkpoint.rootHash, emptyRoot()))
    return refuse('bad-proof', 422, 'a size-0 checkpoint must have the empty root');
  if (request.oldSize === 0) {
    return request.proof.length === 0
      ? undefined
      : refuse('bad-proof', 422, 'old size 0 takes no consistency proof');
  }
  const stored = state!;
  if (checkpoint.size === stored.size) {
    if (!equalBytes(checkpoint.rootHash, stored.rootHash))
      return refuse('root-mismatch', 409, `a different root for size ${stored.size}`);
    return request.proof.length === 0
      ? undefined
      : refuse('bad-proof', 422, 'equal sizes take no consistency proof');
  }
  try {
    verifyConsistency(
      stored.size,
      checkpoint.size,
      request.proof,
      stored.rootHash,
      checkpoint.rootHash,
    );
  } catch (err) {
    if (err instanceof ProofVerificationError)
      return refuse('bad-proof', 422, `consistency proof: ${err.message}`);
    throw err;
  }
  return undefined;
}
