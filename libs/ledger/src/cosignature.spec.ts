import fc from 'fast-check';
import { verifyCosignatureIndependently } from '../../../test/witness/independent-cosignature-verifier';
import { base64ToBytes, bytesToBase64, bytesToHex } from './bytes';
import { signCheckpoint } from './checkpoint';
import {
  COSIGNATURE_V1_LENGTH,
  cosign,
  cosignatureKeyId,
  cosignatureMessage,
  cosignerKeyOf,
  encodeCosignerVkey,
  openCosignatures,
  parseCosignerVkey,
  readCosignatureLine,
} from './cosignature';
import { publicKeyOf } from './ed25519';
import { FormatError, LedgerArgumentError, VerificationError } from './errors';
import { encodeVerifierKey, noteKeyId, openNote, verifierKeyOf } from './note';

const log = { name: 'example.com/behind-the-sofa', secretKey: new Uint8Array(32).fill(1) };
const witness = { name: 'witness.example.com/w1', secretKey: new Uint8Array(32).fill(2) };
const root = base64ToBytes('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
const note = signCheckpoint({ origin: log.name, size: 20852163, rootHash: root }, [log]);
const vkey = encodeCosignerVkey(witness.name, publicKeyOf(witness.secretKey));

describe('C2SP tlog-cosignature, cosignature/v1', () => {
  it("reads the spec's example line: key ID 8d66cf3f, time 1679315147", () => {
    // c2sp.org/tlog-cosignature, the example checkpoint's second signature line.
    const line =
      '\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';
    const cosig = readCosignatureLine(line)!;
    expect(cosig.name).toBe('witness.example.com/w1');
    expect(cosig.keyId.toString(16)).toBe('8d66cf3f');
    expect(cosig.timestamp).toBe(1679315147);
    // The log's own line (keyID ‖ 64-byte signature) is not a cosignature.
    expect(
      readCosignatureLine(
        '\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=',
      ),
    ).toBeUndefined();
  });

  it('signs the documented message and the independent verifier accepts it', () => {
    const line = cosign(note, witness, 1679315147);
    expect(line.endsWith('\n')).toBe(true);
    const raw = base64ToBytes(line.trim().split(' ')[2]!);
    expect(raw.length).toBe(COSIGNATURE_V1_LENGTH);
    expect(bytesToHex(raw.subarray(4, 12))).toBe('00000000641850cb');
    expect(new TextDecoder().decode(cosignatureMessage(note, 1679315147))).toBe(
      `cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n`,
    );
    const cosigned = note + line;
    expect(verifyCosignatureIndependently(cosigned, { vkey })).toEqual({
      name: witness.name,
      timestamp: 1679315147,
    });
    // The note stays a valid signed note for the log key (unknown lines are ignored).
    expect(openNote(cosigned, [verifierKeyOf(log)]).verified).toHaveLength(1);
    const [found] = openCosignatures(cosigned, [parseCosignerVkey(vkey)]);
    expect(found).toMatchObject({ name: witness.name, timestamp: 1679315147 });
  });

  it('key ID uses type 0x04, not the note type 0x01', () => {
    const pub = publicKeyOf(witness.secretKey);
    expect(cosignatureKeyId(witness.name, pub)).not.toBe(noteKeyId(witness.name, pub));
    expect(cosignerKeyOf(witness)).toEqual(parseCosignerVkey(vkey));
  });

  it('vkeys: round trip, and clear errors for the wrong type or a wrong key ID', () => {
    const pub = publicKeyOf(witness.secretKey);
    expect(parseCosignerVkey(vkey)).toEqual({
      name: witness.name,
      keyId: cosignatureKeyId(witness.name, pub),
      publicKey: pub,
    });
    expect(() => parseCosignerVkey(encodeVerifierKey(witness.name, pub))).toThrow(
      /signature type must be 0x04/,
    );
    const [n, , k] = vkey.split('+');
    expect(() => parseCosignerVkey(`${n}+00000000+${k}`)).toThrow(FormatError);
    expect(() => parseCosignerVkey('no-plus')).toThrow(/expected name\+keyid\+key/);
    expect(() => cosign(note, witness, 0)).toThrow(LedgerArgumentError);
  });

  it('a known cosigner with a bad signature rejects; unknown cosigners are ignored', () => {
    const line = cosign(note, witness, 1700000000);
    const raw = base64ToBytes(line.trim().split(' ')[2]!);
    raw[40] = raw[40]! ^ 1;
    const bad = `${note}\u2014 ${witness.name} ${bytesToBase64(raw)}\n`;
    expect(() => openCosignatures(bad, [parseCosignerVkey(vkey)])).toThrow(VerificationError);
    expect(() => verifyCosignatureIndependently(bad, { vkey })).toThrow(/bad signature/);
    const other = { name: 'other.example/w', secretKey: new Uint8Array(32).fill(3) };
    expect(openCosignatures(bad, [cosignerKeyOf(other)])).toEqual([]);
  });

  it('property: every cosignature verifies independently; any change to the checkpoint refuses', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.stringMatching(/^[a-z]{1,10}\.example\/[a-z0-9]{1,8}$/),
        (seed, timestamp, size, rootHash, name) => {
          const signer = { name, secretKey: seed };
          const cp = signCheckpoint({ origin: log.name, size, rootHash }, [log]);
          const line = cosign(cp, signer, timestamp);
          const key = encodeCosignerVkey(name, publicKeyOf(seed));
          expect(verifyCosignatureIndependently(cp + line, { vkey: key }).timestamp).toBe(
            timestamp,
          );
          expect(openCosignatures(cp + line, [parseCosignerVkey(key)])).toHaveLength(1);
          const forged = cp.replace(`\n${size}\n`, `\n${size + 1}\n`) + line;
          expect(() => verifyCosignatureIndependently(forged, { vkey: key })).toThrow();
          expect(() => openCosignatures(forged, [parseCosignerVkey(key)])).toThrow(
            VerificationError,
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('keeps the newest of two cosignatures by one key', () => {
    const two = note + cosign(note, witness, 10) + cosign(note, witness, 20);
    expect(openCosignatures(two, [cosignerKeyOf(witness)]).map((c) => c.timestamp)).toEqual([20]);
  });
});
