import type { Command } from 'commander';
import type { ResponseHeaders, StatResult } from 'swiftclient';
import type { CliContext } from '../context.js';
import { printJson } from '../json.js';
import { UsageError } from '../output.js';
import { prtBytes, pyTitle } from '../format.js';
import type { Runner } from '../program.js';
import { collect, service, slashWarning, usage } from './shared.js';

type Items = Array<[string, unknown]>;

const POLICY_PREFIX = 'x-account-storage-policy-';

/**
 * Connection management headers describe our HTTP connection, not the
 * account/container/object (undici asks for keep-alive, so the server
 * answers with them where it did not for python's http.client).
 */
const HOP_BY_HOP = ['connection', 'keep-alive'];

/** command_helpers' `headers_to_items`: metadata first (`Meta Color`), then the other headers title-cased. */
export function headersToItems(headers: ResponseHeaders, metaPrefix: string, exclude: readonly string[]): Items {
  const meta: Items = [];
  const other: Items = [];
  for (const [name, value] of Object.entries(headers)) {
    if (exclude.includes(name) || HOP_BY_HOP.includes(name)) continue;
    if (name.startsWith(metaPrefix)) meta.push([`Meta ${pyTitle(name.slice(metaPrefix.length))}`, value]);
    else other.push([pyTitle(name), value]);
  }
  return [...meta, ...other];
}

const HUMAN_LABELS = /^(Objects|Bytes|Content Length|(Containers|Objects|Bytes) in policy ".*")$/;

/** Applies `--lh` to the size items, as `stat_account`/`stat_container`/`stat_object` do. */
function sized(items: StatResult['items'], human: boolean): Items {
  return (items ?? []).map(([label, value]) => [label, HUMAN_LABELS.test(label) ? prtBytes(String(value ?? 0), human).trimStart() : value]);
}

export function printStat(ctx: CliContext, result: StatResult, human: boolean, url: string | undefined, token: string | undefined): void {
  const headers = result.headers ?? {};
  const items = sized(result.items, human);
  if (ctx.verbose > 1) {
    if (result.action === 'stat_account') items.unshift(['StorageURL', url], ['Auth Token', token]);
    else if (result.action === 'stat_container') items.unshift(['URL', `${url}/${result.container}`], ['Auth Token', token]);
    else items.unshift(['URL', `${url}/${result.container}/${result.object}`], ['Auth Token', token]);
  }
  if (result.action === 'stat_account') {
    const policyHeaders = Object.keys(headers).filter((name) => name.startsWith(POLICY_PREFIX));
    items.push(
      ...headersToItems(headers, 'x-account-meta-', [
        'content-length',
        'date',
        'x-account-container-count',
        'x-account-object-count',
        'x-account-bytes-used',
        ...policyHeaders,
      ]),
    );
    ctx.output.printItems(items);
  } else if (result.action === 'stat_container') {
    items.push(
      ...headersToItems(headers, 'x-container-meta-', [
        'content-length',
        'date',
        'x-container-object-count',
        'x-container-bytes-used',
        'x-container-read',
        'x-container-write',
        'x-container-sync-to',
        'x-container-sync-key',
      ]),
    );
    ctx.output.printItems(items);
  } else {
    items.push(...headersToItems(headers, 'x-object-meta-', ['content-type', 'content-length', 'last-modified', 'etag', 'date', 'x-object-manifest']));
    ctx.output.printItems(items, { skipMissing: true });
  }
}

interface StatFlags {
  lh?: boolean;
  versionId?: string;
  header: string[];
  json?: boolean;
}

export function registerStat(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('stat')
    .description('Displays information for the account, container, or object.')
    .argument('[container]', 'Name of container to stat from.')
    .argument('[object]', 'Name of object to stat.')
    .option('--lh', 'Report sizes in human readable format similar to ls -lh.')
    .option('--version-id <version_id>', 'Report stat of specific version of a versioned object.')
    .option('-H, --header <header:value>', 'Adds a custom request header to use for stat.', collect, [])
    .option('--json', 'Print each result as one JSON object per line (stable field names, see docs/CLI.md).')
    .action((container: string | undefined, object: string | undefined, opts: StatFlags, cmd: Command) =>
      run(async () => {
        if (opts.versionId !== undefined && object === undefined) throw new UsageError('--version-id option only allowed for object stats');
        if (cmd.args.length > 2) {
          ctx.output.errorBlock(usage(cmd));
          return;
        }
        if (container !== undefined && slashWarning(ctx, container)) return;
        const swift = await service(ctx, 'stat');
        const objects = object === undefined ? undefined : [object];
        for await (const result of swift.stat(container, objects, { headers: opts.header, versionId: opts.versionId })) {
          if (opts.json) {
            printJson(ctx.output, result);
            continue;
          }
          if (!result.success) throw result.error ?? new Error('stat failed');
          printStat(ctx, result, Boolean(opts.lh), swift.connection.url, swift.connection.token);
        }
      }),
    );
}
