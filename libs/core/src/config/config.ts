// The environment of SPEC section 8, read once at boot into one typed object. Every
// variable is checked here; a bad one stops the process with its name and what is
// expected, before anything is opened. Secrets may come from files (`<NAME>_FILE`, for
// container secrets); with DATABASE_URL they must come from the environment or a file,
// because generated ones would be kept in the database, where any dump holds them.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseCosignerVkey } from '@custos/ledger/cosignature';
import { isValidKeyName, parseVerifierKey } from '@custos/ledger/note';

/** `witness` runs a C2SP tlog-witness for other logs, and nothing of the ledger (SPEC 9). */
export type Role = 'api' | 'worker' | 'all' | 'witness';

/** CUSTOS_ROLE=witness (SPEC section 9). */
export interface WitnessRoleConfig {
  /** CUSTOS_WITNESS_NAME: the cosigner key name. */
  readonly name: string;
  /** CUSTOS_WITNESS_KEY(_FILE): Ed25519 seed, lowercase hex; unset: generated into the data folder. */
  readonly keyHex: string | undefined;
  /** CUSTOS_WITNESS_LOGS: the logs it cosigns for (origin = the vkey's name). */
  readonly logs: readonly { readonly origin: string; readonly vkey: string }[];
}

/** One entry of CUSTOS_WITNESSES: a witness this log submits its checkpoints to. */
export interface WitnessEndpoint {
  /** The witness's cosignature/v1 vkey (type 0x04). */
  readonly vkey: string;
  /** Submission prefix; add-checkpoint is POSTed to `<url>/add-checkpoint`. */
  readonly url: string;
}

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
  /**
   * The address the HTTP server binds: CUSTOS_BIND_ADDRESS, else 127.0.0.1 in embedded
   * mode (a developer's machine) and 0.0.0.0 with DATABASE_URL (a deployment).
   */
  readonly bindAddress: string;
  /** Serve the scan page's source maps (CUSTOS_WEB_SOURCE_MAPS; off when NODE_ENV=production). */
  readonly webSourceMaps: boolean;
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
  /**
   * CUSTOS_KEY_DIRECTORY_IMPORT=true: the operator's word, for one start, that this is the
   * upgrade of a ledger from before the key directory, whose key rows it may bring in
   * (docs/adr/0014). Without it, stored key rows and an empty directory refuse the start.
   */
  readonly keyDirectoryImport: boolean;
  readonly shutdownTimeoutMs: number;
  /** Longest wait at start for migrations another process is applying. */
  readonly migrationWaitMs: number;
  readonly signIn: SignInConfig;
  readonly requestLimits: RequestLimits;
  /** Proxies in front of the API whose X-Forwarded-For is trusted (0: use the peer address). */
  readonly trustProxyHops: number;
  /** Set exactly when role is `witness`. */
  readonly witness: WitnessRoleConfig | undefined;
  /** CUSTOS_WITNESSES: empty means the ledger is unwitnessed. */
  readonly witnesses: readonly WitnessEndpoint[];
  /** CUSTOS_WITNESS_QUORUM: how many witnesses must cosign (default: all configured). */
  readonly witnessQuorum: number;
  /** CUSTOS_WITNESS_MAX_AGE_SECONDS: how old the quorum's cosignatures may be. */
  readonly witnessMaxAgeSeconds: number;
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

/**
 * What one request may ask for (each breach is refused with its own error code), and how
 * many request bytes the process holds at once across requests.
 */
export interface RequestLimits {
  readonly maxBodyBytes: number;
  /**
   * CUSTOS_MAX_INFLIGHT_BODY_BYTES: the request bodies held at once, from the first byte
   * read until the answer is sent; at least maxBodyBytes (apps/server/src/body-admission.ts).
   */
  readonly maxInflightBodyBytes: number;
  /** CUSTOS_ADMISSION_WAIT_MS: longest wait for room under that limit before a 503. */
  readonly admissionWaitMs: number;
  /**
   * CUSTOS_REQUEST_TIMEOUT_SECONDS, in ms: longest time from a request's first byte until all
   * of it has arrived, wait for admission included; then 408 and the connection is closed, so
   * a client that trickles a large body cannot hold its reservation (or a socket) for ever.
   * Answering is not bounded by it: a long capture or audit is not cut.
   */
  readonly requestTimeoutMs: number;
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

