// The CLI as it ships: packages/cli/dist/, one esbuild bundle (main.js and
// its chunks) holding the library, undici and commander. Run here from a copy
// with no node_modules within reach, so a package the bundle failed to
// include, or a file it reads next to itself, fails this file whichever way
// the other CLI tests start the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Connection } from '../../src/index.js';
import { CLI_DIST, ensureBuilt } from '../helpers/build.js';
import { forwardTo } from '../helpers/counting-proxy.js';
import { connect, purgeContainer, SWIFT, unique } from '../helpers/env.js';
import { NODE_FOR_CLI } from '../helpers/runtime.js';
import { startTinyproxy, TINYPROXY } from '../helpers/tinyproxy.js';
import { cleanEnv, ROOT, TEMPAUTH, type RunResult } from './helpers.js';

const container = unique('cli-bundle');
const BODY = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 251));
let conn: Connection;
let work = '';

/** Runs the copied bundle; stdout as bytes (a download to `-o -`). */
function runCopy(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv(TEMPAUTH), nodeArgs: readonly string[] = []): Promise<RunResult & { bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE_FOR_CLI, [...nodeArgs, join(work, 'dist/main.js'), ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const bytes = Buffer.concat(out);
      resolve({ code: code ?? -1, stdout: bytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), bytes });
    });
  });
}

function version(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

before(async () => {
  await ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'swiftclient-bundle-'));
  // what `npm pack` ships of the CLI package, nothing else
  cpSync(CLI_DIST, join(work, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'packages/cli/package.json'), join(work, 'package.json'));
  conn = connect();
  await conn.putContainer(container);
  await conn.putObject(container, 'data.bin', BODY);
  await conn.putObject(container, 'dir/b.txt', 'b\n');
});

after(async () => {
  await purgeContainer(conn, container);
  await conn.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the bundled CLI', () => {
  test('has no node_modules within reach of the copy (else this file would prove nothing)', () => {
    for (let dir = work; dir !== dirname(dir); dir = dirname(dir)) assert.equal(existsSync(join(dir, 'node_modules')), false, `${dir}/node_modules`);
  });

  test('imports nothing but its own chunks and Node built-ins', () => {
    const files = readdirSync(join(work, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    assert.ok(files.includes('main.js'), files.join(', '));
    const outside = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(work, 'dist', file), 'utf8');
      for (const [, spec] of text.matchAll(/(?:\bfrom|\bimport|\brequire\s*\()\s*["']([^"'\s]+)["']/g)) {
        // a package name, not a path of ours or a word in a message
        if (spec === undefined || !/^(@[\w.-]+\/)?\w[\w.-]*(\/[\w./-]*)?$/.test(spec)) continue;
        if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
        outside.add(`${file}: ${spec}`);
      }
    }
    assert.deepEqual([...outside], []);
  });

  test('--version prints the CLI package version', async () => {
    const r = await runCopy(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `swiftclient ${version(join(ROOT, 'packages/cli/package.json'))} (python-swiftclient 4.1 compatible)\n`);
  });

  test('stat, list and a download work against the local Swift', async () => {
    const [stat, list, download] = await Promise.all([
      runCopy(['stat', container]),
      runCopy(['list', container]),
      runCopy(['download', container, 'data.bin', '-o', '-']),
    ]);
    assert.equal(stat.code, 0, stat.stderr);
    assert.match(stat.stdout, new RegExp(`^\\s+Container: ${container}$`, 'm'));
    assert.match(stat.stdout, /^\s+Objects: 2$/m);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, 'data.bin\ndir/b.txt\n');
    assert.equal(download.code, 0, download.stderr);
    assert.equal(createHash('md5').update(download.bytes).digest('hex'), createHash('md5').update(BODY).digest('hex'));
  });

  test("sends the library's version in its User-Agent", async () => {
    const agents: string[] = [];
    const forward = forwardTo(SWIFT.authUrl);
    const server: Server = createServer((req, res) => {
      agents.push(String(req.headers['user-agent']));
      forward(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const authUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${new URL(SWIFT.authUrl).pathname}`;
      const r = await runCopy(['stat'], cleanEnv({ ...TEMPAUTH, ST_AUTH: authUrl }));
      assert.equal(r.code, 0, r.stderr);
      assert.ok(agents.length > 0, 'the auth request went through the recorder');
      for (const agent of agents) assert.match(agent, new RegExp(`^swiftclient/${version(join(ROOT, 'package.json')).replaceAll('.', '\\.')} node/\\d+\\.`));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('goes through the HTTP proxy that http_proxy names', { skip: TINYPROXY ? false : 'tinyproxy is not installed' }, async () => {
    const proxy = await startTinyproxy();
    try {
      const r = await runCopy(['stat', container], cleanEnv({ ...TEMPAUTH, http_proxy: proxy.url }));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\s+Objects: 2$/m);
      const origin = new URL(SWIFT.authUrl).origin;
      assert.ok(proxy.requests().some((line) => line.startsWith(`GET ${origin}/auth/v1.0 `)), proxy.requests().join('\n'));
      assert.ok(proxy.requests().some((line) => line.startsWith(`HEAD ${origin}/v1/`)), proxy.requests().join('\n'));
    } finally {
      await proxy.close();
    }
  });

  test('capabilities reads /info', async () => {
    const r = await runCopy(['capabilities', '--json', `${new URL(SWIFT.authUrl).origin}/info`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(typeof (JSON.parse(r.stdout) as { swift?: { version?: unknown } }).swift?.version, 'string');
  });

  test("stat loads undici's HTTP/1.1 client only, not its fetch, cache or mock parts", async () => {
    // Those parts bring Node's zlib, worker_threads and its own internal
    // undici, most of a short command's start-up CPU.
    const probe = join(work, 'module-list.mjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write(`\\nloaded: ${process.moduleLoadList.join('|')}\\n`));\n");
    const r = await runCopy(['stat', container], cleanEnv(TEMPAUTH), ['--import', probe]);
    assert.equal(r.code, 0, r.stderr);
    const loaded = new Set(/^loaded: (.*)$/m.exec(r.stderr)?.[1]?.split('|') ?? []);
    assert.ok(loaded.has('NativeModule net'), 'the probe saw the modules');
    for (const name of ['zlib', 'worker_threads', 'internal/deps/undici/undici']) assert.ok(!loaded.has(`NativeModule ${name}`), `${name} is loaded`);
  });
});
