import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const SERVICES = { DATABASE_URL: 'postgresql://u@db:5432/custos' };
const SECRETS = {
  CUSTOS_SEALING_KEY: 'AB'.repeat(32),
  CUSTOS_SESSION_SECRET: 's'.repeat(40),
  CUSTOS_ADMIN_TOKEN: 'a'.repeat(40),
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on embedded defaults when neither DATABASE_URL nor REDIS_URL is set', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      role: 'all',
      port: 3000,
      dataDir: '/srv/app/.custos',
      database: { kind: 'pglite', dataDir: '/srv/app/.custos/pgdata' },
      queue: { kind: 'postgresql', schema: 'bullmq' },
      logOrigin: 'custos.local/log',
      sealMaxEvents: 1000,
      sealMaxWaitMs: 500,
      sealingKeyHex: undefined,
    });
  });

  it('uses PostgreSQL and Redis when their URLs are set', () => {
    const config = loadConfig({
      ...SECRETS,
      DATABASE_URL: 'postgresql://u@db:5432/custos',
      REDIS_URL: 'redis://cache:6379',
      CUSTOS_ROLE: 'worker',
      CUSTOS_QUEUE_PREFIX: 'custos_t1',
    });
    expect(config.database).toEqual({ kind: 'postgresql', url: 'postgresql://u@db:5432/custos' });
    expect(config.queue).toEqual({ kind: 'redis', url: 'redis://cache:6379', prefix: 'custos_t1' });
    expect(config.role).toBe('worker');
    expect(config.sealingKeyHex).toBe('ab'.repeat(32));
  });

  it('names every malformed variable and what it expects, all at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: '70000',
        CUSTOS_ROLE: 'both',
        DATABASE_URL: 'mysql://x',
        SEAL_MAX_EVENTS: '12abc',
        CUSTOS_SEALING_KEY: 'xyz',
        CUSTOS_LOG_ORIGIN: 'https://custos.example/log',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      'DATABASE_URL: expected a URL starting with postgres:// or postgresql://, got "mysql://x"',
      'CUSTOS_ROLE: expected one of api, worker, all, witness, got "both"',
      'PORT: expected an integer from 0 to 65535, got "70000"',
      'CUSTOS_LOG_ORIGIN: expected a schema-less URL such as custos.example/log (no spaces, no +), got "https://custos.example/log"',
      'CUSTOS_SEALING_KEY: expected 64 hexadecimal characters (a 32-byte seed), got "<hidden>"',
      'SEAL_MAX_EVENTS: expected an integer from 1 to 100000, got "12abc"',
    ]);
  });

  it('refuses an in-flight body limit below the largest body, naming both variables', () => {
    expect(
      configError({ CUSTOS_MAX_BODY_BYTES: '4096', CUSTOS_MAX_INFLIGHT_BODY_BYTES: '4095' })
        .problems,
    ).toEqual([
      'CUSTOS_MAX_INFLIGHT_BODY_BYTES: 4095 is less than CUSTOS_MAX_BODY_BYTES (4096): a body of the largest size allowed could never be admitted; set it to at least CUSTOS_MAX_BODY_BYTES',
    ]);
    expect(
      loadConfig({ CUSTOS_MAX_BODY_BYTES: '4096', CUSTOS_MAX_INFLIGHT_BODY_BYTES: '4096' })
        .requestLimits.maxInflightBodyBytes,
    ).toBe(4096);
  });

  it('reads the sign-in and request limits, with defaults', () => {
    expect(loadConfig({}, '/srv/app')).toMatchObject({
      signIn: { challengeTtlSeconds: 120, rateWindowSeconds: 60, ratePerParticipant: 20 },
      requestLimits: { maxBodyBytes: 16 * 1024 * 1024, maxDepth: 12, maxListLength: 1000 },
      trustProxyHops: 0,
    });
    const config = loadConfig({
      CUSTOS_SIGNIN_RATE_PER_ADDRESS: '5',
      CUSTOS_MAX_BODY_BYTES: '2048',
      CUSTOS_GRAPHQL_MAX_PAGE: '50',
    });
    expect(config.signIn.ratePerAddress).toBe(5);
    expect(config.requestLimits).toMatchObject({ maxBodyBytes: 2048, maxPageSize: 50 });
    expect(config.requestLimits).toMatchObject({ maxInflightBodyBytes: 4096 });
    expect(loadConfig({}).requestLimits).toMatchObject({
      maxInflightBodyBytes: 32 * 1024 * 1024,
      admissionWaitMs: 30_000,
      requestTimeoutMs: 120_000,
    });
    expect(
      loadConfig({ CUSTOS_REQUEST_TIMEOUT_SECONDS: '5', CUSTOS_ADMISSION_WAIT_MS: '4999' })
        .requestLimits.requestTimeoutMs,
    ).toBe(5000);
    expect(
      configError({ CUSTOS_REQUEST_TIMEOUT_SECONDS: '5', CUSTOS_ADMISSION_WAIT_MS: '5000' })
        .problems,
    ).toEqual([
      'CUSTOS_ADMISSION_WAIT_MS: 5000 is not less than CUSTOS_REQUEST_TIMEOUT_SECONDS (5 s): a request waiting for room would be cut off with 408 before it could be told 503 and when to retry; make the wait shorter or the timeout longer',
    ]);
    expect(() => loadConfig({ CUSTOS_REQUEST_TIMEOUT_SECONDS: '0' })).toThrow(
      'CUSTOS_REQUEST_TIMEOUT_SECONDS: expected an integer from 1 to 3600, got "0"',
    );
    expect(() => loadConfig({ CUSTOS_GRAPHQL_MAX_DEPTH: '1' })).toThrow(
      'CUSTOS_GRAPHQL_MAX_DEPTH: expected an integer from 2 to 100, got "1"',
    );
  });

  it('binds 127.0.0.1 embedded and 0.0.0.0 with DATABASE_URL unless CUSTOS_BIND_ADDRESS says', () => {
    expect(loadConfig({}).bindAddress).toBe('127.0.0.1');
    expect(loadConfig({ ...SERVICES, ...SECRETS }).bindAddress).toBe('0.0.0.0');
    expect(loadConfig({ CUSTOS_BIND_ADDRESS: '0.0.0.0' }).bindAddress).toBe('0.0.0.0');
    expect(loadConfig({ CUSTOS_BIND_ADDRESS: '::' }).bindAddress).toBe('::');
    expect(configError({ CUSTOS_BIND_ADDRESS: 'everywhere' }).problems).toEqual([
      'CUSTOS_BIND_ADDRESS: expected an IP address such as 127.0.0.1, 0.0.0.0 or ::, got "everywhere"',
    ]);
  });

  it('serves the scan page source maps except in production, unless told', () => {
    expect(loadConfig({}).webSourceMaps).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).webSourceMaps).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'production', CUSTOS_WEB_SOURCE_MAPS: 'true' }).webSourceMaps,
    ).toBe(true);
  });

  it('never echoes a secret back', () => {
    expect(() => loadConfig({ CUSTOS_ADMIN_TOKEN: 'short-secret' })).toThrow(
      'CUSTOS_ADMIN_TOKEN: expected at least 32 printable characters without spaces, got "<hidden>"',
    );
  });

  describe('secrets', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'custos-config-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    };

    it('with DATABASE_URL, refuses to start without them, saying what to set for each', () => {
      const error = configError(SERVICES);
      expect(error.missingSecrets).toEqual([
        'CUSTOS_SEALING_KEY',
        'CUSTOS_SESSION_SECRET',
        'CUSTOS_ADMIN_TOKEN',
      ]);
      expect(error.problems).toEqual([
        'CUSTOS_SEALING_KEY: not set; set it or CUSTOS_SEALING_KEY_FILE (a file holding it, 64 hex characters: openssl rand -hex 32)',
        'CUSTOS_SESSION_SECRET: not set; set it or CUSTOS_SESSION_SECRET_FILE (a file holding it, 32+ characters: openssl rand -base64 48)',
        'CUSTOS_ADMIN_TOKEN: not set; set it or CUSTOS_ADMIN_TOKEN_FILE (a file holding it, 32+ characters: openssl rand -base64 48)',
        'with DATABASE_URL, secrets come from the environment or files: they are not generated into the database, where a dump would hold them (CUSTOS_GENERATE_SECRETS=database does that anyway, for development only)',
      ]);
      const one = configError({ ...SERVICES, ...SECRETS, CUSTOS_SESSION_SECRET: '' });
      expect(one.missingSecrets).toEqual(['CUSTOS_SESSION_SECRET']);
    });

    it('with DATABASE_URL, generates them into the database only when told so', () => {
      const config = loadConfig({ ...SERVICES, CUSTOS_GENERATE_SECRETS: 'database' });
      expect(config).toMatchObject({
        generateSecrets: 'database',
        sealingKeyHex: undefined,
        sessionSecret: undefined,
        adminToken: undefined,
      });
      expect(configError({ CUSTOS_GENERATE_SECRETS: 'yes' }).problems).toEqual([
        'CUSTOS_GENERATE_SECRETS: expected one of database, got "yes"',
      ]);
    });

    it('embedded, needs none of them (they are generated into the data folder)', () => {
      expect(loadConfig({}, '/srv/app')).toMatchObject({
        generateSecrets: undefined,
        adminToken: undefined,
      });
    });

    it('reads each from the file its _FILE variable names (container secrets)', () => {
      const config = loadConfig({
        ...SERVICES,
        CUSTOS_SEALING_KEY_FILE: file('sealing-key', `${'CD'.repeat(32)}\n`),
        CUSTOS_SESSION_SECRET_FILE: file('session', `  ${'x'.repeat(48)}\r\n`),
        CUSTOS_ADMIN_TOKEN_FILE: file('admin', 'y'.repeat(32)),
      });
      expect(config.sealingKeyHex).toBe('cd'.repeat(32));
      expect(config.sessionSecret).toBe('x'.repeat(48));
      expect(config.adminToken).toBe('y'.repeat(32));
    });

    it('names the _FILE variable and path at fault, never the content', () => {
      const missing = join(dir, 'nope');
      const error = configError({
        ...SERVICES,
        ...SECRETS,
        CUSTOS_SEALING_KEY: '',
        CUSTOS_SEALING_KEY_FILE: file('bad-key', 'not-hex-at-all-but-long-enough-to-look-secret'),
        CUSTOS_SESSION_SECRET: '',
        CUSTOS_SESSION_SECRET_FILE: missing,
        CUSTOS_ADMIN_TOKEN_FILE: file('admin', 'z'.repeat(40)),
      });
      expect(error.problems).toEqual([
        `CUSTOS_ADMIN_TOKEN and CUSTOS_ADMIN_TOKEN_FILE are both set: set one of them`,
        `CUSTOS_SESSION_SECRET_FILE: cannot read ${missing} (ENOENT)`,
        `CUSTOS_SEALING_KEY_FILE (${join(dir, 'bad-key')}): expected 64 hexadecimal characters (a 32-byte seed), got "<hidden>"`,
      ]);
      expect(error.missingSecrets).toEqual([]);
      expect(error.message).not.toContain('not-hex');
      expect(configError({ CUSTOS_ADMIN_TOKEN_FILE: file('empty', '\n') }).problems).toEqual([
        `CUSTOS_ADMIN_TOKEN_FILE: ${join(dir, 'empty')} is empty`,
      ]);
    });
  });
});

