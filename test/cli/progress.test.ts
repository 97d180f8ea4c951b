// The progress bar: drawn on a terminal (a pseudo-terminal from util-linux's
// `script`) for upload and download, never when the output is piped or with -q.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { connect, purgeContainer, SWIFT, unique } from '../helpers/env.js';
import { promptForPassword } from '../../packages/cli/src/prompt.js';
import { cleanEnv, ours, oursLine, TEMPAUTH } from './helpers.js';

const run = promisify(execFile);
const container = unique('cli-progress');
let dir: string;

/** Runs our CLI under a pseudo-terminal; what the terminal showed. */
async function onTerminal(args: string[]): Promise<string> {
  const { stdout } = await run('script', ['-qec', oursLine(args), '/dev/null'], { cwd: dir, env: { ...cleanEnv(TEMPAUTH), TERM: 'xterm', COLUMNS: '120' } });
  return stdout;
}

let hasScript = true;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'swiftclient-progress-'));
  writeFileSync(join(dir, 'one.bin'), Buffer.alloc(3 * 1024 * 1024, 1));
  writeFileSync(join(dir, 'two.bin'), Buffer.alloc(1024 * 1024, 2));
  hasScript = await run('script', ['--version']).then(
    () => true,
    () => false,
  );
});

after(async () => {
  const conn = connect();
  await purgeContainer(conn, container);
  await conn.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('progress bar', () => {
  test('upload then download on a terminal: bytes, rate, ETA; lines above the bar', async () => {
    assert.ok(hasScript, 'script (util-linux) is not installed');
    const up = await onTerminal(['upload', container, 'one.bin', 'two.bin']);
    assert.match(up, /Uploading \[[#-]+\] +\d+% \| [\d.]+ (B|KiB|MiB)\/4\.0 MiB \| [\d.]+ (B|KiB|MiB)\/s \| ETA +\S+ \| \d objects?/);
    assert.match(up, /Uploading \[#+\] 100% \| 4\.0 MiB\/4\.0 MiB/);
    assert.match(up, /(^|\x1b\[2K)one\.bin\r?$/m);
    const down = await onTerminal(['download', container, '-D', 'out']);
    assert.match(down, /Downloading \[#+\] 100% \| 4\.0 MiB\/4\.0 MiB \| [\d.]+ (B|KiB|MiB)\/s \| ETA +\S+ \| 2 objects/);
    assert.match(down, /out\/two\.bin \[auth /);
  });

  test('no bar with -q on a terminal, nor when piped', async () => {
    assert.ok(hasScript, 'script (util-linux) is not installed');
    const quiet = await onTerminal(['-q', 'download', container, '-D', 'quiet']);
    assert.doesNotMatch(quiet, /Downloading/);
    const piped = await ours(['download', container, '-D', 'piped'], { cwd: dir });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stderr, '');
    assert.doesNotMatch(piped.stdout, /Downloading|\x1b\[/);
    assert.deepEqual(piped.stdout.split('\n').filter(Boolean).map((l) => l.replace(/ \[auth.*$/, '')).sort(), ['piped/one.bin', 'piped/two.bin']);
    const pipedUp = await ours(['upload', container, 'two.bin'], { cwd: dir });
    assert.equal(pipedUp.stdout, 'two.bin\n');
    assert.equal(pipedUp.stderr, '');
  });
});

describe('--prompt on a terminal', () => {
  test('echo is off before the prompt is written, and back on after the line (the order a terminal sees)', async () => {
    // The end-to-end test below can only catch a wrong order when the typing
    // wins a race; this records the order itself.
    const seen: string[] = [];
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (raw: boolean) => seen.push(`raw ${raw}`) });
    const output = { write: (text: string) => seen.push(`write ${JSON.stringify(text)}`) };
    const password = promptForPassword(input as unknown as NodeJS.ReadStream, output as unknown as NodeJS.WriteStream);
    input.write('sec\u007fcret\r');
    assert.equal(await password, 'secret');
    assert.deepEqual(seen, ['raw true', 'write "Password: "', 'raw false', 'write "\\n"']);
  });

  test('v1.0 credentials without a key: the password typed is used for tempauth, as swift does', async () => {
    assert.ok(hasScript, 'script (util-linux) is not installed');
    const env = { ...cleanEnv({ ST_AUTH: SWIFT.authUrl, ST_USER: SWIFT.user }), TERM: 'xterm' };
    const child = spawn('script', ['-qec', oursLine(['--prompt', 'stat']), '/dev/null'], { cwd: dir, env });
    let output = '';
    let typed = false;
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      // typed the moment the prompt shows: echo must already be off
      if (output.includes('Password:') && !typed) {
        typed = true;
        child.stdin.end(`${SWIFT.key}\r`);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, output);
    assert.match(output, /Account: AUTH_test/);
    assert.doesNotMatch(output, new RegExp(SWIFT.key), 'no echo of the password');
  });
});
