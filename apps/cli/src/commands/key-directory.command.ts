// custos keys add|revoke|list: a participant changes its own keys with requests signed by
// one of its current keys (--signer; without it, the admin token), and lists every key
// the ledger holds for it, checked offline against the key directory's signed checkpoint
// (SPEC section 3, docs/adr/0014), to notice a key it never added.
import type { Command } from 'commander';
import { bytesToBase64Url } from '@custos/ledger/bytes';
import type { CustosKey } from '@custos/sdk/keys';
import { verifyKeyListing } from '@custos/sdk/key-listing';
import { type CliApp, type CliContext, CliError, EXIT_OK, EXIT_USAGE } from '../cli-context';
import { keyFromOption } from './participants.command';

interface ChangeOptions {
  signer?: string;
  participant?: string;
}

function participantOf(ctx: CliContext, opts: ChangeOptions, signer?: CustosKey): string {
  const id = opts.participant ?? signer?.participantId ?? ctx.storedSession()?.participantId;
  if (!id) throw new CliError('--participant <gln>: whose keys?', EXIT_USAGE);
  return id;
}

function signerOf(ctx: CliContext, opts: ChangeOptions): CustosKey | undefined {
  return opts.signer ? keyFromOption(ctx, opts.signer, opts.participant) : undefined;
}

export function keyDirectoryCommands(program: Command, app: CliApp): void {
  const keys = program
    .command('keys')
    .description("a participant's keys: add, revoke, list with the key directory's proofs");

  keys
    .command('add')
    .description(
      'add a key: signed by one of your current keys (--signer), or with the admin token',
    )
    .option('--new <file>', 'the new key file: its public key and key id are read from it')
    .option('--public-key <base64url>', 'or the public key itself (32 bytes, base64url)')
    .option('--key-id <id>', 'with --public-key: its key id')
    .option('--valid-from <time>', 'RFC 3339: the key signs events from then on')
    .option('--signer <file>', 'the key file of a current key that signs the request')
    .option('--participant <gln>', 'whose key (default: the signer key file’s participant)')
    .action(
      app.act(
        async (
          ctx,
          opts: ChangeOptions & {
            new?: string;
            publicKey?: string;
            keyId?: string;
            validFrom?: string;
          },
        ) => {
          if (!opts.new === !opts.publicKey)
            throw new CliError(
              'pass either --new <key file> or --public-key <base64url>',
              EXIT_USAGE,
            );
          const fresh = opts.new ? keyFromOption(ctx, opts.new) : undefined;
          const keyId = fresh?.keyId ?? opts.keyId;
          if (!keyId) throw new CliError('--key-id <id>: the new key’s id', EXIT_USAGE);
          const signer = signerOf(ctx, opts);
          const id = participantOf(ctx, opts, signer);
          const key = {
            keyId,
            publicKey: fresh?.publicKey ?? opts.publicKey!,
            ...(opts.validFrom ? { validFrom: opts.validFrom } : {}),
          };
          const client = signer ? ctx.signedInClient() : ctx.adminClient();
          const participant = await client.addKey(id, key, signer);
          ctx.print(participant, () => [
            `added key ${keyId} to ${id}${signer ? ` (signed by ${signer.keyId})` : ' (admin)'}`,
          ]);
          return EXIT_OK;
        },
      ),
    );

  keys
    .command('revoke <keyId>')
    .description(
      'revoke a key now: signed by one of your current keys (--signer), or admin/regulator',
    )
    .option('--signer <file>', 'the key file of a current key (it may be the one revoked)')
    .option('--participant <gln>', 'whose key (default: the signer key file’s participant)')
    .action(
      app.act(async (ctx, keyId: string, opts: ChangeOptions) => {
        const signer = signerOf(ctx, opts);
        const id = participantOf(ctx, opts, signer);
        const client = signer ? ctx.signedInClient() : ctx.adminClient();
        const participant = await client.revokeKey(id, keyId, signer);
        const revokedAt = participant.keys.find((k) => k.keyId === keyId)?.revokedAt;
        ctx.print(participant, () => [`revoked key ${keyId} of ${id} at ${revokedAt}`]);
        return EXIT_OK;
      }),
    );

  keys
    .command('list')
    .description('every key the ledger holds for a participant, each record proven offline')
    .option('--participant <gln>', 'whose keys (default: the stored session’s participant)')
    .option('--vkey <vkey>', 'the ledger key to check with (default: the one the server gives)')
    .action(
      app.act(async (ctx, opts: { participant?: string; vkey?: string }) => {
        const id = participantOf(ctx, opts);
        const client = ctx.signedInClient();
        const [answer, served] = await Promise.all([
          client.participantKeys(id),
          opts.vkey ? Promise.resolve(opts.vkey) : client.ledgerKey(),
        ]);
        let checked;
        try {
          checked = verifyKeyListing(answer, opts.vkey ?? served);
        } catch (err) {
          throw new CliError(`the key directory's proofs do not verify: ${(err as Error).message}`);
        }
        const keysOut = checked.keys.map((k) => ({
          keyId: k.keyId,
          publicKey: bytesToBase64Url(k.publicKey),
          validFrom: k.validFrom?.toISOString() ?? null,
          revokedAt: k.revokedAt?.toISOString() ?? null,
          addedBy: k.addedBy.role,
          revokedBy: k.revokedBy?.role ?? null,
        }));
        const refused = [...checked.refused].map(([leafIndex, why]) => ({ leafIndex, why }));
        ctx.print(
          { participantId: id, treeSize: checked.checkpoint.size, keys: keysOut, refused },
          () => [
            `${id}: ${keysOut.length} key(s), ${answer.records.length} record(s) proven in the key directory at size ${checked.checkpoint.size}${opts.vkey ? '' : ' (checked with the ledger key the server gives: pass --vkey to check with your own copy)'}`,
            ...keysOut.map(
              (k) =>
                `  ${k.keyId}  ${k.publicKey}  added by ${k.addedBy}${k.revokedAt ? `, revoked ${k.revokedAt} by ${k.revokedBy}` : ''}`,
            ),
            ...refused.map((r) => `  record ${r.leafIndex} has no effect: ${r.why}`),
          ],
        );
        return EXIT_OK;
      }),
    );
}
