// stat, list, capabilities, auth, tempurl and errors: our CLI and
// python-swiftclient's `swift` run with the same arguments against the same
// Swift must print the same text (transaction ids and per-replica
// timestamps aside) and exit with the same status.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Connection } from '../../src/index.js';
import { connect, purgeContainer, SWIFT, unique } from '../helpers/env.js';
import { both, cleanEnv, normaliseStat, ours, oursCommand, python, TEMPAUTH } from './helpers.js';

let conn: Connection;
const prefix = unique('cli-read');
const container = `${prefix}-c`;
const empty = `${prefix}-empty`;

before(async () => {
  conn = connect();
  await conn.putContainer(container, { headers: { 'x-container-meta-color': 'Blue', 'x-container-read': '.r:*,.rlistings', 'x-container-meta-long-name-here': 'x' } });
  await conn.putContainer(empty);
  await conn.putObject(container, 'a.txt', 'hello\n', { contentType: 'text/plain', headers: { 'x-object-meta-color': 'Red', 'x-object-meta-mtime': '1700000000.000000' } });
  await conn.putObject(container, 'dir/b.bin', Buffer.alloc(1500, 1), { contentType: 'application/octet-stream' });
  await conn.putObject(container, 'dir/sub/c.json', '{"x": 1}', { contentType: 'application/json' });
  await conn.putObject(container, 'dir/big', Buffer.alloc(1280 * 1024, 2), { contentType: 'application/x-big' });
  await conn.putObject(container, 'z ünïcode name', 'u', { contentType: 'text/plain; charset=utf-8' });
});

after(async () => {
  await purgeContainer(conn, container);
  await purgeContainer(conn, empty);
  await conn.close();
});

// Masks the time of day, keeping its width so column alignment still counts.
const ACCOUNT_LISTING_DATES = /(?<=\d{4}-\d\d-\d\d[ T])\d\d:\d\d:\d\d(\.\d+)?/g;

async function sameOutput(args: string[], options: { env?: NodeJS.ProcessEnv; mask?: RegExp } = {}): Promise<void> {
  const [a, b] = await both(args, options.env ? { env: options.env } : {});
  const masked = (text: string) => (options.mask ? text.replace(options.mask, (m) => '#'.repeat(m.length)) : text);
  assert.equal(masked(a.stdout), masked(b.stdout), `stdout of ${args.join(' ')}`);
  assert.equal(a.code, b.code, `exit code of ${args.join(' ')}: ${a.stderr}`);
  assert.equal(a.stderr, b.stderr, `stderr of ${args.join(' ')}`);
}

describe('stat', { concurrency: true }, () => {
  test('container and object, plain and --lh, as swift prints them', async () => {
    const cases: Array<[string[], string[]]> = [
      [['stat', '--lh', container], ['X-Timestamp', 'Last-Modified']],
      [['stat', container, 'dir/big', '--lh'], []],
      [['stat', container, 'z ünïcode name'], []],
      [['-v', 'stat', container, 'a.txt'], []],
    ];
    await Promise.all(
      cases.map(async ([args, volatile]) => {
        const [a, b] = await both(args);
        assert.equal(a.code, 0, a.stderr);
        assert.equal(b.code, 0, b.stderr);
        assert.deepEqual(normaliseStat(a.stdout, volatile), normaliseStat(b.stdout, volatile), args.join(' '));
      }),
    );
  });

  test('account: the same labels, aligned the same way', async () => {
    const volatile = ['Containers', 'Objects', 'Bytes', 'X-Timestamp', 'Last-Modified'];
    for (const args of [['stat'], ['stat', '--lh', '-v']]) {
      const [a, b] = await both(args);
      assert.equal(a.code, 0, a.stderr);
      assert.deepEqual(normaliseStat(a.stdout, volatile), normaliseStat(b.stdout, volatile), args.join(' '));
    }
  });
});

