import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help } from 'commander';
import { registerAuth } from './commands/auth.js';
import { registerCapabilities } from './commands/capabilities.js';
import { registerCleanup } from './commands/cleanup.js';
import { registerCompletion, registerShellCompletion } from './commands/completion.js';
import { registerCopy } from './commands/copy.js';
import { registerDelete } from './commands/delete.js';
import { registerDownload } from './commands/download.js';
import { registerList } from './commands/list.js';
import { registerPost } from './commands/post.js';
import { registerStat } from './commands/stat.js';
import { registerSync } from './commands/sync.js';
import { registerTempurl } from './commands/tempurl.js';
import { registerUpload } from './commands/upload.js';
import { CliContext } from './context.js';
import { enableDebugLog } from './debug.js';
import { errorDetails, errorText } from './errors.js';
import { isDetailOption, osHelp, rootHelp, suggestCommands } from './help.js';
import { addGlobalOptions, normaliseArgv, type GlobalFlags } from './globals.js';
import { Output, UsageError } from './output.js';

/** Runs one command's work: errors become one line on stderr (a stack trace too with --debug). */
export type Runner = (job: () => Promise<void>) => Promise<void>;

/** Set by the bundler (build.mjs); the sources read package.json. */
declare const SWIFTCLIENT_CLI_VERSION: string | undefined;

function packageVersion(): string {
  if (typeof SWIFTCLIENT_CLI_VERSION === 'string') return SWIFTCLIENT_CLI_VERSION;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const EXAMPLES = `
Examples:
  swiftclient download --help

  swiftclient -A https://api.example.com/v1.0 -U user -K api_key stat -v

  swiftclient --os-auth-url https://api.example.com/v3 --auth-version 3 \\
      --os-project-name project1 --os-project-domain-name domain1 \\
      --os-username user --os-user-domain-name domain1 \\
      --os-password password list

  swiftclient --os-auth-url https://api.example.com/v3 --auth-version 3 \\
      --os-application-credential-id d78683c92f0e4f9b9b02a2e208039412 \\
      --os-application-credential-secret APPLICATION_CREDENTIAL_SECRET \\
      --os-auth-type v3applicationcredential list

  OS_CLOUD=mycloud swiftclient list --lh
`;

/** Builds the `swiftclient` program around an output and environment (tests pass their own). */
export function buildProgram(env: NodeJS.ProcessEnv = process.env, output: Output = new Output()): { program: Command; ctx: CliContext } {
  const program = new Command('swiftclient');
  const ctx = new CliContext(program, env, output);
  program
    .description('Command-line interface to the OpenStack Swift API (a port of python-swiftclient\'s `swift`).')
    .usage('[global options] <subcommand> [--help] [<subcommand options>]')
    .version(`swiftclient ${packageVersion()} (python-swiftclient 4.1 compatible)`, '--version')
    .helpOption('-h, --help', 'Show this help.')
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true)
    .configureHelp({ formatHelp: (cmd, helper) => (cmd === program ? rootHelp(cmd, helper) : Help.prototype.formatHelp.call(helper, cmd, helper)) })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void output.stdout.write(text),
      writeErr: (text) => void output.stderr.write(text),
    });
  addGlobalOptions(program);
  for (const option of program.options) if (isDetailOption(option)) option.hideHelp();

  const run: Runner = async (job) => {
    const flags = program.opts<GlobalFlags>();
    if (flags.debug || flags.info) enableDebugLog(flags.debug ? 'debug' : 'info', (line) => output.warning(line));
    try {
      await job();
    } catch (err) {
      // python's exit('message'): main() prints it and stops
      if (err instanceof UsageError) throw err;
      output.error(errorText(err));
      if (flags.debug) output.errorBlock(errorDetails(err));
    }
  };

  registerStat(program, ctx, run);
  registerList(program, ctx, run);
  registerUpload(program, ctx, run);
  registerDownload(program, ctx, run);
  registerDelete(program, ctx, run);
  registerPost(program, ctx, run);
  registerCopy(program, ctx, run);
  registerCleanup(program, ctx, run);
  registerSync(program, ctx, run);
  registerCapabilities(program, ctx, run);
  registerTempurl(program, ctx, run);
  registerAuth(program, ctx, run);
  registerCompletion(program, ctx, run);
  registerShellCompletion(program, ctx, run);

  program.action((opts: GlobalFlags, cmd: Command) => {
    if (cmd.args.length > 0) {
      const typed = String(cmd.args[0]);
      const [best] = suggestCommands(typed, program.commands.filter((c) => !c.name().startsWith('bash_')).flatMap((c) => [c.name(), ...c.aliases()]));
      output.errorBlock(`${program.helpInformation().split('\n')[0]}\nno such command: ${typed}${best ? `\nDid you mean '${best}'?` : ''}`);
      return;
    }
    if (opts.osHelp) {
      output.stdout.write(osHelp(program, program.createHelp()));
      return;
    }
    program.outputHelp();
  });
  return { program, ctx };
}

const ARGPARSE_ERRORS = new Set(['commander.invalidArgument', 'commander.optionMissingArgument']);

/** Parses `argv` (without node and the script), runs the command, resolves to the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, output: Output = new Output()): Promise<number> {
  const { program, ctx } = buildProgram(env, output);
  try {
    await program.parseAsync(normaliseArgv(argv), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // argparse's usage errors (a bad or missing option value) exit with 2
      return ARGPARSE_ERRORS.has(err.code) ? 2 : err.exitCode;
    }
    if (err instanceof UsageError) {
      output.errorBlock(err.message);
      return err.exitCode;
    }
    output.error(errorText(err));
    return 1;
  } finally {
    await ctx.close();
  }
  return output.errorCount > 0 ? 1 : 0;
}
