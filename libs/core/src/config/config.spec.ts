import { ConfigError, loadConfig } from './config';

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
      DATABASE_URL: 'postgresql://u@db:5432/custos',
      REDIS_URL: 'redis://cache:6379',
      CUSTOS_ROLE: 'worker',
      CUSTOS_QUEUE_PREFIX: 'custos_t1',
      CUSTOS_SEALING_KEY: 'AB'.repeat(32),
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
      'CUSTOS_ROLE: expected one of api, worker, all, got "both"',
      'PORT: expected an integer from 0 to 65535, got "70000"',
      'CUSTOS_LOG_ORIGIN: expected a schema-less URL such as custos.example/log (no spaces, no +), got "https://custos.example/log"',
      'CUSTOS_SEALING_KEY: expected 64 hexadecimal characters (a 32-byte seed), got "<hidden>"',
      'SEAL_MAX_EVENTS: expected an integer from 1 to 100000, got "12abc"',
    ]);
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
    expect(() => loadConfig({ CUSTOS_GRAPHQL_MAX_DEPTH: '1' })).toThrow(
      'CUSTOS_GRAPHQL_MAX_DEPTH: expected an integer from 2 to 100, got "1"',
    );
  });

  it('never echoes a secret back', () => {
    expect(() => loadConfig({ CUSTOS_ADMIN_TOKEN: 'short-secret' })).toThrow(
      'CUSTOS_ADMIN_TOKEN: expected at least 32 printable characters without spaces, got "<hidden>"',
    );
  });
});
