import type { Command } from 'commander';
import { SwiftError, type DeleteResult } from 'swiftclient';
import type { CliContext } from '../context.js';
import { errorText, pySwiftErrorStr } from '../errors.js';
import { printJson } from '../json.js';
import { UsageError } from '../output.js';
import type { Runner } from '../program.js';
import { attemptsSuffix, checkThreads, collect, int, service, slashWarning, usage } from './shared.js';

interface DeleteFlags {
  all?: boolean;
  yesAll?: boolean;
  versions?: boolean;
  prefix?: string;
  versionId?: string;
  header: string[];
  leaveSegments?: boolean;
  objectThreads: number;
  containerThreads: number;
  json?: boolean;
}

function report(ctx: CliContext, r: DeleteResult, yesAll: boolean): void {
  const c = r.container ?? '';
  const o = r.object ?? '';
  if (r.success) {
    if (ctx.verbose <= 0) return;
    let path: string;
    if (r.action === 'delete_object') path = yesAll ? `${c}/${o}` : o;
    else if (r.action === 'delete_segment') path = `${c}/${o}`;
    else path = c;
    ctx.output.print(`${path}${attemptsSuffix(r.attempts)}`);
    return;
  }
  const path = o ? `${c}/${o}` : c;
  // `swift` formats r['error'] itself here: a SwiftError shows as its str()
  const text = r.error instanceof SwiftError ? pySwiftErrorStr(r.error) : errorText(r.error);
  ctx.output.error(`Error Deleting: ${path}: ${text}`);
}

export function registerDelete(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('delete')
    .description('Delete a container or objects within a container.')
    .usage('[options] [<container> [<object>] [--version-id <version_id>] [...]]')
    .argument('[container]', 'Name of container to delete from.')
    .argument('[objects...]', 'Name of object to delete. Specify multiple times for multiple objects.')
    .option('-a, --all', 'Delete all containers and objects. Implies --versions.')
    .option('--yes-all', 'Same as --all.')
    .option('--versions', 'Delete all versions.')
    .option('-p, --prefix <prefix>', 'Only delete items beginning with <prefix>.')
    .option('--version-id <version_id>', 'Delete specific version of a versioned object.')
    .option('-H, --header <header:value>', 'Adds a custom request header to use for deleting objects or an entire container.', collect, [])
    .option('--leave-segments', 'Do not delete segments of manifest objects.')
    .option('--object-threads <threads>', 'Number of threads to use for deleting objects.', int, 10)
    .option('--container-threads <threads>', 'Number of threads to use for deleting containers.', int, 10)
    .option('--json', 'Print each result as one JSON object per line (stable field names, see docs/CLI.md).')
    .action((container: string | undefined, objects: string[], o: DeleteFlags, cmd: Command) =>
      run(async () => {
        const yesAll = Boolean(o.all || o.yesAll);
        const versions = Boolean(o.versions || yesAll);
        const args = container === undefined ? [] : [container, ...objects];
        if ((args.length === 0 && !yesAll) || (args.length > 0 && yesAll)) {
          ctx.output.errorBlock(usage(cmd));
          return;
        }
        if (versions && args.length >= 2) throw new UsageError('--versions option not allowed for object deletes');
        if (o.versionId !== undefined && args.length < 2) throw new UsageError('--version-id option only allowed for object deletes');
        if (!checkThreads(ctx, cmd, { '--object-threads': o.objectThreads, '--container-threads': o.containerThreads })) return;
        if (container !== undefined && slashWarning(ctx, container)) return;
        const swift = await service(ctx, 'delete');
        const results = swift.delete(container, objects.length > 0 ? objects : undefined, {
          yesAll,
          versions,
          prefix: o.prefix,
          versionId: o.versionId,
          headers: o.header,
          leaveSegments: Boolean(o.leaveSegments),
          objectThreads: o.objectThreads,
          containerThreads: o.containerThreads,
        });
        for await (const r of results) {
          if (o.json) printJson(ctx.output, r);
          else report(ctx, r, yesAll);
        }
      }),
    );
}
