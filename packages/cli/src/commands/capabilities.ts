import type { Command } from 'commander';
import { capabilitiesUrl, ClientException } from 'swiftclient';
import { connectionOptions } from '../connect.js';
import type { CliContext } from '../context.js';
import { fetchInfoText } from '../info.js';
import { parsePyJson, pyJsonDumps, pyStr, sortedEntries, type Printable, type PyValue } from '../pyjson.js';

/**
 * GETs `/info` and parses it keeping floats as floats, so that `0.0` prints
 * as python-swiftclient prints it (the library's getCapabilities gives
 * plain numbers).
 */
async function fetchInfo(ctx: CliContext, url: string | undefined): Promise<PyValue> {
  const o = await ctx.resolved();
  let base = url;
  if (!base) {
    const conn = await ctx.connection('capabilities');
    base = conn.url ?? (await conn.getAuth())[0];
  }
  const c = connectionOptions(o);
  const text = await fetchInfoText(capabilitiesUrl(base), { timeout: c.timeout, cacert: c.cacert, insecure: c.insecure, cert: c.cert, certKey: c.certKey });
  try {
    return parsePyJson(text);
  } catch (err) {
    throw new ClientException(`Capabilities GET failed: the response is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

function printComponent(ctx: CliContext, name: string, features: Array<[string, Printable]>): void {
  for (const [feature, options] of features) {
    ctx.output.print(`${name}: ${feature}`);
    const entries = sortedEntries(options);
    if (entries.length === 0) continue;
    ctx.output.print(' Options:');
    for (const [key, value] of entries) ctx.output.print(`  ${key}: ${pyStr(value)}`);
  }
}

export function registerCapabilities(program: Command, ctx: CliContext, run: (job: () => Promise<void>) => Promise<void>): void {
  program
    .command('capabilities')
    .alias('info')
    .description('Retrieve capability of the proxy.')
    .argument('[proxy_url]', 'Proxy URL of the cluster to retrieve capabilities.')
    .option('--json', 'Print the cluster capabilities in JSON format.')
    .action((url: string | undefined, opts: { json?: boolean }, cmd: Command) =>
      run(async () => {
        if (cmd.args.length > 1) {
          ctx.output.errorBlock(`Usage: swiftclient capabilities [--json] [<proxy_url>]`);
          return;
        }
        const info = await fetchInfo(ctx, url);
        if (opts.json) {
          ctx.output.print(pyJsonDumps(info));
          return;
        }
        const all = sortedEntries(info);
        const swift = all.filter(([name]) => name === 'swift');
        if (swift.length === 0) throw new ClientException("Capabilities GET failed: the response has no 'swift' section");
        printComponent(ctx, 'Core', swift);
        printComponent(ctx, 'Additional middleware', all.filter(([name]) => name !== 'swift'));
      }),
    );
}
