import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { printJson } from '../json.js';
import { UsageError } from '../output.js';
import type { Runner } from '../program.js';
import { collect, service, slashWarning, usage } from './shared.js';

interface PostFlags {
  readAcl?: string;
  writeAcl?: string;
  syncTo?: string;
  syncKey?: string;
  meta: string[];
  header: string[];
  json?: boolean;
}

export function registerPost(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('post')
    .description('Updates meta information for the account, container, or object. If the container is not found, it will be created automatically.')
    .argument('[container]', 'Name of container to post to.')
    .argument('[object]', 'Name of object to post.')
    .option('-r, --read-acl <acl>', 'Read ACL for containers. Quick summary of ACL syntax: .r:*, .r:-.example.com, .r:www.example.com, account1:*, account2:user2.')
    .option('-w, --write-acl <acl>', 'Write ACL for containers. Quick summary of ACL syntax: account1:*, account2:user2.')
    .option('-t, --sync-to <sync-to>', 'Sync To for containers, for multi-cluster replication.')
    .option('-k, --sync-key <sync-key>', 'Sync Key for containers, for multi-cluster replication.')
    .option('-m, --meta <name:value>', 'Sets a meta data item. This option may be repeated. Example: -m Color:Blue -m Size:Large', collect, [])
    .option('-H, --header <header:value>', 'Adds a customized request header. This option may be repeated.', collect, [])
    .option('--json', 'Print each result as one JSON object per line (stable field names, see docs/CLI.md).')
    .action((container: string | undefined, object: string | undefined, o: PostFlags, cmd: Command) =>
      run(async () => {
        if ((o.readAcl !== undefined || o.writeAcl !== undefined || o.syncTo !== undefined || o.syncKey !== undefined) && container === undefined) {
          throw new UsageError('-r, -w, -t, and -k options only allowed for containers');
        }
        if (container !== undefined && slashWarning(ctx, container)) return;
        if (cmd.args.length > 2) {
          ctx.output.errorBlock(usage(cmd));
          return;
        }
        const swift = await service(ctx, 'post');
        const results = swift.post(container, object === undefined ? undefined : [object], {
          meta: o.meta,
          headers: o.header,
          readAcl: o.readAcl,
          writeAcl: o.writeAcl,
          syncTo: o.syncTo,
          syncKey: o.syncKey,
        });
        for await (const r of results) {
          if (o.json) printJson(ctx.output, r);
          else if (!r.success) throw r.error ?? new Error('post failed');
        }
      }),
    );
}