describe('list', { concurrency: true }, () => {
  test('container listings in every format', async () => {
    const cases = [
      ['list', container],
      ['list', container, '-l'],
      ['list', container, '--lh', '--totals'],
      ['list', container, '--json'],
      ['list', container, '-p', 'dir/', '-d', '/'],
      ['list', container, '--lh', '-d', '/'],
      ['list', empty, '-l'],
    ];
    await Promise.all(cases.map((args) => sameOutput(args)));
  });

  test('account listings (limited to this test by a prefix)', async () => {
    const cases = [
      ['list', '-p', prefix],
      ['list', '-p', prefix, '-l'],
      ['list', '-p', prefix, '--lh', '-t'],
      ['list', '-p', prefix, '--json'],
    ];
    // An account listing's date is the container's put timestamp as the
    // account replica that answers last heard it: replicas converge on their
    // own schedule, so two runs a moment apart may see different seconds
    // (CI once saw 08:48:10 against 08:48:11). Everything else must match.
    await Promise.all(cases.map((args) => sameOutput(args, { mask: ACCOUNT_LISTING_DATES })));
  });
});

describe('capabilities, auth and tempurl', { concurrency: true }, () => {
  test('capabilities (alias info), text and --json, with and without a URL', async () => {
    const url = `${new URL(SWIFT.authUrl).origin}/v1/AUTH_nobody`;
    const [, , json, info] = await Promise.all([
      sameOutput(['capabilities']),
      sameOutput(['capabilities', '--json', url], { env: cleanEnv() }),
      python(['capabilities', '--json']),
      // the alias (which python refuses without credentials); a proxy URL needs none
      ours(['info', '--json', url], { env: cleanEnv() }),
    ]);
    assert.equal(info.code, 0, info.stderr);
    assert.equal(info.stdout, json.stdout);
  });

  test('auth prints the same exports; -v the credentials', async () => {
    await Promise.all([sameOutput(['auth']), sameOutput(['auth', '-v'])]);
    const a = await ours(['auth']);
    assert.match(a.stdout, /^export OS_STORAGE_URL=http:\/\/\S+\nexport OS_AUTH_TOKEN=\S+\n$/);
  });

  test('tempurl gives byte-identical URLs', async () => {
    const env = cleanEnv();
    const cases = [
      ['tempurl', 'GET', '1700000000', '/v1/AUTH_test/c/o', 'secret', '--absolute'],
      ['tempurl', 'PUT', '1700000000', 'http://saio:8080/v1/AUTH_test/c/ü o', 'k', '--absolute', '--digest', 'sha1'],
      ['tempurl', 'GET', '1700000000', 'https://h/v1/AUTH_test/c/o', 'k', '--absolute', '--digest', 'sha512', '--ip-range', '10.0.0.0/8'],
      ['tempurl', 'FOO', '2030-01-02T03:04:05Z', '/v1/AUTH_test/c/', 'k', '--prefix-based', '--iso8601'],
      ['tempurl', 'GET', 'soon', '/v1/AUTH_test/c', 'k'],
    ];
    await Promise.all(cases.map((args) => sameOutput(args, { env })));
    const relative = await ours(['tempurl', 'GET', '1h', '/v1/AUTH_test/c/o', 'k'], { env });
    const expires = Number(/temp_url_expires=(\d+)/.exec(relative.stdout)?.[1]);
    assert.ok(Math.abs(expires - (Date.now() / 1000 + 3600)) < 30, relative.stdout);
  });
});

