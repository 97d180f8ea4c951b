import type { Command } from 'commander';
import type { DownloadObjectResult, DownloadOptions } from 'swiftclient';
import type { CliContext } from '../context.js';
import { errorText, isNotFound } from '../errors.js';
import { printJson } from '../json.js';
import { UsageError } from '../output.js';
import type { Runner } from '../program.js';
import { progressWanted, TransferBar } from '../progress.js';
import { checkThreads, collect, int, service, slashWarning, usage } from './shared.js';

interface DownloadFlags {
  all?: boolean;
  yesAll?: boolean;
  marker: string;
  prefix?: string;
  output?: string;
  outputDir?: string;
  removePrefix?: boolean;
  objectThreads: number;
  containerThreads: number;
  /** false with --no-download */
  download: boolean;
  header: string[];
  skipIdentical?: boolean;
  versionId?: string;
  ignoreChecksum?: boolean;
  /** false with --no-shuffle */
  shuffle: boolean;
  ignoreMtime?: boolean;
  json?: boolean;
}

/** python's `auth %.3fs, headers %.3fs, total %.3fs, %.3f MB/s` line. */
function timing(r: DownloadObjectResult): string {
  const start = r.startTime ?? 0;
  const headers = (r.headersReceipt ?? start) - start;
  const auth = 0;
  const total = (r.finishTime ?? start) - start;
  if (r.pseudodir) return `auth ${auth.toFixed(3)}s, headers ${headers.toFixed(3)}s, total ${total.toFixed(3)}s, pseudo`;
  const speed = (r.readLength ?? 0) / Math.max(total - auth, 1e-9) / 1_000_000;
  return `auth ${auth.toFixed(3)}s, headers ${headers.toFixed(3)}s, total ${total.toFixed(3)}s, ${speed.toFixed(3)} MB/s`;
}

function report(ctx: CliContext, r: DownloadObjectResult, bar: TransferBar | undefined): void {
  if (r.success) {
    bar?.objectDone();
    if (r.status === 'skipped-identical') {
      if (ctx.verbose > 0) ctx.output.print(`Skipped identical file '${r.path}'`);
      return;
    }
    if (ctx.verbose <= 0) return;
    const attempts = r.attempts ?? 1;
    ctx.output.print(attempts > 1 ? `${r.path} [${timing(r)} after ${attempts} attempts]` : `${r.path} [${timing(r)}]`);
    return;
  }
  if (isNotFound(r.error)) {
    ctx.output.error(`Object '${r.container}/${r.object}' not found`);
    return;
  }
  ctx.output.error(`Error downloading object '${r.container}/${r.object}': ${errorText(r.error)}`);
}

/** `-o -`: the object's bytes to stdout, streamed. */
async function toStdout(ctx: CliContext, container: string, object: string, o: DownloadFlags): Promise<void> {
  const conn = await ctx.connection('download', [], { checksum: !o.ignoreChecksum });
  const headers: Record<string, string> = {};
  for (const item of o.header) {
    const at = item.indexOf(':');
    if (at < 0) throw new UsageError(`Metadata parameter ${item} must contain a ':'. Example: 'Color:Blue' or 'Size:Large'`);
    headers[item.slice(0, at).toLowerCase()] = item.slice(at + 1).trim();
  }
  const queryString = o.versionId === undefined ? undefined : `version-id=${encodeURIComponent(o.versionId)}`;
  try {
    const [, body] = await conn.getObject(container, object, { respChunkSize: 65536, headers, queryString });
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (!ctx.output.raw(chunk)) await new Promise((resolve) => ctx.output.stdout.once('drain', resolve));
    }
  } catch (err) {
    if (isNotFound(err)) ctx.output.error(`Object '${container}/${object}' not found`);
    else ctx.output.error(`Error downloading object '${container}/${object}': ${errorText(err)}`);
  }
}

