// Earlier versions generated the sealing key, the session secret and the admin token into
// `system_setting` when the environment gave none. Services mode now refuses that (a dump
// of the database would hold them), so an existing deployment is told how to move them
// to files, where container secrets live, and to delete the rows.
import { type ConfigError, SECRETS } from '../config/config';
import { generatedSecretKeysIn, SECRET_KEY_PREFIX } from './system-setting.repository';

/**
 * When the configuration was refused for missing secrets and the database holds ones an
 * earlier version generated: what to do about it (undefined otherwise).
 */
export async function explainRefusedSecrets(
  error: ConfigError,
  databaseUrl: string | undefined,
): Promise<string | undefined> {
  if (error.missingSecrets.length === 0 || !databaseUrl) return undefined;
  const kept = await generatedSecretKeysIn(databaseUrl);
  if (kept.length === 0) return undefined;
  return `this database holds secrets an earlier start generated into it (system_setting ${kept.join(', ')}). ${moveSecretsToFilesHint(kept)}`;
}

/** The shell lines that move each kept secret (`secret.<name>` keys) to a file. */
export function moveSecretsToFilesHint(keys: readonly string[]): string {
  const known = SECRETS.filter((s) => keys.includes(`${SECRET_KEY_PREFIX}${s.kept}`));
  const lines = known.map(
    (s) =>
      `  (umask 077; psql "$DATABASE_URL" -Atc "SELECT value FROM system_setting WHERE key = '${SECRET_KEY_PREFIX}${s.kept}'" > ${s.kept})   # then ${s.env}_FILE=<path of ${s.kept}>`,
  );
  return [
    'Move them to files readable only by Custos, point the _FILE variables at them, then delete the rows:',
    ...lines,
    `  psql "$DATABASE_URL" -c "DELETE FROM system_setting WHERE key LIKE '${SECRET_KEY_PREFIX}%'"`,
    'Keep the sealing key (verifiers hold its ledgerKey); dumps taken so far hold the old session secret and admin token, so prefer new ones for those (README: "Secrets").',
  ].join('\n');
}