describe('errors', { concurrency: true }, () => {
  test('what is missing is reported as swift reports it, with exit status 1', async () => {
    await Promise.all([
      sameOutput(['stat', `${prefix}-missing`]),
      sameOutput(['list', `${prefix}-missing`]),
      sameOutput(['download', `${prefix}-missing`, 'obj']),
      sameOutput(['delete', `${prefix}-missing`]),
      sameOutput(['stat', `${container}/a.txt`]),
      sameOutput(['stat'], { env: cleanEnv() }),
    ]);
    // usage errors, with swift's messages
    for (const [args, message] of [
      [['list', '-t'], 'Listing totals only works with -l or --lh.\n'],
      [['list', '-d', '/'], '-d option only allowed for container listings\n'],
      [['download', container, '-o', 'x'], '-o option only allowed for single file downloads\n'],
      [['post', '-r', '.r:*'], '-r, -w, -t, and -k options only allowed for containers\n'],
      [['delete', container, 'x', '--versions'], '--versions option not allowed for object deletes\n'],
      [['upload', container, '-'], 'object-name must be specified with uploads from stdin\n'],
      [['upload', container, 'x', '-S', '10X'], 'Invalid segment size\n'],
    ] as const) {
      const r = await ours(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, message, args.join(' '));
    }
    // a bad or missing option value: argparse's exit status 2, one line
    for (const args of [['-R', 'abc', 'stat'], ['-T', 'abc', 'stat'], ['stat', '-H'], ['tempurl', 'GET', '60', '/v1/a/c/o', 'k', '--digest', 'md5']]) {
      const [a, b] = await both(args);
      assert.equal(b.code, 2, `swift ${args.join(' ')}`);
      assert.equal(a.code, 2, `${args.join(' ')}: ${a.stderr}`);
      assert.equal(a.stderr.trimEnd().split('\n').length, 1, a.stderr);
    }
  });

  test('a server error is one line (with the transaction id), no stack trace', async () => {
    for (const [args, env] of [
      [['stat', container, 'no-such-object'], cleanEnv(TEMPAUTH)],
      [['stat'], cleanEnv({ ...TEMPAUTH, ST_KEY: 'wrong' })],
    ] as const) {
      const [a, b] = await both(args, { env });
      assert.equal(a.code, 1);
      assert.equal(b.code, 1);
      assert.equal(a.stdout, '');
      const ourLines = a.stderr.trimEnd().split('\n');
      assert.equal(ourLines.length, 1, a.stderr);
      const first = (b.stderr.split('\n')[0] as string).replace(/ {2}\[first 60 chars.*$/, '');
      assert.ok(ourLines[0]?.startsWith(first), `${a.stderr} vs ${b.stderr}`);
      assert.match(a.stderr, /\(txn: tx[0-9a-f-]+\)/);
      assert.doesNotMatch(a.stderr, /\n\s+at /);
    }
  });

  test('stdout that cannot be written (a full disk: /dev/full): one line naming ENOSPC, exit status 1, no stack trace', { skip: !existsSync('/dev/full') && 'no /dev/full' }, async () => {
    for (const args of [['download', container, 'dir/big', '-o', '-'], ['list', container]]) {
      const { command, args: argv, env } = oursCommand(args);
      const full = openSync('/dev/full', 'w');
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(command, argv, { env: { ...env, ...TEMPAUTH }, stdio: ['ignore', full, 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      }).finally(() => closeSync(full));
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, 'Error writing to standard output: ENOSPC: no space left on device, write\n', args.join(' '));
    }
  });

  test('a connection refused is one line; --debug adds the stack', async () => {
    const env = cleanEnv({ ST_AUTH: 'http://127.0.0.1:9/auth/v1.0', ST_USER: 'u', ST_KEY: 'k' });
    const plain = await ours(['-R', '0', 'stat'], { env });
    assert.equal(plain.code, 1);
    assert.equal(plain.stderr.trimEnd().split('\n').length, 1, plain.stderr);
    const debug = await ours(['--debug', '-R', '0', 'stat'], { env });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /\n\s+at /);
  });

  test('unknown commands and options fail', async () => {
    const a = await ours(['bogus']);
    assert.equal(a.code, 1);
    assert.match(a.stderr, /no such command: bogus/);
    const bad = await ours(['list', '--no-such-option']);
    assert.notEqual(bad.code, 0);
    const none = await ours([], {});
    assert.equal(none.code, 0);
    assert.match(none.stdout, /Usage: swiftclient/);
  });
});

describe('--debug and --info', { concurrency: true }, () => {
  test('--debug prints curl lines with the token redacted', async () => {
    const [, token] = await conn.getAuth();
    const res = await ours(['--debug', 'stat', container]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /^REQ: curl -i -I http:\/\/\S+ -H "x-auth-token: AUTH_/m);
    assert.match(res.stderr, /^RESP STATUS: 204/m);
    assert.ok(!res.stderr.includes(token), 'the token is redacted');
    // the key is hidden entirely: not even a prefix of it is shown
    const keyValues = [...res.stderr.matchAll(/x-auth-key: ([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(keyValues, ['...']);
    assert.ok(!res.stderr.includes(SWIFT.key), 'the key is redacted');
    assert.match(res.stdout, /Container: /);
  });

  test('--info prints only the failing requests', async () => {
    const res = await ours(['--info', 'stat', container, 'no-such-object']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^REQ: curl -i -I \S+no-such-object/m);
    assert.match(res.stderr, /^RESP STATUS: 404/m);
    assert.doesNotMatch(res.stderr, /auth\/v1\.0/);
  });
});
