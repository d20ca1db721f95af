// custos keygen: a new Ed25519 key for a participant, to a key file (or printed).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { bytesToBase64Url } from '@custos/ledger/bytes';
import { saveKey } from '@custos/sdk/key-file';
import { generateKey } from '@custos/sdk/keys';
import { type CliApp, CliError, EXIT_OK, EXIT_USAGE } from '../cli-context';

interface KeygenOptions {
  out?: string;
  participant?: string;
  keyId: string;
  pem?: boolean;
  force?: boolean;
}

export function keygenCommand(program: Command, app: CliApp): void {
  program
    .command('keygen')
    .description('make a new Ed25519 key: the seed stays with you, the public key is registered')
    .option('-o, --out <file>', 'write a key file (Custos JSON, mode 0600) instead of printing')
    .option('--participant <gln>', 'the participant the key is for (kept in the key file)')
    .option('--key-id <id>', 'the key id it is registered under', 'k1')
    .option('--pem', 'with --out: write PKCS#8 PEM (what OpenSSL reads) instead')
    .option('--force', 'overwrite an existing file')
    .action(
      app.act((ctx, opts: KeygenOptions) => {
        const key = generateKey(opts.keyId, opts.participant);
        if (!opts.out) {
          const secretKey = bytesToBase64Url(key.secretKey);
          ctx.print({ keyId: key.keyId, secretKey, publicKey: key.publicKey }, () => [
            `private key (keep it secret): ${secretKey}`,
            `public key (register it):     ${key.publicKey}`,
          ]);
          return EXIT_OK;
        }
        const path = ctx.path(opts.out);
        if (existsSync(path) && !opts.force) {
          throw new CliError(
            `${opts.out} exists: pass --force to replace it (its key is lost then)`,
            EXIT_USAGE,
          );
        }
        saveKey(path, key, opts.pem ? 'pem' : 'json');
        const value = {
          file: path,
          keyId: key.keyId,
          publicKey: key.publicKey,
          participantId: key.participantId ?? null,
        };
        ctx.print(value, () => [
          `wrote ${opts.out} (the private key: keep it secret)`,
          `public key (register it): ${key.publicKey}`,
          `key id:                   ${key.keyId}`,
        ]);
        return EXIT_OK;
      }),
    );
}
