import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { shQuote } from '../format.js';
import { OS_SETTINGS, osEnvName } from '../globals.js';

export function registerAuth(program: Command, ctx: CliContext, run: (job: () => Promise<void>) => Promise<void>): void {
  program
    .command('auth')
    .description('Display auth related environment variables in shell friendly format (-v: the credentials instead).')
    .action(() =>
      run(async () => {
        const print = (name: string, value: string): void => ctx.output.print(`export ${name}=${shQuote(value)}`);
        const o = await ctx.authOptions('auth');
        if (ctx.verbose > 1) {
          if (o.authVersion === '1' || o.authVersion === '1.0') {
            print('ST_AUTH', o.auth ?? '');
            print('ST_USER', o.user ?? '');
            print('ST_KEY', o.key ?? '');
            return;
          }
          print('OS_IDENTITY_API_VERSION', o.authVersion);
          print('OS_AUTH_VERSION', o.authVersion);
          print('OS_AUTH_URL', o.auth ?? '');
          // python prints every os_* option that is set, sorted by its name
          const settings = OS_SETTINGS.filter((s) => s !== 'authUrl' && o.os[s])
            .map((s) => [osEnvName(s), o.os[s] as string] as const)
            .sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
          for (const [name, value] of settings) print(name, value);
          return;
        }
        if (o.os.storageUrl && o.os.authToken) {
          // a preauthenticated storage URL and token are the answer as they are
          print('OS_STORAGE_URL', o.os.storageUrl);
          print('OS_AUTH_TOKEN', o.os.authToken);
          return;
        }
        const conn = await ctx.connection('auth');
        const [url, token] = await conn.getAuth();
        print('OS_STORAGE_URL', url);
        print('OS_AUTH_TOKEN', token);
      }),
    );
}
