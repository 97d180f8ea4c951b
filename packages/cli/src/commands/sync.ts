import type { Command } from 'commander';
import type { SyncResult } from 'swiftclient';
import type { CliContext } from '../context.js';
import { errorText } from '../errors.js';
import type { Runner } from '../program.js';
import { parseSegmentSize } from './upload.js';
import { checkThreads, int, service } from './shared.js';
import { UsageError } from '../output.js';

interface SyncFlags {
  delete?: boolean;
  dryRun?: boolean;
  segmentSize?: string;
  segmentContainer?: string;
  useSlo?: boolean;
  useDlo?: boolean;
  objectThreads: number;
  segmentThreads: number;
}

/** The line a sync prints for a result, or undefined for results it keeps quiet about (containers, segments). */
export function syncLine(r: SyncResult): string | undefined {
  switch (r.action) {
    case 'sync_plan': {
      const arrow = r.operation === 'upload' ? `${r.path} -> ${r.container}/${r.object}` : r.operation === 'download' ? `${r.container}/${r.object} -> ${r.path}` : r.operation === 'delete-object' ? `${r.container}/${r.object}` : r.path;
      return `${r.operation} ${arrow} (${r.reason})`;
    }
    case 'upload_object':
      return `uploaded ${r.path} -> ${r.container}/${r.object}`;
    case 'download_object':
      return `downloaded ${r.container}/${r.object} -> ${r.path}`;
    case 'delete_object':
      return `deleted ${r.container}/${r.object}`;
    case 'delete_file':
      return `deleted ${r.path}`;
    default:
      return undefined;
  }
}

export function registerSync(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('sync')
    .description('Mirrors a local directory to swift://container[/prefix], or back: transfers what is new or changed, a second run nothing.')
    .usage('[options] <source> <destination>')
    .argument('<source>', 'A local directory or swift://container[/prefix].')
    .argument('<destination>', 'swift://container[/prefix] or a local directory.')
    .option('--delete', 'Delete at the destination what the source does not have.')
    .option('--dry-run', 'Print the plan; transfer and delete nothing.')
    .option('-S, --segment-size <size>', 'Upload files larger than this as segments (bytes, or with B, K, M, G).')
    .option('-C, --segment-container <container>', 'Segment container (default <container>_segments).')
    .option('--use-slo', 'Static large objects (the default when the cluster offers them).')
    .option('--use-dlo', 'Dynamic large objects.')
    .option('--object-threads <threads>', 'Number of objects transferred at once.', int, 10)
    .option('--segment-threads <threads>', 'Number of segments transferred at once.', int, 10)
    .action((source: string, destination: string, o: SyncFlags, cmd: Command) =>
      run(async () => {
        if (!checkThreads(ctx, cmd, { '--object-threads': o.objectThreads, '--segment-threads': o.segmentThreads })) return;
        const segmentSize = o.segmentSize === undefined ? undefined : parseSegmentSize(o.segmentSize);
        if (segmentSize === undefined && o.segmentSize !== undefined) throw new UsageError(`Invalid segment size: ${o.segmentSize}`);
        const swift = await service(ctx, 'sync');
        const results = swift.sync(source, destination, {
          delete: Boolean(o.delete),
          dryRun: Boolean(o.dryRun),
          segmentSize,
          segmentContainer: o.segmentContainer,
          useSlo: o.useSlo,
          useDlo: o.useDlo,
          objectThreads: o.objectThreads,
          segmentThreads: o.segmentThreads,
        });
        for await (const r of results) {
          if (!r.success) {
            if (r.action !== 'create_container') ctx.output.error(`${r.action} ${r.object ?? r.container ?? ''}: ${errorText(r.error)}`);
            continue;
          }
          const line = syncLine(r);
          if (line !== undefined) ctx.output.print(line);
        }
      }),
    );
}
