#!/usr/bin/env node
// The `custos` command (docs/cli.md): keys, registration, sign-in, signing and submitting
// events, verification online and offline, checkpoints, lot traces, alerts, audits and
// the demo supply chain, all through libs/sdk. Exit codes:
//   0 ok · 1 a check failed, something was rejected, or the server failed or is unreachable
//   2 usage (unknown command or option, missing argument, unreadable key or input file)
import { Command, CommanderError } from 'commander';
import {
  CustosArgumentError,
  CustosRequestError,
  CustosUnreachableError,
} from '@custos/sdk/errors';
import {
  type CliApp,
  CliContext,
  CliError,
  type CliIo,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  type GlobalOptions,
} from './cli-context';
import { demoCommand } from './commands/demo.command';
import { importEpcisCommand } from './commands/import-epcis.command';
import { eventCommands } from './commands/events.command';
import { keyDirectoryCommands } from './commands/key-directory.command';
import { keygenCommand } from './commands/keys.command';
import { mirrorCommand } from './commands/mirror.command';
import { monitorCommand } from './commands/monitor.command';
import { participantCommands } from './commands/participants.command';
import { regulatorCommands } from './commands/regulator.command';
import { verifyCommands } from './commands/verify.command';

const EXIT_CODES_HELP = `
Exit codes: 0 ok, 1 a check failed or something was rejected (or the server cannot be
reached), 2 usage. Server: --server, CUSTOS_URL, the one you logged in to, or
http://127.0.0.1:3000. Docs: docs/cli.md.`;

export function buildProgram(io: CliIo, state: { code: number }): Command {
  const program = new Command('custos');
  program
    .description('Custos: a verifiable chain-of-custody ledger for medicines')
    .option(
      '--server <url>',
      'the Custos service (default: CUSTOS_URL, the logged-in one, http://127.0.0.1:3000)',
    )
    .option('--token <token>', 'a bearer token (default: CUSTOS_TOKEN, or the stored session)')
    .option('--session <file>', 'where login stores the session (default: .custos/session.json)')
    .option('--json', 'machine-readable output: one JSON value (or one a line)')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(custos --help lists the commands; custos <command> --help its options)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
    });
  const context = (cmd: Command) => new CliContext(io, cmd.optsWithGlobals<GlobalOptions>());
  const app: CliApp = {
    act:
      (fn) =>
      async (...args) => {
        const cmd = args[args.length - 1] as Command;
        state.code = await fn(context(cmd), ...args);
      },
  };
  keygenCommand(program, app);
  keyDirectoryCommands(program, app);
  participantCommands(program, app);
  eventCommands(program, app);
  verifyCommands(program, app);
  mirrorCommand(program, app);
  monitorCommand(program, app);
  regulatorCommands(program, app);
  demoCommand(program, app);
  importEpcisCommand(program, app);
  helpCommand(program);
  return program;
}

/**
 * `custos help [command…]`, the same as `custos [command…] --help`. Commander's own help
 * command exits with process.exitCode when one is set, so whatever the embedding process
 * had set (a test runner, say) became our exit code; this one always exits 0.
 */
function helpCommand(program: Command): void {
  program.helpCommand(false);
  program
    .command('help [command...]')
    .description('display help for command')
    .action((names: string[]) => {
      let target = program;
      for (const name of names) {
        const next = target.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (!next) throw new CliError(`unknown command '${names.join(' ')}'`, EXIT_USAGE);
        target = next;
      }
      target.outputHelp(); // the exit code stays run()'s EXIT_OK
    });
}

/** Runs one command line; resolves with its exit code. Never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const state = { code: EXIT_OK };
  const program = buildProgram(io, state);
  if (argv.length === 0) {
    io.err(program.helpInformation().trimEnd());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (err instanceof CliError) {
      io.err(`custos: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof CustosArgumentError) {
      io.err(`custos: ${err.message}`);
      return EXIT_USAGE;
    }
    if (err instanceof CustosUnreachableError || err instanceof CustosRequestError) {
      io.err(`custos: ${err.message}`);
      return EXIT_FAILED;
    }
    io.err(`custos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT_FAILED;
  }
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    ...(process.stderr.isTTY
      ? { progress: (text: string) => void process.stderr.write(text) }
      : {}),
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Runs the command line of this process and sets its exit code. */
export function main(): void {
  let finished = false;
  // A reader that stops early (`custos … | head`) closes the pipe: the output is no longer
  // wanted, so stop as a command killed by SIGPIPE would, without a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    finished = true;
    process.exit(process.exitCode ?? EXIT_OK);
  });
  process.once('beforeExit', () => {
    if (finished) return;
    process.stderr.write('custos: internal error: the command stopped before it finished\n');
    process.exitCode = EXIT_FAILED;
  });
  void run(process.argv.slice(2), processIo()).then((code) => {
    finished = true;
    process.exitCode = code;
  });
}

if (require.main === module) main();
