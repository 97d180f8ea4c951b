import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { errorText } from '../errors.js';
import { printJson } from '../json.js';
import type { Runner } from '../program.js';
import { collect, service, slashWarning, usage } from './shared.js';

interface CopyFlags {
  destination?: string;
  freshMetadata?: boolean;
  meta: string[];
  header: string[];
  json?: boolean;
}

export function registerCopy(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('copy')
    .description('Copies object to new destination, optionally updates objects metadata. If destination is not set, will update metadata of object.')
    .usage('[options] <container> <object> [<object>] [...]')
    .argument('[container]', 'Name of container to copy from.')
    .argument('[objects...]', 'Name of object to copy. Specify multiple times for multiple objects.')
    .option('-d, --destination </container[/object]>', 'The container and name of the destination object (the name may be omitted).')
    .option('-M, --fresh-metadata', 'Copy the object without any existing metadata; if not set, metadata will be preserved or appended.')
    .option('-m, --meta <name:value>', 'Sets a meta data item. This option may be repeated. Example: -m Color:Blue -m Size:Large', collect, [])
    .option('-H, --header <header:value>', 'Adds a customized request header. This option may be repeated.', collect, [])
    .option('--json', 'Print each result as one JSON object per line (stable field names, see docs/CLI.md).')
    .action((container: string | undefined, objects: string[], o: CopyFlags, cmd: Command) =>
      run(async () => {
        if (container === undefined || objects.length === 0) {
          ctx.output.errorBlock(usage(cmd));
          return;
        }
        if (slashWarning(ctx, container)) return;
        const swift = await service(ctx, 'copy');
        const results = swift.copy(container, objects, {
          destination: o.destination,
          freshMetadata: Boolean(o.freshMetadata),
          meta: o.meta,
          headers: o.header,
        });
        for await (const r of results) {
          if (o.json) printJson(ctx.output, r);
          else if (r.success) {
            if (ctx.verbose <= 0) continue;
            if (r.action === 'copy_object') ctx.output.print(`${r.container}/${r.object} copied to ${r.destination || '<self>'}`);
            else if (r.action === 'create_container') ctx.output.print(`created container ${r.container}`);
          } else if (r.action === 'create_container') {
            ctx.output.warning(`Warning: failed to create container '${container}': ${errorText(r.error)}`);
          } else {
            ctx.output.error(errorText(r.error));
          }
        }
      }),
    );
}
