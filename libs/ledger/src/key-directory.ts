// The key directory opened and folded (docs/adr/0014): every record (key-record.ts) and
// the latest C2SP checkpoint (checkpoint.ts) of the `<ledger origin>/keys` log. The
// directory is whole when the note verifies, its tree size is the record count and its
// root the RFC 9162 root of the records' leaf hashes; only then does it hold any key. A
// key row is on record when it equals the state the records give that key, in leaf
// order. Participant-signed records are re-checked against the keys current at their
// point; one that fails has no effect. Pure; the directory is small, so it is in memory.
import { equalBytes } from './bytes';
import { type Checkpoint, openCheckpoint, signCheckpoint } from './checkpoint';
import { verifyStrict } from './ed25519';
import type { Ed25519Verify } from './events';
import { type KeyRecord, parseKeyRecord, verifyKeyRequest } from './key-record';
import { leafHash, rootOfLeafHashes } from './merkle';
import { MemoryLog } from './merkle-memory-store';
import type { NoteSigner, VerifierKey } from './note';

/** The directory's log origin beside the event log's. */
export function keyDirectoryOrigin(logOrigin: string): string {
  return `${logOrigin}/keys`;
}

/** A key row as stored (participant_key), in the ledger's terms. */
export interface KeyRow {
  readonly participantId: string;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | null;
  readonly revokedAt: Date | null;
}

/** What the records say of one key. */
export interface KeyState {
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | null;
  readonly revokedAt: Date | null;
  /** The leaf that added it, and the one that revoked it, if any. */
  readonly addedAt: number;
  readonly revokedBy: number | null;
}

export interface DirectoryEntry {
  readonly leafIndex: number;
  readonly leafInput: Uint8Array;
  readonly record: KeyRecord;
}

const keyOf = (participantId: string, keyId: string) => `${participantId}\u0000${keyId}`;
const ms = (d: Date | null) => (d === null ? null : d.getTime());

export class KeyDirectory {
  private log: MemoryLog | undefined;

  constructor(
    /** Why the directory as a whole holds nothing; undefined when it is whole. */
    readonly broken: string | undefined,
    readonly checkpoint: Checkpoint | undefined,
    /** The signed note, verbatim. */
    readonly note: string | undefined,
    readonly entries: readonly DirectoryEntry[],
    /** Records that have no effect, by leaf index, and why. */
    readonly refused: ReadonlyMap<number, string>,
    private readonly states: ReadonlyMap<string, KeyState>,
    private readonly registered: ReadonlySet<string>,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  state(participantId: string, keyId: string): KeyState | undefined {
    return this.broken === undefined ? this.states.get(keyOf(participantId, keyId)) : undefined;
  }

  isRegistered(participantId: string): boolean {
    return this.broken === undefined && this.registered.has(participantId);
  }

  /** Why `row` is not on record, or undefined when it is. */
  whyNotOnRecord(row: KeyRow): string | undefined {
    if (this.broken !== undefined) return `the key directory is not whole (${this.broken})`;
    const state = this.states.get(keyOf(row.participantId, row.keyId));
    if (!state) return `no record adds key ${row.keyId} of ${row.participantId}`;
    if (!equalBytes(state.publicKey, row.publicKey))
      return `the record of key ${row.keyId} of ${row.participantId} holds another public key`;
    if (ms(state.validFrom) !== ms(row.validFrom))
      return `the record of key ${row.keyId} of ${row.participantId} gives another validFrom`;
    if (ms(state.revokedAt) !== ms(row.revokedAt))
      return state.revokedAt === null
        ? `no record revokes key ${row.keyId} of ${row.participantId}`
        : `the records revoke key ${row.keyId} of ${row.participantId} at ${state.revokedAt.toISOString()}`;
    return undefined;
  }

  holds(row: KeyRow): boolean {
    return this.whyNotOnRecord(row) === undefined;
  }

  /** Every key the records hold, with its state (none when the directory is not whole). */
  heldKeys(): { participantId: string; keyId: string; state: KeyState }[] {
    return this.broken === undefined ? this.heldKeysIgnoringTree() : [];
  }

  /**
   * The keys the records give, whether or not the tree matches a checkpoint: for a
   * participant's listing, whose records are each proven on their own (key-listing.ts).
   */
  heldKeysIgnoringTree(): { participantId: string; keyId: string; state: KeyState }[] {
    return [...this.states].map(([id, state]) => {
      const [participantId, keyId] = id.split('\u0000') as [string, string];
      return { participantId, keyId, state };
    });
  }

  /** Every record about a participant, in leaf order. */
  recordsOf(participantId: string): DirectoryEntry[] {
    return this.entries.filter((e) => e.record.participantId === participantId);
  }

  /** RFC 9162 inclusion proof of a leaf in the checkpoint's tree. */
  inclusionProof(leafIndex: number): Uint8Array[] {
    if (!this.log) {
      this.log = new MemoryLog();
      this.log.append(this.entries.map((e) => leafHash(e.leafInput)));
    }
    return this.log.inclusionProof(leafIndex);
  }
}

export interface DirectoryInput {
  /** Every record's leaf input, in leaf order from 0. */
  readonly leafInputs: readonly Uint8Array[];
  /** The latest signed checkpoint; undefined when none is stored. */
  readonly checkpoint: string | undefined;
  readonly verifier: VerifierKey;
  /** The directory's origin (keyDirectoryOrigin). */
  readonly origin: string;
  readonly verify?: Ed25519Verify;
}

function openTree(input: DirectoryInput): { checkpoint?: Checkpoint; broken?: string } {
  if (input.checkpoint === undefined)
    return input.leafInputs.length === 0
      ? {}
      : { broken: `${input.leafInputs.length} records and no checkpoint` };
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(input.checkpoint, [input.verifier], input.origin).checkpoint;
  } catch (err) {
    return { broken: `its checkpoint does not verify: ${(err as Error).message}` };
  }
  if (checkpoint.size !== input.leafInputs.length)
    return {
      checkpoint,
      broken: `${input.leafInputs.length} records, its checkpoint covers ${checkpoint.size}`,
    };
  const root = rootOfLeafHashes(input.leafInputs.map(leafHash));
  if (!equalBytes(root, checkpoint.rootHash))
    return { checkpoint, broken: 'the records do not give its checkpoint root' };
  return { checkpoint };
}