  const role = read.oneOf('CUSTOS_ROLE', ['api', 'worker', 'all', 'witness'] as const) ?? 'all';
  const witnesses = read.witnesses('CUSTOS_WITNESSES');
  const maxBodyBytes = read.integer('CUSTOS_MAX_BODY_BYTES', 1024, 268_435_456) ?? 16 * 1024 * 1024;
  const config: Config = {
    role,
    port: read.integer('PORT', 0, 65535) ?? 3000,
    bindAddress: read.ipAddress('CUSTOS_BIND_ADDRESS') ?? (databaseUrl ? '0.0.0.0' : '127.0.0.1'),
    webSourceMaps:
      read.boolean('CUSTOS_WEB_SOURCE_MAPS') ?? read.string('NODE_ENV') !== 'production',
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
    keyDirectoryImport: read.boolean('CUSTOS_KEY_DIRECTORY_IMPORT') ?? false,
    shutdownTimeoutMs: read.integer('CUSTOS_SHUTDOWN_TIMEOUT_MS', 0, 600_000) ?? 30_000,
    migrationWaitMs: (read.integer('CUSTOS_MIGRATION_WAIT_SECONDS', 1, 86_400) ?? 300) * 1000,
    signIn: {
      challengeTtlSeconds: read.integer('CUSTOS_CHALLENGE_TTL_SECONDS', 5, 600) ?? 120,
      rateWindowSeconds: read.integer('CUSTOS_SIGNIN_RATE_WINDOW_SECONDS', 1, 86_400) ?? 60,
      ratePerParticipant: read.integer('CUSTOS_SIGNIN_RATE_PER_PARTICIPANT', 1, 100_000) ?? 20,
      ratePerAddress: read.integer('CUSTOS_SIGNIN_RATE_PER_ADDRESS', 1, 1_000_000) ?? 60,
    },
    requestLimits: {
      maxBodyBytes,
      // Two of the largest bodies at once by default: one large batch never waits for
      // another, and the heap they take (~40 times their size while parsed and checked,
      // BENCHMARKS.md step 13) stays bounded whatever the clients send.
      maxInflightBodyBytes:
        read.integer('CUSTOS_MAX_INFLIGHT_BODY_BYTES', 1024, 8_589_934_592) ?? 2 * maxBodyBytes,
      admissionWaitMs: read.integer('CUSTOS_ADMISSION_WAIT_MS', 0, 600_000) ?? 30_000,
      // 16 MiB in 120 s is ~140 KB/s: slower than any link a batch is sent over.
      requestTimeoutMs: (read.integer('CUSTOS_REQUEST_TIMEOUT_SECONDS', 1, 3600) ?? 120) * 1000,
      maxTokens: read.integer('CUSTOS_GRAPHQL_MAX_TOKENS', 100, 1_000_000) ?? 10_000,
      maxDepth: read.integer('CUSTOS_GRAPHQL_MAX_DEPTH', 2, 100) ?? 12,
      maxComplexity: read.integer('CUSTOS_GRAPHQL_MAX_COMPLEXITY', 10, 1_000_000) ?? 5000,
      maxListLength: read.integer('CUSTOS_GRAPHQL_MAX_LIST', 1, 1_000_000) ?? 1000,
      maxPageSize: read.integer('CUSTOS_GRAPHQL_MAX_PAGE', 1, 100_000) ?? 500,
    },
    trustProxyHops: read.integer('CUSTOS_TRUST_PROXY_HOPS', 0, 10) ?? 0,
    witness: role === 'witness' ? read.witnessRole() : undefined,
    witnesses,
    witnessQuorum: read.integer('CUSTOS_WITNESS_QUORUM', 1, 100) ?? witnesses.length,
    witnessMaxAgeSeconds: read.integer('CUSTOS_WITNESS_MAX_AGE_SECONDS', 1, 31_536_000) ?? 3600,
  };
  if (config.witnessQuorum > witnesses.length && read.string('CUSTOS_WITNESS_QUORUM')) {
    problems.push(
      `CUSTOS_WITNESS_QUORUM: ${config.witnessQuorum} is more than the ${witnesses.length} witnesses in CUSTOS_WITNESSES`,
    );
  }
  if (config.requestLimits.maxInflightBodyBytes < maxBodyBytes) {
    problems.push(
      `CUSTOS_MAX_INFLIGHT_BODY_BYTES: ${config.requestLimits.maxInflightBodyBytes} is less than CUSTOS_MAX_BODY_BYTES (${maxBodyBytes}): a body of the largest size allowed could never be admitted; set it to at least CUSTOS_MAX_BODY_BYTES`,
    );
  }
  if (config.requestLimits.admissionWaitMs >= config.requestLimits.requestTimeoutMs) {
    problems.push(
      `CUSTOS_ADMISSION_WAIT_MS: ${config.requestLimits.admissionWaitMs} is not less than CUSTOS_REQUEST_TIMEOUT_SECONDS (${config.requestLimits.requestTimeoutMs / 1000} s): a request waiting for room would be cut off with 408 before it could be told 503 and when to retry; make the wait shorter or the timeout longer`,
    );
  }
  // A witness keeps no ledger and uses none of the ledger's secrets.
  const missingSecrets =
    config.role !== 'witness' &&
    config.database.kind === 'postgresql' &&
    config.generateSecrets === undefined
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

