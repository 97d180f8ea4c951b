import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { Runner } from '../program.js';

function flagsOf(command: Command): string[] {
  return command.options.flatMap((option) => [option.short, option.long].filter((flag): flag is string => Boolean(flag)));
}

/** `swift bash_completion [command]`: the words a shell completion script offers. */
export function registerCompletion(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('bash_completion', { hidden: true })
    .description('Outputs option and flag cli data ready for bash_completion.')
    .argument('[command]', 'Command to list the flags of.')
    .action((name: string | undefined) =>
      run(async () => {
        const commands = program.commands.filter((c) => c.name() !== 'bash_completion');
        const globals = flagsOf(program);
        if (name === undefined) {
          ctx.output.print([...commands.flatMap((c) => [c.name(), ...c.aliases()]), ...globals].join(' '));
          return;
        }
        const command = commands.find((c) => c.name() === name || c.aliases().includes(name));
        ctx.output.print(command ? [...new Set([...flagsOf(command), '-h', '--help', ...globals])].join(' ') : '');
      }),
    );
}