describe('witness configuration (SPEC section 9)', () => {
  const LOG_VKEY = 'custos.test/log+d4e7146d+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs';
  const WITNESS_VKEY = 'witness.test/w1+063478d4+BE0NFw/AnGKLfB7zEKxBCFysE6QityMkX7P7DikB5RnL';

  it('CUSTOS_ROLE=witness reads its name, key and logs, and needs no ledger secret', () => {
    const config = loadConfig({
      ...SERVICES,
      CUSTOS_ROLE: 'witness',
      CUSTOS_WITNESS_NAME: 'witness.test/w1',
      CUSTOS_WITNESS_KEY: 'CD'.repeat(32),
      CUSTOS_WITNESS_LOGS: ` ${LOG_VKEY} ;`,
    });
    expect(config.witness).toEqual({
      name: 'witness.test/w1',
      keyHex: 'cd'.repeat(32),
      logs: [{ origin: 'custos.test/log', vkey: LOG_VKEY }],
    });
  });

  it('names every missing or bad witness variable', () => {
    expect(configError({ CUSTOS_ROLE: 'witness' }).problems).toEqual([
      expect.stringMatching(/^CUSTOS_WITNESS_NAME: not set/),
      expect.stringMatching(/^CUSTOS_WITNESS_LOGS: not set/),
    ]);
    const problems = configError({
      CUSTOS_ROLE: 'witness',
      CUSTOS_WITNESS_NAME: 'has space',
      CUSTOS_WITNESS_KEY: 'xyz',
      CUSTOS_WITNESS_LOGS: `${LOG_VKEY};${WITNESS_VKEY}`,
    }).problems;
    expect(problems).toEqual([
      expect.stringMatching(/^CUSTOS_WITNESS_NAME: expected a key name/),
      expect.stringMatching(/^CUSTOS_WITNESS_KEY: expected 64 hexadecimal/),
      expect.stringMatching(/^CUSTOS_WITNESS_LOGS: entry 2: verifier key: unknown signature type/),
    ]);
  });

  it('CUSTOS_WITNESSES: vkey and URL per entry; the quorum defaults to all of them', () => {
    const config = loadConfig({
      CUSTOS_WITNESSES: `${WITNESS_VKEY} http://127.0.0.1:7380/; `,
    });
    expect(config.witnesses).toEqual([{ vkey: WITNESS_VKEY, url: 'http://127.0.0.1:7380' }]);
    expect(config.witnessQuorum).toBe(1);
    expect(config.witnessMaxAgeSeconds).toBe(3600);
    expect(loadConfig({}).witnesses).toEqual([]);
    expect(
      configError({
        CUSTOS_WITNESSES: `${LOG_VKEY} http://a;${WITNESS_VKEY} ftp://b;${WITNESS_VKEY}`,
        CUSTOS_WITNESS_QUORUM: '3',
      }).problems,
    ).toEqual([
      expect.stringMatching(/^CUSTOS_WITNESSES: entry 1: cosigner vkey .* type must be 0x04/),
      expect.stringMatching(/^CUSTOS_WITNESSES: entry 2: "ftp:\/\/b" is not an http\(s\) URL/),
      expect.stringMatching(
        /^CUSTOS_WITNESSES: entry 3: expected "<witness vkey> <submission URL prefix>"/,
      ),
      'CUSTOS_WITNESS_QUORUM: 3 is more than the 0 witnesses in CUSTOS_WITNESSES',
    ]);
  });
});
