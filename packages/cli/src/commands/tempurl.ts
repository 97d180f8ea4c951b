import { Option, type Command } from 'commander';
import { generateTempUrl, type TempUrlDigest } from 'swiftclient';
import type { CliContext } from '../context.js';

const STANDARD_METHODS = ['GET', 'PUT', 'HEAD', 'POST', 'DELETE'];

/** Python's `urlparse`: scheme, netloc and path (without `;params`, `?query`, `#fragment`). */
export function urlParts(url: string): { scheme: string; netloc: string; path: string } {
  let rest = url;
  let scheme = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? '' : rest.slice(end + 2);
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const question = rest.indexOf('?');
  if (question >= 0) rest = rest.slice(0, question);
  const params = rest.indexOf(';', Math.max(rest.lastIndexOf('/'), 0));
  if (params >= 0) rest = rest.slice(0, params);
  return { scheme, netloc, path: rest };
}

interface TempUrlFlags {
  absolute?: boolean;
  prefixBased?: boolean;
  iso8601?: boolean;
  ipRange?: string;
  digest: TempUrlDigest;
}

/** Runs `fn` with the library's "non default HTTP method" process warning silenced (the CLI prints its own). */
function withoutMethodWarning<T>(fn: () => T): T {
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const options = rest[0];
    const code = typeof options === 'object' && options !== null ? (options as { code?: string }).code : rest[1];
    if (code === 'SWIFTCLIENT_TEMPURL_METHOD') return;
    (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return fn();
  } finally {
    process.emitWarning = original;
  }
}

export function registerTempurl(program: Command, ctx: CliContext, run: (job: () => Promise<void>) => Promise<void>): void {
  program
    .command('tempurl')
    .description('Generates a temporary URL for a Swift object.')
    .argument('[method]', "An HTTP method to allow for this temporary URL. Usually 'GET' or 'PUT'.")
    .argument('[time]', "Seconds (or with an 's', 'm', 'h' or 'd' suffix), or an ISO 8601 timestamp, until the URL expires.")
    .argument('[path]', 'The full path or storage URL to the Swift object, e.g. /v1/AUTH_account/c/o.')
    .argument('[key]', 'The secret temporary URL key set on the Swift cluster.')
    .option('--absolute', 'Interpret <time> as a Unix timestamp rather than a number of seconds in the future.')
    .option('--prefix-based', 'Generate a prefix-based temporary URL.')
    .option('--iso8601', 'Put an ISO 8601 UTC timestamp in the URL instead of a Unix timestamp.')
    .option('--ip-range <range>', 'Restrict the temporary URL to the given ip or ip range.')
    .addOption(new Option('--digest <digest>', 'The digest algorithm to use.').choices(['sha1', 'sha256', 'sha512']).default('sha256'))
    .action((method: string | undefined, time: string | undefined, path: string | undefined, key: string | undefined, opts: TempUrlFlags) =>
      run(async () => {
        if (method === undefined || time === undefined || path === undefined || key === undefined) {
          ctx.output.errorBlock(
            'Usage: swiftclient tempurl [--absolute] [--prefix-based] [--iso8601] [--ip-range <range>] [--digest <digest>]\n' +
              '                           <method> <time> <path> <key>',
          );
          return;
        }
        const parsed = urlParts(path);
        if (!STANDARD_METHODS.includes(method.toUpperCase())) {
          ctx.output.print(`WARNING: Non default HTTP method ${method.toUpperCase()} for tempurl specified, possibly an error`);
        }
        let signed: string;
        try {
          signed = withoutMethodWarning(() =>
            generateTempUrl(parsed.path, time, key, method, {
              absolute: Boolean(opts.absolute),
              iso8601: Boolean(opts.iso8601),
              prefix: Boolean(opts.prefixBased),
              ipRange: opts.ipRange,
              digest: opts.digest,
            }),
          );
        } catch (err) {
          ctx.output.error(err instanceof Error ? err.message : String(err));
          return;
        }
        ctx.output.print(parsed.scheme && parsed.netloc ? `${parsed.scheme}://${parsed.netloc}${signed}` : signed);
      }),
    );
}
