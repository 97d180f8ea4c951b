import type { Command } from 'commander';
import type { ListResult } from 'swiftclient';
import type { CliContext } from '../context.js';
import { gmtimeString, padEnd, padStart, prtBytes } from '../format.js';
import { UsageError } from '../output.js';
import type { Runner } from '../program.js';
import { pyJsonDumps, type Printable } from '../pyjson.js';
import { collect, service, usage } from './shared.js';

interface ListFlags {
  long?: boolean;
  lh?: boolean;
  totals?: boolean;
  prefix?: string;
  delimiter?: string;
  json?: boolean;
  versions?: boolean;
  header: string[];
}

type Entry = ListResult['listing'][number] & Record<string, unknown>;

function str(value: unknown): string {
  return value === undefined || value === null ? 'None' : String(value);
}

/** One line of `swift list -l` / `--lh` / `--versions`; adds to the totals. */
function entryLine(item: Entry, container: string | undefined, o: ListFlags, totals: { count: number; bytes: number }): string | undefined {
  const human = Boolean(o.lh);
  if (container === undefined) {
    const bytes = Number(item.bytes ?? 0);
    const count = Number(item.count ?? 0);
    totals.count += count;
    totals.bytes += bytes;
    const meta = (item.meta ?? {}) as Record<string, string>;
    const timestamp = meta['x-timestamp'];
    const date = timestamp === undefined || !Number.isFinite(Number(timestamp)) ? '????-??-?? ??:??:??' : gmtimeString(Number(timestamp));
    return `${padStart(count, 12)} ${prtBytes(bytes, human)} ${date} ${padEnd(meta['x-storage-policy'] ?? '???', 15)} ${str(item.name)}`;
  }
  let bytes = 0;
  let date = '';
  let time = '';
  let name = item.name;
  if (item.subdir === undefined) {
    bytes = Number(item.bytes ?? 0);
    const [d = '', t = ''] = String(item.last_modified ?? '').split('T');
    date = d;
    time = t.split('.')[0] ?? '';
  } else {
    name = item.subdir;
  }
  totals.bytes += bytes;
  const byteStr = prtBytes(bytes, human);
  const contentType = padStart(str(item.content_type), 24);
  if (o.versions) {
    const version = 'version_id' in item ? str(item.version_id) : 'null';
    return `${byteStr} ${padStart(date, 10)} ${padStart(time, 8)} ${padStart(version, 16)} ${contentType} ${str(name)}`;
  }
  return `${byteStr} ${padStart(date, 10)} ${padStart(time, 8)} ${contentType} ${str(name)}`;
}

export function registerList(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('list')
    .description('Lists the containers for the account or the objects for a container.')
    .argument('[container]', 'Name of container to list object in.')
    .option('-l, --long', 'Long listing format, similar to ls -l.')
    .option('--lh', 'Report sizes in human readable format similar to ls -lh.')
    .option('-t, --totals', 'Used with -l or --lh, only report totals.')
    .option('-p, --prefix <prefix>', 'Only list items beginning with the prefix.')
    .option('-d, --delimiter <delim>', 'Roll up items with the given delimiter. For containers only.')
    .option('-j, --json', 'Display listing information in json')
    .option('--versions', 'Display listing information for all versions')
    .option('-H, --header <header:value>', 'Adds a custom request header to use for listing.', collect, [])
    .action((container: string | undefined, o: ListFlags, cmd: Command) =>
      run(async () => {
        if (o.delimiter && container === undefined) throw new UsageError('-d option only allowed for container listings');
        if (o.versions && container === undefined) throw new UsageError('--versions option only allowed for container listings');
        const long = Boolean(o.long || o.lh);
        if (o.totals && !long) {
          ctx.output.error('Listing totals only works with -l or --lh.');
          return;
        }
        if (container !== undefined && (container.includes('/') || cmd.args.length > 1)) {
          ctx.output.errorBlock(usage(cmd));
          return;
        }
        const swift = await service(ctx, 'list');
        const parts = swift.list(container, { long, prefix: o.prefix, delimiter: o.delimiter, versions: Boolean(o.versions), headers: o.header });
        if (o.json) {
          // json.dump(..., sort_keys=True, indent=2) of every entry, streamed
          let first = true;
          for await (const part of parts) {
            if (!part.success) throw part.error ?? new Error('listing failed');
            for (const item of part.listing) {
              ctx.output.stdout.write(`${first ? '[\n' : ',\n'}  ${pyJsonDumps(item as Printable, 2, 1)}`);
              first = false;
            }
          }
          ctx.output.print(first ? '[]' : '\n]');
          return;
        }
        const totals = { count: 0, bytes: 0 };
        for await (const part of parts) {
          if (!part.success) throw part.error ?? new Error('listing failed');
          for (const item of part.listing as Entry[]) {
            if (!long && !o.versions) {
              ctx.output.print(str(item.name ?? item.subdir));
              continue;
            }
            const line = entryLine(item, container, o, totals);
            if (!o.totals && line !== undefined) ctx.output.print(line);
          }
        }
        if (long) {
          ctx.output.print(container === undefined ? `${prtBytes(totals.count, true).padStart(12)} ${prtBytes(totals.bytes, Boolean(o.lh))}` : prtBytes(totals.bytes, Boolean(o.lh)));
        }
      }),
    );
}
