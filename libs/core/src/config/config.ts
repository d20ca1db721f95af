// The environment of SPEC section 8, read once at boot into one typed object. Every
// variable is checked here; a bad one stops the process with its name and what is
// expected, before anything is opened. Secrets may come from files (`<NAME>_FILE`, for
// container secrets); with DATABASE_URL they must come from the environment or a file,
// because generated ones would be kept in the database, where any dump holds them.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type Role = 'api' | 'worker' | 'all';

export type DatabaseConfig =
  | { readonly kind: 'postgresql'; readonly url: string }
  | { readonly kind: 'pglite'; readonly dataDir: string };

/** Redis when REDIS_URL is set; otherwise BullMQ's PostgreSQL backend on the same database. */
export type QueueConfig =
  | { readonly kind: 'redis'; readonly url: string; readonly prefix: string }
  | { readonly kind: 'postgresql'; readonly schema: string };

export interface Config {
  readonly role: Role;
  readonly port: number;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly queue: QueueConfig;
  /**
   * Unset means: generate one and keep it with the data, in the data folder (embedded) or,
   * with DATABASE_URL, in the database only when `generateSecrets` is 'database'.
   */
  readonly adminToken: string | undefined;
  /** Key of the session tokens (HS256); unset means generated, as `adminToken`. */
  readonly sessionSecret: string | undefined;
  readonly sessionTtlSeconds: number;
  readonly logOrigin: string;
  /** Seed of the sealing key; unset means generated, as `adminToken`. */
  readonly sealingKeyHex: string | undefined;
  /** CUSTOS_GENERATE_SECRETS=database: with DATABASE_URL, generate unset secrets there. */
  readonly generateSecrets: 'database' | undefined;
  readonly sealMaxEvents: number;
  readonly sealMaxWaitMs: number;
  readonly graphqlIntrospection: boolean;
  readonly shutdownTimeoutMs: number;
  /** Longest wait at start for migrations another process is applying. */
  readonly migrationWaitMs: number;
  readonly signIn: SignInConfig;
  readonly requestLimits: RequestLimits;
  /** Proxies in front of the API whose X-Forwarded-For is trusted (0: use the peer address). */
  readonly trustProxyHops: number;
}

export interface SignInConfig {
  readonly challengeTtlSeconds: number;
  /** Sign-in attempts (requestChallenge and signIn) allowed per window… */
  readonly rateWindowSeconds: number;
  /** … for one participant id, whoever asks … */
  readonly ratePerParticipant: number;
  /** … and from one client address, whatever the participant. */
  readonly ratePerAddress: number;
}

/** What one GraphQL request may ask for; each breach is refused with its own error code. */
export interface RequestLimits {
  readonly maxBodyBytes: number;
  /** Longest document in lexical tokens, refused before it is parsed any further. */
  readonly maxTokens: number;
  readonly maxDepth: number;
  readonly maxComplexity: number;
  /** Longest list in any argument, unless the field declares its own cap. */
  readonly maxListLength: number;
  /** Largest `first` of a paged field. */
  readonly maxPageSize: number;
}

export class ConfigError extends Error {
  constructor(
    readonly problems: readonly string[],
    /** The secrets refused because services mode does not generate them (variable names). */
    readonly missingSecrets: readonly string[] = [],
  ) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** The three secrets, how to make one, and the name it is kept under when generated. */
export const SECRETS = [
  {
    env: 'CUSTOS_SEALING_KEY',
    kept: 'sealing-key',
    make: '64 hex characters: openssl rand -hex 32',
  },
  {
    env: 'CUSTOS_SESSION_SECRET',
    kept: 'session-key',
    make: '32+ characters: openssl rand -base64 48',
  },
  {
    env: 'CUSTOS_ADMIN_TOKEN',
    kept: 'admin-token',
    make: '32+ characters: openssl rand -base64 48',
  },
] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the whole environment; throws one ConfigError listing every problem. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = read.url('REDIS_URL', ['redis:', 'rediss:']);
  const dataDir = resolve(cwd, read.string('CUSTOS_DATA_DIR') ?? '.custos');