export function registerDownload(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('download')
    .description('Download objects from containers.')
    .usage('[options] [<container> [<object>] [...]]')
    .argument('[container]', 'Name of container to download from. To download a whole account, omit this and specify --all.')
    .argument('[objects...]', 'Name of object to download. Omit this to download all objects from the container.')
    .option('-a, --all', 'Indicates that you really want to download everything in the account.')
    .option('--yes-all', 'Same as --all.')
    .option('-m, --marker <marker>', 'Marker to use when starting a container or account download.', '')
    .option('-p, --prefix <prefix>', 'Only download items beginning with <prefix>.')
    .option('-r, --remove-prefix', 'An optional flag for --prefix <prefix>, use this option to download items without <prefix>.')
    .option('-o, --output <out_file>', 'For a single file download, stream the output to <out_file>. "-" writes to stdout.')
    .option('-D, --output-dir <out_directory>', 'An optional directory to which to store objects (default: the current directory).')
    .option('--object-threads <threads>', 'Number of threads to use for downloading objects.', int, 10)
    .option('--container-threads <threads>', 'Number of threads to use for downloading containers.', int, 10)
    .option('--no-download', "Perform download(s), but don't actually write anything to disk.")
    .option('-H, --header <header:value>', 'Adds a customized request header to the query, like "Range" or "If-Match". This option may be repeated.', collect, [])
    .option('--skip-identical', 'Skip downloading files that are identical on both sides.')
    .option('--version-id <version_id>', 'Download specific version of a versioned object.')
    .option('--ignore-checksum', 'Turn off checksum validation for downloads.')
    .option('--no-shuffle', 'Download in the order the objects are listed instead of a random order.')
    .option('--ignore-mtime', "Ignore the 'X-Object-Meta-Mtime' header when downloading an object.")
    .option('--json', 'Print each result as one JSON object per line (stable field names, see docs/CLI.md).')
    .action((container: string | undefined, objects: string[], o: DownloadFlags, cmd: Command) =>
      run(async () => {
        const yesAll = Boolean(o.all || o.yesAll);
        const args = container === undefined ? [] : [container, ...objects];
        if (o.output && args.length !== 2) throw new UsageError('-o option only allowed for single file downloads');
        if (o.outputDir && args.length === 2) throw new UsageError('Please use -o option for single file downloads and renames');
        if ((args.length === 0 && !yesAll) || (args.length > 0 && yesAll)) {
          ctx.output.errorBlock(usage(cmd));
          return;
        }
        if (o.versionId !== undefined && args.length < 2) throw new UsageError('--version-id option only allowed for object downloads');
        if (!checkThreads(ctx, cmd, { '--object-threads': o.objectThreads, '--container-threads': o.containerThreads })) return;
        if (container !== undefined && slashWarning(ctx, container)) return;
        if (o.json && o.output === '-') throw new UsageError('--json cannot be used with -o -');
        if (o.output === '-' && container !== undefined) {
          await toStdout(ctx, container, objects[0] as string, o);
          return;
        }
        const options: DownloadOptions = {
          yesAll,
          marker: o.marker || undefined,
          prefix: o.prefix,
          removePrefix: Boolean(o.prefix && o.removePrefix),
          outputDir: o.outputDir,
          outFile: o.output,
          objectThreads: o.objectThreads,
          containerThreads: o.containerThreads,
          noDownload: !o.download,
          headers: o.header,
          skipIdentical: Boolean(o.skipIdentical),
          versionId: o.versionId,
          checksum: !o.ignoreChecksum,
          shuffle: o.shuffle,
          ignoreMtime: Boolean(o.ignoreMtime),
        };
        const swift = await service(ctx, 'download', [], { checksum: !o.ignoreChecksum });
        let bar: TransferBar | undefined;
        if (!o.json && progressWanted(ctx.output, ctx.verbose)) {
          bar = await TransferBar.start(ctx.output, 'Downloading');
          options.onProgress = bar.onProgress;
        }
        try {
          for await (const r of swift.download(container, objects.length > 0 ? objects : undefined, options)) {
            if (o.json) printJson(ctx.output, r);
            else report(ctx, r, bar);
          }
        } finally {
          bar?.stop();
        }
      }),
    );
}