  ipAddress(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    return isIP(raw) ? raw : this.fail(name, 'an IP address such as 127.0.0.1, 0.0.0.0 or ::', raw);
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

  /** CUSTOS_WITNESS_NAME, CUSTOS_WITNESS_KEY(_FILE), CUSTOS_WITNESS_LOGS (SPEC section 9). */
  witnessRole(): WitnessRoleConfig | undefined {
    const name = this.string('CUSTOS_WITNESS_NAME');
    if (name === undefined) {
      this.problems.push(
        'CUSTOS_WITNESS_NAME: not set; CUSTOS_ROLE=witness needs its cosigner name, e.g. witness.example.org/w1',
      );
    } else if (!isValidKeyName(name)) {
      this.fail('CUSTOS_WITNESS_NAME', 'a key name without spaces or +', name);
    }
    const keyHex = this.hex('CUSTOS_WITNESS_KEY', 32);
    const raw = this.string('CUSTOS_WITNESS_LOGS');
    const logs: { origin: string; vkey: string }[] = [];
    if (raw === undefined) {
      this.problems.push(
        'CUSTOS_WITNESS_LOGS: not set; CUSTOS_ROLE=witness needs the vkeys of the logs it witnesses, ;-separated',
      );
    } else {
      raw
        .split(';')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .forEach((vkey, i) => {
          try {
            const key = parseVerifierKey(vkey);
            if (logs.some((log) => log.origin === key.name))
              this.problems.push(
                `CUSTOS_WITNESS_LOGS: entry ${i + 1}: ${key.name} is listed twice`,
              );
            logs.push({ origin: key.name, vkey });
          } catch (err) {
            this.problems.push(
              `CUSTOS_WITNESS_LOGS: entry ${i + 1}: ${(err as Error).message} (expected a C2SP Ed25519 vkey name+keyid+base64)`,
            );
          }
        });
      if (logs.length === 0) this.problems.push('CUSTOS_WITNESS_LOGS: no log vkey given');
    }
    return name === undefined ? undefined : { name, keyHex, logs };
  }

  /** CUSTOS_WITNESSES: `;`-separated `<cosigner vkey> <submission URL prefix>` entries. */
  witnesses(name: string): WitnessEndpoint[] {
    const raw = this.string(name);
    if (raw === undefined) return [];
    const out: WitnessEndpoint[] = [];
    raw
      .split(';')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .forEach((entry, i) => {
        const [vkey, url, ...rest] = entry.split(/\s+/);
        const where = `${name}: entry ${i + 1}`;
        if (!vkey || !url || rest.length > 0) {
          this.problems.push(`${where}: expected "<witness vkey> <submission URL prefix>"`);
          return;
        }
        try {
          parseCosignerVkey(vkey);
        } catch (err) {
          this.problems.push(`${where}: ${(err as Error).message}`);
          return;
        }
        let parsed: URL | undefined;
        try {
          parsed = new URL(url);
        } catch {
          parsed = undefined;
        }
        if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
          this.problems.push(`${where}: ${JSON.stringify(url)} is not an http(s) URL`);
          return;
        }
        if (out.some((w) => w.vkey === vkey)) {
          this.problems.push(`${where}: the witness key is listed twice`);
          return;
        }
        out.push({ vkey, url: url.replace(/\/+$/, '') });
      });
    return out;
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
