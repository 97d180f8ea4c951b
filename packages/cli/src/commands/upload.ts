import type { Command } from 'commander';
import { ClientException, type UploadObject, type UploadOptions, type UploadResult } from 'swiftclient';
import type { CliContext } from '../context.js';
import { errorText, httpStatusOf } from '../errors.js';
import { printJson } from '../json.js';
import { exists, totalSize } from '../local-files.js';
import type { Runner } from '../program.js';
import { progressWanted, TransferBar } from '../progress.js';
import { attemptsSuffix, checkThreads, collect, int, service, usage } from './shared.js';

const DEFAULT_STDIN_SEGMENT = 10 * 1024 * 1024;

interface UploadFlags {
  changed?: boolean;
  skipIdentical?: boolean;
  skipContainerPut?: boolean;
  segmentSize?: string;
  segmentContainer?: string;
  leaveSegments?: boolean;
  objectThreads: number;
  segmentThreads: number;
  meta: string[];
  header: string[];
  useSlo?: boolean;
  useDlo?: boolean;
  objectName?: string;
  ignoreChecksum?: boolean;
  journal?: string;
  json?: boolean;
}

/** `-S 100M`: bytes, or a number with a B, K, M or G suffix (powers of 1024); undefined when invalid. */
export function parseSegmentSize(text: string): number | undefined {
  if (/^\s*[-+]?\d+\s*$/.test(text)) return Number(text);
  const match = /^\s*([-+]?\d+)\s*([BKMG])$/i.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 1024 ** 'BKMG'.indexOf((match[2] as string).toUpperCase());
}

/** The warning python prints when the container could not be created (not an error: the upload may still work). */
function containerWarning(r: UploadResult): string {
  const error = r.error;
  let msg: string;
  if (error instanceof ClientException) {
    const headers = (r as { headers?: Record<string, string> }).headers ?? {};
    const policy = headers['x-storage-policy'];
    if (policy !== undefined) {
      msg = ` with Storage Policy ${policy.trim()}`;
    } else {
      msg = [error.httpStatus, error.httpReason].map((x) => String(x ?? 'None')).join(' ');
      if (error.httpResponseContent) msg += `: ${error.httpResponseContent.slice(0, 60)}`;
      msg = `: ${msg}`;
    }
  } else {
    msg = `: ${errorText(error)}`;
  }
  return `Warning: failed to create container '${r.container}'${msg}`;
}

function report(ctx: CliContext, r: UploadResult, bar: TransferBar | undefined): void {
  if (r.success) {
    if (r.action === 'upload_object') bar?.objectDone();
    if (ctx.verbose <= 0) return;
    if (r.action === 'upload_object' || r.action === 'create_dir_marker' || r.action === 'delete_segment') {
      ctx.output.print(`${r.object}${attemptsSuffix(r.attempts)}`);
    } else if (r.action === 'upload_segment' && !(r.attempts !== undefined && r.attempts > 1)) {
      ctx.output.print(`${r.forObject} segment ${r.segmentIndex}`);
    }
    return;
  }
  if (r.action === 'create_container') {
    ctx.output.warning(containerWarning(r));
    return;
  }
  ctx.output.error(errorText(r.error));
  if (httpStatusOf(r.error) === 413 && ctx.verbose > 0) ctx.output.error('Consider using the --segment-size option to chunk the object');
}

