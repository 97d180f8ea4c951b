// A real forward proxy for tests: Debian's tinyproxy (scripts/setup installs
// it), on 127.0.0.1 with its own config and log in a temporary directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './env.js';

export interface Tinyproxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The request lines the proxy logged so far: `GET http://host:port/path HTTP/1.1`, `CONNECT host:port HTTP/1.1`. */
  requests(): string[];
  /** The whole log, to check what it holds. */
  log(): string;
  close(): Promise<void>;
}

export const TINYPROXY = ['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy'].find((path) => existsSync(path));

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`tinyproxy: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startTinyproxy(): Promise<Tinyproxy> {
  if (!TINYPROXY) throw new Error('tinyproxy is not installed (scripts/setup installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'swiftclient-tinyproxy-'));
  chmodSync(dir, 0o777); // it drops to nobody when started as root, and still writes its log here
  const logFile = join(dir, 'tinyproxy.log');
  const read = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  for (let tries = 0; ; tries += 1) {
    const port = await freePort();
    const asRoot = process.getuid?.() === 0;
    writeFileSync(
      join(dir, 'tinyproxy.conf'),
      [
        ...(asRoot ? ['User nobody', 'Group nogroup'] : []),
        `Port ${port}`,
        'Listen 127.0.0.1',
        'Timeout 60',
        `LogFile "${logFile}"`,
        'LogLevel Info',
        'MaxClients 200',
        'Allow 127.0.0.1',
        'DisableViaHeader Yes',
        '',
      ].join('\n'),
    );
    const child: ChildProcess = spawn(TINYPROXY, ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => (exited = true));
    try {
      await waitFor(() => exited || /Starting main loop|Accepting connections/.test(read()) || /listening on fd/.test(read()), 'did not start');
    } catch (err) {
      child.kill();
      throw err;
    }
    if (exited) {
      if (tries < 5) continue; // the port was taken meanwhile
      throw new Error(`tinyproxy did not start: ${read()}`);
    }
    return {
      url: `http://127.0.0.1:${port}`,
      requests: () => [...read().matchAll(/Request \(file descriptor \d+\): (.*)$/gm)].map((m) => m[1] as string),
      log: read,
      close: async () => {
        if (!exited) {
          const gone = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await gone;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
