import type { Command, Help, Option } from 'commander';

/** The global options of the short `--help`, by group; the `--os-*` ones are under `--os-help`, as in python's `swift`. */
const GROUPS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Authentication', ['--auth', '--user', '--key', '--auth-version', '--os-cloud', '--prompt', '--os-help']],
  ['Connection', ['--timeout', '--retries', '--insecure', '--force-auth-retry']],
  ['Output', ['--verbose', '--quiet', '--debug', '--info']],
  ['Other', ['--version', '--help']],
];

/** Options left out of the short help: the `--os-*` settings and what is only kept for compatibility. */
export function isDetailOption(option: Option): boolean {
  const long = option.long ?? '';
  return (long.startsWith('--os-') && long !== '--os-help' && long !== '--os-cloud') || ['--snet', '--no-ssl-compression'].includes(long);
}

function formatter(helper: Help, width: number): (term: string, description: string) => string {
  const helpWidth = helper.helpWidth ?? 80;
  return (term, description) => helper.wrap(`  ${term.padEnd(width + 2)}${description}`, helpWidth, width + 4);
}

/**
 * The top-level `--help`: usage, the commands by name, the global options
 * in groups. Subcommands keep commander's full help.
 */
export function rootHelp(cmd: Command, helper: Help): string {
  const options = [...cmd.options, ...(helper.visibleOptions(cmd).filter((o) => o.long === '--help') as Option[])];
  const byLong = new Map(options.map((o) => [o.long ?? '', o]));
  const commands = helper.visibleCommands(cmd);
  const commandTerm = (c: Command): string => [c.name(), ...c.aliases()].join(', ');
  const grouped = GROUPS.map(([title, longs]) => [title, longs.map((l) => byLong.get(l)).filter((o): o is Option => o !== undefined)] as const);
  const width = Math.max(...commands.map((c) => commandTerm(c).length), ...grouped.flatMap(([, opts]) => opts.map((o) => helper.optionTerm(o).length)));
  const item = formatter(helper, width);
  const out = [`Usage: ${helper.commandUsage(cmd)}`, '', helper.wrap(helper.commandDescription(cmd), helper.helpWidth ?? 80, 0), '', 'Commands:'];
  for (const c of commands) out.push(item(commandTerm(c), c.summary() || (c.description().split(/(?<=\.)\s/)[0] ?? '')));
  for (const [title, opts] of grouped) {
    out.push('', `${title}:`);
    for (const o of opts) out.push(item(helper.optionTerm(o), helper.optionDescription(o)));
  }
  out.push('', 'Run `swiftclient <command> --help` for the options of a command, `swiftclient --os-help` for the --os-* options.', '');
  return out.join('\n');
}

/** `--os-help`: every `--os-*` option with its description. */
export function osHelp(cmd: Command, helper: Help): string {
  const options = cmd.options.filter((o) => (o.long ?? '').startsWith('--os-') && o.long !== '--os-help');
  const width = Math.max(...options.map((o) => helper.optionTerm(o).length));
  const item = formatter(helper, width);
  return ['OpenStack authentication options:', ...options.map((o) => item(helper.optionTerm(o), helper.optionDescription(o))), ''].join('\n');
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] as number;
}

/** The known command names closest to a mistyped one (at most 2 edits, or a prefix of it), best first. */
export function suggestCommands(typed: string, names: readonly string[]): string[] {
  const scored = names
    .map((name) => ({ name, d: name.startsWith(typed) && typed.length >= 2 ? 0.5 : distance(typed, name) }))
    .filter(({ d }) => d <= Math.min(2, Math.max(1, Math.floor(typed.length / 2))))
    .sort((x, y) => x.d - y.d || x.name.localeCompare(y.name));
  return scored.map(({ name }) => name);
}