/** Opens and folds the directory; never throws for what the database holds. */
export function openKeyDirectory(input: DirectoryInput): KeyDirectory {
  const verify = input.verify ?? verifyStrict;
  const tree = openTree(input);
  const entries: DirectoryEntry[] = [];
  const refused = new Map<number, string>();
  const states = new Map<string, KeyState>();
  const registered = new Set<string>();
  let broken = tree.broken;
  input.leafInputs.forEach((leafInput, leafIndex) => {
    let record: KeyRecord;
    try {
      record = parseKeyRecord(leafInput, `records[${leafIndex}]`);
    } catch (err) {
      broken ??= (err as Error).message;
      return;
    }
    entries.push({ leafIndex, leafInput, record });
    const why = apply(record, leafIndex, states, registered, verify);
    if (why) refused.set(leafIndex, why);
  });
  return new KeyDirectory(
    broken,
    tree.checkpoint,
    input.checkpoint,
    entries,
    refused,
    states,
    registered,
  );
}

/** A key current at this point of the directory: added and not revoked. */
function current(states: Map<string, KeyState>, participantId: string, keyId: string) {
  const s = states.get(keyOf(participantId, keyId));
  return s && s.revokedBy === null ? s : undefined;
}

function apply(
  record: KeyRecord,
  leafIndex: number,
  states: Map<string, KeyState>,
  registered: Set<string>,
  verify: Ed25519Verify,
): string | undefined {
  const auth = record.authorisedBy;
  if (auth.role === 'PARTICIPANT') {
    if (record.type === 'PARTICIPANT_REGISTERED') return 'a participant cannot register itself';
    const signer = current(states, record.participantId, auth.keyId);
    if (!signer) return `signed by ${auth.keyId}, not a current key of ${record.participantId}`;
    if (!verifyKeyRequest(record, auth.signature, signer.publicKey, verify))
      return `the signature by ${auth.keyId} does not verify`;
  }
  switch (record.type) {
    case 'PARTICIPANT_REGISTERED':
      if (registered.has(record.participantId)) return 'registered already';
      registered.add(record.participantId);
      return undefined;
    case 'KEY_ADDED': {
      if (!registered.has(record.participantId)) return `${record.participantId} is not registered`;
      const id = keyOf(record.participantId, record.keyId);
      if (states.has(id)) return `key ${record.keyId} exists already (key ids are never reused)`;
      states.set(id, {
        publicKey: record.publicKey,
        validFrom: record.validFrom,
        revokedAt: null,
        addedAt: leafIndex,
        revokedBy: null,
      });
      return undefined;
    }
    case 'KEY_REVOKED': {
      const id = keyOf(record.participantId, record.keyId);
      const state = states.get(id);
      if (!state) return `no key ${record.keyId} to revoke`;
      if (state.revokedBy !== null) return 'revoked already (the first revocation stands)';
      states.set(id, { ...state, revokedAt: record.at, revokedBy: leafIndex });
      return undefined;
    }
  }
}

/** The directory's checkpoint over these leaves, signed by the sealing key. */
export function signKeyDirectoryCheckpoint(
  leafInputs: readonly Uint8Array[],
  origin: string,
  signer: NoteSigner,
): string {
  const rootHash = rootOfLeafHashes(leafInputs.map(leafHash));
  return signCheckpoint({ origin, size: leafInputs.length, rootHash }, [signer]);
}
