import { FAST_SIGNING } from './ed25519-native';
import { readConformanceJson } from '../../../test/conformance';
import { base64ToBytes, bytesToBase64, bytesToHex, hexToBytes, utf8ToBytes } from './bytes';
import {
  type Checkpoint,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint';
import { publicKeyOf } from './ed25519';
import { FormatError, VerificationError } from './errors';
import {
  encodeSignerKey,
  encodeVerifierKey,
  noteKeyId,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifierKeyOf,
} from './note';

interface NoteVectors {
  keys: Record<
    string,
    {
      verifier_key: string;
      signer_key?: string;
      ed25519_seed_hex?: string;
      ed25519_public_key_hex: string;
      key_hash_hex: string;
    }
  >;
  invalid_verifier_keys: { key: string; why: string }[];
  sign: { signer_key: string; text: string; expected_note: string };
  open_cases: {
    desc: string;
    message: string | null;
    message_bytes_hex?: string;
    verifier_keys: string[];
    expect: 'ok' | 'error';
    error?: string;
    verified_signers?: string[];
    unverified_signers?: string[];
  }[];
  checkpoint_format_example: {
    note: string;
    expected: {
      origin: string;
      tree_size: number;
      root_hash_b64: string;
      signatures: { name: string; key_hash_hex: string; sig_b64: string }[];
    };
  };
}

const v = readConformanceJson<NoteVectors>('merkle', 'signed-note-vectors.json');
const keys = Object.entries(v.keys);

/** The vector's error text mapped to our typed errors. */
function expectedError(error: string): {
  type: typeof FormatError | typeof VerificationError;
  code: string;
} {
  if (error === 'malformed note') return { type: FormatError, code: 'MALFORMED_NOTE' };
  if (error === 'note has no verifiable signatures')
    return { type: VerificationError, code: 'NO_VERIFIED_SIGNATURE' };
  if (error.startsWith('invalid signature for key'))
    return { type: VerificationError, code: 'INVALID_SIGNATURE' };
  throw new Error(`unmapped vector error ${error}`);
}

describe('merkle/signed-note-vectors.json', () => {
  describe(`keys: ${keys.length}`, () => {
    it.each(keys)(
      '%s: vkey parses, re-encodes, key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]',
      (name, k) => {
        const parsed = parseVerifierKey(k.verifier_key);
        expect(parsed.name).toBe(name);
        expect(bytesToHex(parsed.publicKey)).toBe(k.ed25519_public_key_hex);
        expect(parsed.keyId.toString(16).padStart(8, '0')).toBe(k.key_hash_hex);
        expect(noteKeyId(name, parsed.publicKey)).toBe(parsed.keyId);
        expect(encodeVerifierKey(name, parsed.publicKey)).toBe(k.verifier_key);
        if (k.signer_key !== undefined) {
          const signer = parseSignerKey(k.signer_key);
          expect(bytesToHex(signer.secretKey)).toBe(k.ed25519_seed_hex);
          expect(bytesToHex(publicKeyOf(signer.secretKey))).toBe(k.ed25519_public_key_hex);
          expect(encodeSignerKey(signer)).toBe(k.signer_key);
        }
      },
    );
  });

  it.each(v.invalid_verifier_keys)('invalid verifier key rejected: $why', ({ key }) => {
    expect(() => parseVerifierKey(key)).toThrow(FormatError);
  });

  it('signing reproduces the expected note byte for byte', () => {
    const signer = parseSignerKey(v.sign.signer_key);
    expect(signNote(v.sign.text, [signer])).toBe(v.sign.expected_note);
    // The server's OpenSSL signer (ed25519-native.ts) writes the same bytes.
    expect(signNote(v.sign.text, [signer], FAST_SIGNING)).toBe(v.sign.expected_note);
  });

  describe(`open cases: ${v.open_cases.length}`, () => {
    it.each(v.open_cases)('$desc -> $expect', (c) => {
      const message = c.message ?? hexToBytes(c.message_bytes_hex!);
      const verifiers = c.verifier_keys.map(parseVerifierKey);
      if (c.expect === 'ok') {
        const opened = openNote(message, verifiers);
        expect(opened.text).toBe(v.sign.text);
        expect(opened.verified.map((s) => s.name)).toEqual(c.verified_signers);
        expect(opened.unverified.map((s) => s.name)).toEqual(c.unverified_signers);
      } else {
        const { type, code } = expectedError(c.error!);
        let thrown: unknown;
        try {
          openNote(message, verifiers);
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(type);
        expect((thrown as FormatError).code).toBe(code);
      }
    });
  });

  it('checkpoint format example parses (signature cannot be checked: key not published)', () => {
    const ex = v.checkpoint_format_example;
    const split = ex.note.lastIndexOf('\n\n');
    const cp = parseCheckpoint(ex.note.slice(0, split + 1));
    expect(cp.origin).toBe(ex.expected.origin);
    expect(cp.size).toBe(ex.expected.tree_size);
    expect(bytesToBase64(cp.rootHash)).toBe(ex.expected.root_hash_b64);
    expect(formatCheckpoint(cp)).toBe(ex.note.slice(0, split + 1));
    // Unknown to us, so ignored, and with no known key the note is refused.
    let thrown: unknown;
    try {
      openNote(ex.note, []);
    } catch (err) {
      thrown = err;
    }
    expect((thrown as VerificationError).code).toBe('NO_VERIFIED_SIGNATURE');
    const sig = ex.expected.signatures[0]!;
    expect(bytesToHex(base64ToBytes(sig.sig_b64).subarray(0, 4))).toBe(sig.key_hash_hex);
  });
});

const log = { name: 'custos.local/log', secretKey: new Uint8Array(32).fill(1) };
const witness = { name: 'witness.example/w1', secretKey: new Uint8Array(32).fill(2) };
const checkpoint: Checkpoint = {
  origin: 'custos.local/log',
  size: 42,
  rootHash: new Uint8Array(32).fill(9),
};

describe('checkpoints and several signatures', () => {
  it('signs with several keys; each verifier sees its own, unknown ones are ignored', () => {
    const note = signCheckpoint(checkpoint, [log, witness]);
    expect(
      note.startsWith(
        `custos.local/log\n42\n${bytesToBase64(checkpoint.rootHash)}\n\n\u2014 custos.local/log `,
      ),
    ).toBe(true);
    const both = openCheckpoint(
      note,
      [verifierKeyOf(log), verifierKeyOf(witness)],
      'custos.local/log',
    );
    expect(both.verified.map((s) => s.name)).toEqual(['custos.local/log', 'witness.example/w1']);
    const logOnly = openCheckpoint(note, [verifierKeyOf(log)]);
    expect(logOnly.unverified.map((s) => s.name)).toEqual(['witness.example/w1']);
    expect(logOnly.checkpoint).toEqual(checkpoint);
  });
  it('round-trips extension lines and rejects malformed bodies', () => {
    const withExt = { ...checkpoint, extensions: ['ext one'] };
    expect(parseCheckpoint(formatCheckpoint(withExt))).toEqual(withExt);
    const root = bytesToBase64(checkpoint.rootHash);
    for (const bad of [
      `o\n042\n${root}\n`,
      `o\n1\n${root}`,
      `o\n1\n\n`,
      `\n1\n${root}\n`,
      `o\n1\nAAAA\n`,
      `o\n1\n${root}\n\n`,
    ]) {
      expect(() => parseCheckpoint(bad)).toThrow(FormatError);
    }
  });
  it('refuses another origin, a tampered body, a wrong key with the same name', () => {
    const note = signCheckpoint(checkpoint, [log]);
    expect(() => openCheckpoint(note, [verifierKeyOf(log)], 'other/log')).toThrow(/origin/);
    expect(() => openCheckpoint(note.replace('\n42\n', '\n43\n'), [verifierKeyOf(log)])).toThrow(
      VerificationError,
    );
    const impostor = verifierKeyOf({ name: log.name, secretKey: new Uint8Array(32).fill(3) });
    expect(() => openCheckpoint(note, [impostor])).toThrow(/no verifiable signatures/);
  });
  it('signNote refuses text it could not frame', () => {
    expect(() => signNote('no newline', [log])).toThrow(/newline/);
    expect(() => signNote('tab\there\n', [log])).toThrow(/control/);
    expect(() => signNote('ok\n', [{ ...log, name: 'bad name' }])).toThrow(/name/);
    expect(utf8ToBytes(signNote('ok\n', [log]))[3]).toBe(0x0a);
  });
});
