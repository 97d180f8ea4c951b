import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../output.js';
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

const BASH = `# swiftclient completion for bash: eval "$(swiftclient completion bash)"
_swiftclient() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" commands cmd="" i w
  commands=" $(swiftclient bash_completion 2>/dev/null) "
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ "$w" != -* && "$commands" == *" $w "* ]]; then cmd="$w"; break; fi
  done
  COMPREPLY=($(compgen -W "$(swiftclient bash_completion $cmd 2>/dev/null)" -- "$cur"))
}
complete -o default -F _swiftclient swiftclient
`;

const ZSH = `#compdef swiftclient
# swiftclient completion for zsh: source <(swiftclient completion zsh)  (after compinit)
_swiftclient() {
  local commands cmd="" w
  commands=" $(swiftclient bash_completion 2>/dev/null) "
  for w in \${words[2,CURRENT-1]}; do
    if [[ "$w" != -* && "$commands" == *" $w "* ]]; then cmd="$w"; break; fi
  done
  compadd -- \${=$(swiftclient bash_completion $cmd 2>/dev/null)}
  _files
}
compdef _swiftclient swiftclient
`;

/** `swiftclient completion bash|zsh`: a shell script that completes commands and options (through bash_completion). */
export function registerShellCompletion(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('completion')
    .description('Prints a shell completion script: eval "$(swiftclient completion bash)", or source <(swiftclient completion zsh).')
    .argument('<shell>', 'bash or zsh.')
    .action((shell: string) =>
      run(async () => {
        if (shell === 'bash') ctx.output.stdout.write(BASH);
        else if (shell === 'zsh') ctx.output.stdout.write(ZSH);
        else throw new UsageError(`Unknown shell '${shell}': use bash or zsh`);
      }),
    );
}
