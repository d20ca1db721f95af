import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/config';
import { openStorage, type Storage } from '../database/storage';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testQueuePrefix,
  type TestDatabase,
} from '../../../../test/storage';
import { SecretsService } from './secrets.service';
import { SystemSettingRepository } from './system-setting.repository';

const modeOf = (path: string) => statSync(path).mode & 0o777;
/** Embedded mode never touches the database for secrets. */
const noDatabase = {} as SystemSettingRepository;

describe('SecretsService, embedded: generated into the data folder', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('secrets')));
  afterEach(() => dir.remove());
  const service = () => new SecretsService(loadConfig({ CUSTOS_DATA_DIR: dir.path }), noDatabase);

  it('keeps each secret in secrets/<name>, the file 0600 and the folder 0700', async () => {
    const kept = await service().getOrCreate('admin-token', () => 'generated-value');
    const path = join(dir.path, 'secrets', 'admin-token');
    expect(kept).toEqual({ value: 'generated-value', created: true, keptIn: path });
    expect(readFileSync(path, 'utf8')).toBe('generated-value');
    expect(modeOf(path)).toBe(0o600);
    expect(modeOf(join(dir.path, 'secrets'))).toBe(0o700);
  });

  it('the first writer wins; a later start reads it and tightens modes an operator widened', async () => {
    await service().getOrCreate('session-key', () => 'first');
    chmodSync(join(dir.path, 'secrets'), 0o755);
    chmodSync(join(dir.path, 'secrets', 'session-key'), 0o644);
    const again = await service().getOrCreate('session-key', () => 'second');
    expect(again).toMatchObject({ value: 'first', created: false });
    expect(modeOf(join(dir.path, 'secrets', 'session-key'))).toBe(0o600);
    expect(modeOf(join(dir.path, 'secrets'))).toBe(0o700);
  });

  it('tightens a secrets folder that already existed wider', async () => {
    mkdirSync(join(dir.path, 'secrets'), { mode: 0o777 });
    chmodSync(join(dir.path, 'secrets'), 0o777);
    writeFileSync(join(dir.path, 'secrets', 'sealing-key'), 'kept\n', { mode: 0o666 });
    chmodSync(join(dir.path, 'secrets', 'sealing-key'), 0o666);
    const kept = await service().getOrCreate('sealing-key', () => 'new');
    expect(kept).toMatchObject({ value: 'kept', created: false });
    expect(modeOf(join(dir.path, 'secrets'))).toBe(0o700);
    expect(modeOf(join(dir.path, 'secrets', 'sealing-key'))).toBe(0o600);
  });
});

describe('SecretsService, services mode (DATABASE_URL)', () => {
  let db: TestDatabase;
  let storage: Storage;
  beforeAll(async () => {
    db = await createTestDatabase('secrets');
    storage = await openStorage(serverConfig(db, testQueuePrefix('secrets')), { migrate: true });
  });
  afterAll(async () => {
    await storage?.close();
    await db?.drop();
  });
  const keys = async () =>
    (await storage.prisma.systemSetting.findMany({ orderBy: { key: 'asc' } })).map((r) => r.key);

  it('never generates into the database unless CUSTOS_GENERATE_SECRETS=database', async () => {
    const config = serverConfig(db, 'unused', {
      CUSTOS_ADMIN_TOKEN: '',
      CUSTOS_GENERATE_SECRETS: 'database',
    });
    const refusing = new SecretsService(
      { ...config, generateSecrets: undefined },
      new SystemSettingRepository(storage),
    );
    await expect(refusing.getOrCreate('admin-token', () => 'x'.repeat(40))).rejects.toThrow(
      /services mode does not generate it/,
    );
    expect(await keys()).not.toContain('secret.admin-token');
  });

  it('with the opt-in, generates once into system_setting (first writer wins)', async () => {
    const config = serverConfig(db, 'unused', {
      CUSTOS_ADMIN_TOKEN: '',
      CUSTOS_GENERATE_SECRETS: 'database',
    });
    const settings = new SystemSettingRepository(storage);
    const [a, b] = await Promise.all([
      new SecretsService(config, settings).getOrCreate('admin-token', () => 'a'.repeat(40)),
      new SecretsService(config, settings).getOrCreate('admin-token', () => 'b'.repeat(40)),
    ]);
    expect(a.value).toBe(b.value);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.keptIn).toBe('database');
    expect(await keys()).toContain('secret.admin-token');
  });
});
