import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStrict } from '@custos/ledger/ed25519';
import { signInBytes } from '@custos/ledger/events';
import { base64UrlToBytes } from '@custos/ledger/bytes';
import { CustosArgumentError } from './errors';
import { loadKey, saveKey } from './key-file';
import {
  generateKey,
  keyFromSeed,
  parseKeyFile,
  parsePkcs8,
  signBytes,
  signChallenge,
  toKeyFile,
  toPkcs8Der,
  toPkcs8Pem,
} from './keys';

// RFC 8032 section 7.1, TEST 1: the seed, its public key, and the signature of "".
const RFC8032_SEED = Buffer.from(
  '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  'hex',
);
const RFC8032_PUBLIC = Buffer.from(
  'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  'hex',
).toString('base64url');
const RFC8032_SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

describe('keys', () => {
  it('derives the RFC 8032 public key and signature from a seed', () => {
    const key = keyFromSeed(RFC8032_SEED, 'k1', '0950600000019');
    expect(key.publicKey).toBe(RFC8032_PUBLIC);
    expect(Buffer.from(signBytes(key, new Uint8Array())).toString('hex')).toBe(RFC8032_SIGNATURE);
  });

  it('signs a sign-in challenge over custos-signin:v1: + nonce', () => {
    const key = generateKey('k1', '0950600000019');
    const signature = signChallenge(key, 'abc');
    expect(
      verifyStrict(
        base64UrlToBytes(signature),
        new TextEncoder().encode('custos-signin:v1:abc'),
        base64UrlToBytes(key.publicKey),
      ),
    ).toBe(true);
    expect(signInBytes('abc')).toEqual(new TextEncoder().encode('custos-signin:v1:abc'));
  });

  it('round-trips a key file, and refuses one edited by hand, naming the field', () => {
    const key = generateKey('main', '0950600000019');
    const file = toKeyFile(key);
    expect(file).toEqual({
      format: 'custos-key/v1',
      participantId: '0950600000019',
      keyId: 'main',
      secretKey: Buffer.from(key.secretKey).toString('base64url'),
      publicKey: key.publicKey,
    });
    expect(parseKeyFile(JSON.parse(JSON.stringify(file)))).toEqual(key);
    const other = generateKey();
    expect(() => parseKeyFile({ ...file, publicKey: other.publicKey })).toThrow(
      /key file: publicKey: is not the public key of secretKey/,
    );
    expect(() => parseKeyFile({ ...file, secretKey: 'AAAA' })).toThrow(
      /key file: secretKey: expected a 32-byte seed, got 3 bytes/,
    );
    expect(() => parseKeyFile({ ...file, format: 'x' })).toThrow(
      /format: expected "custos-key\/v1"/,
    );
    expect(() => parseKeyFile({ ...file, keyId: '' })).toThrow(/keyId: expected a key id/);
    expect(() => parseKeyFile([])).toThrow(CustosArgumentError);
  });

  it('writes PKCS#8 PEM that OpenSSL (node:crypto) reads as the same key', () => {
    const key = keyFromSeed(RFC8032_SEED, 'k1');
    const pem = toPkcs8Pem(key);
    expect(pem).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=]{64}\n-----END PRIVATE KEY-----\n$/,
    );
    const nodeKey = createPrivateKey(pem);
    expect(createPublicKey(nodeKey).export({ format: 'jwk' }).x).toBe(RFC8032_PUBLIC);
    expect(nodeSign(null, Buffer.alloc(0), nodeKey).toString('hex')).toBe(RFC8032_SIGNATURE);
    expect(toPkcs8Der(key)).toHaveLength(48);
  });

  it('reads PKCS#8 PEM and DER that node:crypto writes', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const fromPem = parsePkcs8(pem, 'k2', '0950600000019');
    expect(fromPem.publicKey).toBe(publicKey.export({ format: 'jwk' }).x);
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(parsePkcs8(new Uint8Array(der), 'k2')).toMatchObject({ publicKey: fromPem.publicKey });
    const message = new TextEncoder().encode('hello');
    expect(nodeVerify(null, message, publicKey, signBytes(fromPem, message))).toBe(true);
  });

  it('refuses PEM that is not an unencrypted PKCS#8 Ed25519 key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ec = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => parsePkcs8(ec, 'k1')).toThrow(/pkcs8: expected an unencrypted PKCS#8 Ed25519/);
    expect(() => parsePkcs8('hello', 'k1')).toThrow(
      /pem: expected a "-----BEGIN PRIVATE KEY-----"/,
    );
  });

  describe('files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-sdk-keys-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('saves a key file of mode 0600 and loads it back; loads PEM with a key id', () => {
      const key = generateKey('k1', '0950600000019');
      const path = join(dir, 'new', 'maker.json');
      saveKey(path, key);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'new')).mode & 0o777).toBe(0o700);
      expect(loadKey(path)).toEqual(key);
      const pemPath = join(dir, 'maker.pem');
      saveKey(pemPath, key, 'pem');
      expect(readFileSync(pemPath, 'utf8')).toContain('BEGIN PRIVATE KEY');
      expect(loadKey(pemPath, { keyId: 'k1', participantId: '0950600000019' })).toEqual(key);
    });

    it('names the file that cannot be read or parsed', () => {
      expect(() => loadKey(join(dir, 'missing.json'))).toThrow(
        /missing\.json: cannot read the key file/,
      );
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, 'not json');
      expect(() => loadKey(bad)).toThrow(/bad\.json: is neither JSON/);
    });
  });
});