export function registerUpload(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('upload')
    .description('Uploads specified files and directories to the given container.')
    .usage('[options] <container> <file_or_directory> [<file_or_directory>] [...]')
    .argument('[container]', 'Name of container to upload to.')
    .argument('[files...]', 'Name of file or directory to upload. "-" reads from standard input (--object-name is required).')
    .option('-c, --changed', 'Only upload files that have changed since the last upload.')
    .option('--skip-identical', 'Skip uploading files that are identical on both sides.')
    .option('--skip-container-put', "Assume all necessary containers already exist; don't automatically try to create them.")
    .option('-S, --segment-size <size>', 'Upload files in segments no larger than <size> (bytes, or with a B, K, M or G suffix) and then create a manifest.')
    .option('-C, --segment-container <container>', 'Upload the segments into the specified container (default <container>_segments).')
    .option('--leave-segments', 'Leave the older segments of manifest objects alone (in the case of overwrites).')
    .option('--object-threads <threads>', 'Number of threads to use for uploading full objects.', int, 10)
    .option('--segment-threads <threads>', 'Number of threads to use for uploading object segments.', int, 10)
    .option('-m, --meta <name:value>', 'Sets a meta data item. This option may be repeated.', collect, [])
    .option('-H, --header <header:value>', 'Adds a customized request header. This option may be repeated.', collect, [])
    .option('--use-slo', 'With --segment-size: create a Static Large Object (the default when the cluster supports SLO).')
    .option('--use-dlo', 'With --segment-size: create a Dynamic Large Object instead of a Static Large Object.')
    .option('--object-name <object-name>', 'Upload file and name object to <object-name> or upload dir and use <object-name> as object prefix instead of folder name.')
    .option('--ignore-checksum', 'Turn off checksum validation for uploads.')
    .option('--journal <file>', 'With "-": record the segments stored in <file>, so that a re-run with the same file and the same input resumes instead of starting over.')
    .option('--json', 'Print each result as one JSON object per line (stable field names, see docs/CLI.md).')
    .action((container: string | undefined, files: string[], o: UploadFlags, cmd: Command) =>
      run(async () => {
        if (container === undefined || files.length === 0) {
          ctx.output.errorBlock(usage(cmd));
          return;
        }
        const fromStdin = files.includes('-');
        if (fromStdin && files.length > 1) {
          ctx.output.error('upload from stdin cannot be used along with other files');
          return;
        }
        if (o.objectName !== undefined && files.length > 1) {
          ctx.output.error('object-name only be used with 1 file or dir');
          return;
        }
        if (o.objectName === undefined && fromStdin) {
          ctx.output.error('object-name must be specified with uploads from stdin');
          return;
        }
        if (o.journal !== undefined && !fromStdin) {
          ctx.output.error('--journal can only be used with uploads from stdin (files resume without one)');
          return;
        }
        if (o.journal !== undefined && o.useDlo) {
          ctx.output.error('--journal cannot be used with --use-dlo');
          return;
        }
        if (o.useSlo && o.useDlo) {
          ctx.output.error('--use-slo and --use-dlo cannot be used together');
          return;
        }
        let segmentSize: number | undefined;
        if (o.segmentSize) {
          segmentSize = parseSegmentSize(o.segmentSize);
          if (segmentSize === undefined) {
            ctx.output.error('Invalid segment size');
            return;
          }
          if (segmentSize <= 0) {
            ctx.output.error('segment-size should be positive');
            return;
          }
        }
        if (!checkThreads(ctx, cmd, { '--object-threads': o.objectThreads, '--segment-threads': o.segmentThreads })) return;

        const sources: Array<string | UploadObject> = [];
        if (fromStdin) {
          sources.push({ source: process.stdin, objectName: o.objectName as string, options: o.journal === undefined ? undefined : { journal: o.journal } });
        } else {
          for (const file of files) {
            if (!(await exists(file))) {
              ctx.output.error(`Local file '${file}' not found`);
              continue;
            }
            sources.push(o.objectName === undefined ? file : { source: file, objectName: o.objectName });
          }
        }
        const options: UploadOptions = {
          changed: Boolean(o.changed),
          skipIdentical: Boolean(o.skipIdentical),
          skipContainerPut: Boolean(o.skipContainerPut),
          leaveSegments: Boolean(o.leaveSegments),
          objectThreads: o.objectThreads,
          segmentThreads: o.segmentThreads,
          meta: o.meta,
          headers: o.header,
          checksum: !o.ignoreChecksum,
        };
        if (segmentSize !== undefined) options.segmentSize = segmentSize;
        if (o.segmentContainer !== undefined) options.segmentContainer = o.segmentContainer;
        if (o.useSlo) options.useSlo = true;
        if (o.useDlo) options.useDlo = true;
        if (fromStdin) {
          if (!o.useDlo) options.useSlo = true;
          options.segmentSize ??= DEFAULT_STDIN_SEGMENT;
        }
        if (sources.length === 0) return;

        const swift = await service(ctx, 'upload', [], { checksum: !o.ignoreChecksum });
        let bar: TransferBar | undefined;
        if (!o.json && progressWanted(ctx.output, ctx.verbose)) {
          const expected = fromStdin ? undefined : await totalSize(sources.map((s) => (typeof s === 'string' ? s : (s.source as string))));
          bar = await TransferBar.start(ctx.output, 'Uploading', expected);
          options.onProgress = bar.onProgress;
        }
        try {
          for await (const r of swift.upload(container, sources, options)) {
            if (o.json) printJson(ctx.output, r);
            else report(ctx, r, bar);
          }
        } finally {
          bar?.stop();
        }
      }),
    );
}