  const config: Config = {
    role: read.oneOf('CUSTOS_ROLE', ['api', 'worker', 'all'] as const) ?? 'all',
    port: read.integer('PORT', 0, 65535) ?? 3000,
    dataDir,
    database: databaseUrl
      ? { kind: 'postgresql', url: databaseUrl }
      : { kind: 'pglite', dataDir: resolve(dataDir, 'pgdata') },
    queue: redisUrl
      ? { kind: 'redis', url: redisUrl, prefix: read.name('CUSTOS_QUEUE_PREFIX') ?? 'custos' }
      : { kind: 'postgresql', schema: read.name('CUSTOS_QUEUE_PREFIX') ?? 'bullmq' },
    adminToken: read.secret('CUSTOS_ADMIN_TOKEN', 32),
    sessionSecret: read.secret('CUSTOS_SESSION_SECRET', 32),
    sessionTtlSeconds: read.integer('CUSTOS_SESSION_TTL_SECONDS', 60, 86_400) ?? 900,
    logOrigin: read.origin('CUSTOS_LOG_ORIGIN') ?? 'custos.local/log',
    sealingKeyHex: read.hex('CUSTOS_SEALING_KEY', 32),
    generateSecrets: read.oneOf('CUSTOS_GENERATE_SECRETS', ['database'] as const),
    sealMaxEvents: read.integer('SEAL_MAX_EVENTS', 1, 100_000) ?? 1000,
    sealMaxWaitMs: read.integer('SEAL_MAX_WAIT_MS', 1, 3_600_000) ?? 500,
    graphqlIntrospection: read.boolean('CUSTOS_GRAPHQL_INTROSPECTION') ?? true,
    shutdownTimeoutMs: read.integer('CUSTOS_SHUTDOWN_TIMEOUT_MS', 0, 600_000) ?? 30_000,
    migrationWaitMs: (read.integer('CUSTOS_MIGRATION_WAIT_SECONDS', 1, 86_400) ?? 300) * 1000,
    signIn: {
      challengeTtlSeconds: read.integer('CUSTOS_CHALLENGE_TTL_SECONDS', 5, 600) ?? 120,
      rateWindowSeconds: read.integer('CUSTOS_SIGNIN_RATE_WINDOW_SECONDS', 1, 86_400) ?? 60,
      ratePerParticipant: read.integer('CUSTOS_SIGNIN_RATE_PER_PARTICIPANT', 1, 100_000) ?? 20,
      ratePerAddress: read.integer('CUSTOS_SIGNIN_RATE_PER_ADDRESS', 1, 1_000_000) ?? 60,
    },
    requestLimits: {
      maxBodyBytes: read.integer('CUSTOS_MAX_BODY_BYTES', 1024, 268_435_456) ?? 16 * 1024 * 1024,
      maxTokens: read.integer('CUSTOS_GRAPHQL_MAX_TOKENS', 100, 1_000_000) ?? 10_000,
      maxDepth: read.integer('CUSTOS_GRAPHQL_MAX_DEPTH', 2, 100) ?? 12,
      maxComplexity: read.integer('CUSTOS_GRAPHQL_MAX_COMPLEXITY', 10, 1_000_000) ?? 5000,
      maxListLength: read.integer('CUSTOS_GRAPHQL_MAX_LIST', 1, 1_000_000) ?? 1000,
      maxPageSize: read.integer('CUSTOS_GRAPHQL_MAX_PAGE', 1, 100_000) ?? 500,
    },
    trustProxyHops: read.integer('CUSTOS_TRUST_PROXY_HOPS', 0, 10) ?? 0,
  };
  const missingSecrets =
    config.database.kind === 'postgresql' && config.generateSecrets === undefined
      ? SECRETS.filter(({ env: name }) => read.isUnset(name)).map(({ env: name }) => name)
      : [];
  for (const secret of SECRETS.filter(({ env: name }) => missingSecrets.includes(name))) {
    problems.push(
      `${secret.env}: not set; set it or ${secret.env}_FILE (a file holding it, ${secret.make})`,
    );
  }
  if (missingSecrets.length > 0) {
    problems.push(
      'with DATABASE_URL, secrets come from the environment or files: they are not generated into the database, where a dump would hold them (CUSTOS_GENERATE_SECRETS=database does that anyway, for development only)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems, missingSecrets);
  return config;
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  /** Neither `name` nor `name`_FILE is set. */
  isUnset(name: string): boolean {
    return this.string(name) === undefined && this.string(`${name}_FILE`) === undefined;
  }

  /**
   * A secret from `name`, or from the file `name`_FILE names (its content, surrounding
   * white space removed), with the label to report it under. Both set is a mistake.
   */
  private secretSource(name: string): { raw: string; label: string } | undefined {
    const direct = this.string(name);
    const path = this.string(`${name}_FILE`);
    if (path === undefined) return direct === undefined ? undefined : { raw: direct, label: name };
    if (direct !== undefined) {
      this.problems.push(`${name} and ${name}_FILE are both set: set one of them`);
      return undefined;
    }
    let content: string;
    try {
      content = readFileSync(path, 'utf8').trim();
    } catch (err) {
      this.problems.push(
        `${name}_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      return undefined;
    }
    if (content === '') {
      this.problems.push(`${name}_FILE: ${path} is empty`);
      return undefined;
    }
    return { raw: content, label: `${name}_FILE (${path})` };
  }

  private fail(name: string, expected: string, got: string): undefined {
    this.problems.push(`${name}: expected ${expected}, got ${JSON.stringify(got)}`);
    return undefined;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      return this.fail(name, `an integer from ${min} to ${max}`, raw);
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return this.fail(name, 'true or false', raw);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    return (allowed as readonly string[]).includes(raw)
      ? (raw as T)
      : this.fail(name, `one of ${allowed.join(', ')}`, raw);
  }

  url(name: string, protocols: readonly string[]): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (protocols.includes(url.protocol)) return raw;
    } catch {
      // reported below
    }
    return this.fail(
      name,
      `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      raw,
    );
  }

  name(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    return /^[a-z][a-z0-9_]{0,39}$/.test(raw)
      ? raw
      : this.fail(name, 'a lowercase name of letters, digits and _ (at most 40)', raw);
  }

  secret(name: string, minLength: number): string | undefined {
    const source = this.secretSource(name);
    if (source === undefined) return undefined;
    return source.raw.length >= minLength && /^[\x21-\x7e]+$/.test(source.raw)
      ? source.raw
      : this.fail(
          source.label,
          `at least ${minLength} printable characters without spaces`,
          '<hidden>',
        );
  }

  hex(name: string, bytes: number): string | undefined {
    const source = this.secretSource(name);
    if (source === undefined) return undefined;
    return new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(source.raw)
      ? source.raw.toLowerCase()
      : this.fail(
          source.label,
          `${bytes * 2} hexadecimal characters (a ${bytes}-byte seed)`,
          '<hidden>',
        );
  }

  /** C2SP tlog-checkpoint origin: a schema-less URL, no spaces or plus signs. */
  origin(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    return /^[\x21-\x7e]{1,255}$/.test(raw) && !raw.includes('+') && !raw.includes('://')
      ? raw
      : this.fail(name, 'a schema-less URL such as custos.example/log (no spaces, no +)', raw);
  }
}
