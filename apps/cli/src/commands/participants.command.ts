// custos register (admin token or a regulator's session) and custos login (a session
// token from nothing but a key file, stored for the other commands).
import type { Command } from 'commander';
import { loadKey, saveKey } from '@custos/sdk/key-file';
import { type CustosKey, withParticipant } from '@custos/sdk/keys';
import type { Role } from '@custos/sdk/types';
import { type CliApp, type CliContext, CliError, EXIT_OK, EXIT_USAGE } from '../cli-context';
import { SESSION_FORMAT, writeSession } from '../session-file';

const ROLES: readonly Role[] = ['MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER', 'REGULATOR'];

interface RegisterOptions {
  id: string;
  name: string;
  role: string[];
  prefix?: string[];
  key?: string;
  publicKey?: string;
  keyId: string;
  validFrom?: string;
  licenseNumber: string;
  licenseAuthority: string;
  licenseValidUntil: string;
}

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

/** Loads a key file, naming the option; a bad file is a usage error (exit 2). */
export function keyFromOption(ctx: CliContext, file: string, participantId?: string): CustosKey {
  try {
    return loadKey(ctx.path(file), participantId ? { participantId } : {});
  } catch (err) {
    throw new CliError(`--key ${(err as Error).message}`, EXIT_USAGE);
  }
}

export function participantCommands(program: Command, app: CliApp): void {
  program
    .command('register')
    .description('register a participant with its public key (admin token or a regulator)')
    .requiredOption('--id <gln>', 'its GLN (13 digits, check digit enforced)')
    .requiredOption('--name <name>', 'its name as pharmacists see it')
    .requiredOption('--role <role>', `${ROLES.join(', ')} (repeat or comma-separate)`, collect)
    .option(
      '--prefix <prefix>',
      'GS1 company prefix a manufacturer commissions under (repeatable)',
      collect,
    )
    .option('--key <file>', 'its key file: the public key and key id are read from it')
    .option('--public-key <base64url>', 'or the public key itself (32 bytes, base64url)')
    .option('--key-id <id>', 'with --public-key: its key id', 'k1')
    .option('--valid-from <time>', 'RFC 3339: the key signs events from then on')
    .requiredOption('--license-number <number>', 'its license to trade medicines')
    .requiredOption('--license-authority <authority>', 'who issued the license')
    .requiredOption('--license-valid-until <date>', 'YYYY-MM-DD or RFC 3339')
    .action(
      app.act(async (ctx, opts: RegisterOptions) => {
        const roles = opts.role.map((r) => r.toUpperCase());
        const unknown = roles.find((r) => !(ROLES as readonly string[]).includes(r));
        if (unknown)
          throw new CliError(`--role: ${unknown} is not one of ${ROLES.join(', ')}`, EXIT_USAGE);
        if (!opts.key === !opts.publicKey) {
          throw new CliError(
            'pass either --key <key file> or --public-key <base64url>',
            EXIT_USAGE,
          );
        }
        const key = opts.key ? keyFromOption(ctx, opts.key) : undefined;
        const participant = await ctx.adminClient().registerParticipant({
          id: opts.id,
          name: opts.name,
          roles: roles as Role[],
          ...(opts.prefix ? { companyPrefixes: opts.prefix } : {}),
          license: {
            number: opts.licenseNumber,
            authority: opts.licenseAuthority,
            validUntil: opts.licenseValidUntil,
          },
          keys: [
            {
              keyId: key?.keyId ?? opts.keyId,
              publicKey: key?.publicKey ?? opts.publicKey!,
              ...(opts.validFrom ? { validFrom: opts.validFrom } : {}),
            },
          ],
        });
        // A key file that named no participant now names this one, so `login --key` just works.
        if (key && opts.key && key.participantId === undefined && !opts.key.endsWith('.pem')) {
          saveKey(ctx.path(opts.key), withParticipant(key, participant.id));
        }
        ctx.print(participant, () => [
          `registered ${participant.name} (${participant.id}) as ${participant.roles.join(', ')}`,
          ...participant.keys.map((k) => `  key ${k.keyId}: ${k.publicKey}`),
        ]);
        return EXIT_OK;
      }),
    );

  program
    .command('login')
    .description('sign in with a key file; the session token is stored for the other commands')
    .requiredOption('--key <file>', 'the participant key file (or a PKCS#8 PEM with --participant)')
    .option('--participant <gln>', 'the participant, when the key file does not name it')
    .option('--print', 'print the token only (for scripts), do not store it')
    .action(
      app.act(async (ctx, opts: { key: string; participant?: string; print?: boolean }) => {
        const key = keyFromOption(ctx, opts.key, opts.participant);
        if (!key.participantId) {
          throw new CliError(
            '--participant <gln>: the key file does not say whose key it is',
            EXIT_USAGE,
          );
        }
        const client = ctx.anonymousClient();
        const session = await client.signIn(key);
        if (opts.print) {
          ctx.io.out(ctx.json ? JSON.stringify(session) : session.token);
          return EXIT_OK;
        }
        writeSession(ctx.sessionFile, {
          format: SESSION_FORMAT,
          url: client.url,
          participantId: key.participantId,
          keyId: key.keyId,
          token: session.token,
          expiresAt: session.expiresAt,
          keyFile: ctx.path(opts.key),
        });
        ctx.print(
          {
            participantId: key.participantId,
            expiresAt: session.expiresAt,
            sessionFile: ctx.sessionFile,
          },
          () => [
            `signed in to ${client.url} as ${key.participantId} (key ${key.keyId}) until ${session.expiresAt}`,
            `session stored in ${ctx.sessionFile}`,
          ],
        );
        return EXIT_OK;
      }),
    );
}
