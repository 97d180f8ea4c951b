// What a user installs: both packages packed as `npm publish` would pack
// them, installed from the tarballs into a fresh project, type-checked by a
// strict consumer under nodenext and bundler resolution (and a browser
// project's: DOM lib, no @types/node, the browser condition), run as ESM and
// as CommonJS against the local Swift, and the packed CLI run. publint and
// arethetypeswrong check the package metadata.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureBuilt } from '../helpers/build.js';
import { connect, purgeContainer, SWIFT, unique } from '../helpers/env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'node_modules/.bin');
const run = promisify(execFile);

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never throws for a non-zero exit (the caller asserts). */
async function sh(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Output> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

const CONSUMER_TS = `
import { Readable } from 'node:stream';
import { ClientException, Connection, NotFoundError, type BodyInput, type ConnectionOptions, type ContainerEntry, type ObjectEntry } from 'swiftclient';

// the Node entry's types name node:stream and undici themselves
const upload: BodyInput = Readable.from(['hello']);
const hasDispatcher: [NonNullable<ConnectionOptions['dispatcher']>] extends [never] ? false : true = true;
void [upload, hasDispatcher];

const conn = new Connection({ authUrl: process.env.ST_AUTH ?? '', user: process.env.ST_USER ?? '', key: process.env.ST_KEY ?? '' });
const container = process.env.CONTAINER ?? '';
try {
  await conn.putContainer(container);
  const etag: string = await conn.putObject(container, 'hello.txt', 'hello from esm', { contentType: 'text/plain' });
  const [headers, body] = await conn.getObject(container, 'hello.txt');
  const text: string = body.toString('utf8');
  const [, stream] = await conn.getObject(container, 'hello.txt', { respChunkSize: 4 });
  const streamed: string = (await stream.read()).toString('utf8');
  const [, account] = await conn.getAccount({ prefix: container });
  const containers: string[] = account.flatMap((entry: ContainerEntry) => (entry.subdir === undefined ? [entry.name] : []));
  const [, listing] = await conn.getContainer(container);
  const sizes: number[] = listing.flatMap((entry: ObjectEntry) => (entry.subdir === undefined ? [entry.bytes] : []));
  let missing = '';
  try {
    await conn.headObject(container, 'missing');
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    const status: number | undefined = err.httpStatus;
    missing = \`\${err.code} \${status ?? ''} \${err instanceof ClientException}\`;
  }
  await conn.deleteObject(container, 'hello.txt');
  console.log(JSON.stringify({ etag, type: headers['content-type'], text, streamed, containers, sizes, missing }));
} finally {
  await conn.close();
}
`;

const CONSUMER_CJS = `
const { Connection, generateTempUrl } = require('swiftclient');
(async () => {
  const conn = new Connection({ authUrl: process.env.ST_AUTH, user: process.env.ST_USER, key: process.env.ST_KEY });
  try {
    const container = process.env.CONTAINER;
    await conn.putObject(container, 'hello.cjs', 'hello from cjs');
    const [, body] = await conn.getObject(container, 'hello.cjs');
    await conn.deleteObject(container, 'hello.cjs');
    const url = generateTempUrl('/v1/AUTH_test/c/o', 60, 'key', 'GET', { absolute: true });
    console.log(JSON.stringify({ text: body.toString('utf8'), tempurl: url.startsWith('/v1/AUTH_test/c/o?temp_url_sig=') }));
  } finally {
    await conn.close();
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
`;

// What a web page's TypeScript sees: the browser entry's declarations
// (customConditions), Buffer read as a Uint8Array.
const BROWSER_TS = `
import * as lib from 'swiftclient';
import { Connection, generateTempUrlAsync, uploadBlob, type UploadObjectResult } from 'swiftclient';

// @ts-expect-error the browser entry's types: no SwiftService (it reads local files)
void lib.SwiftService;
const conn = new Connection({ preauthUrl: 'https://swift.example.com/v1/AUTH_test', preauthToken: 'token', retries: 1 });
const file: Blob = new File(['héllo'], 'hello.txt', { type: 'text/plain' });
async function page(): Promise<string> {
  const etag: string = await conn.putObject('c', 'hello.txt', file);
  const [headers, body] = await conn.getObject('c', 'hello.txt');
  const bytes: Uint8Array = body;
  const text: string = new TextDecoder().decode(body);
  const blob: Blob = await (await conn.openObject('c', 'hello.txt')).body.blob();
  const stream: ReadableStream<Uint8Array> = (await conn.openObject('c', 'hello.txt')).body.toWeb();
  const all: Uint8Array = await (await conn.openObject('c', 'hello.txt')).body.bytes();
  const done: UploadObjectResult = await uploadBlob(conn, 'c', 'big', file, { segmentSize: 1 << 20, onProgress: (p) => console.log(p.bytesDone, p.bytesTotal) });
  const url: string = await generateTempUrlAsync('/v1/AUTH_test/c/o', 60, 'key', 'GET');
  const urlBytes: Uint8Array = await generateTempUrlAsync(new TextEncoder().encode('/v1/AUTH_test/c/o'), 60, 'key', 'GET');
  await conn.close();
  return [etag, headers['etag'], bytes.length, text, blob.size, stream.locked, all.length, done.success, url, urlBytes.length].join(' ');
}
document.title = await page();
`;

/** The strictest consumer settings, shared by every project below; the shipped declarations are checked too. */
const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  target: 'ES2022',
} as const;

/** A page's project: DOM lib, the browser condition, no @types/node (or with it, as a project that also has Node tooling). */
function browserTsconfig(withNodeTypes: boolean): string {
  return JSON.stringify({
    compilerOptions: {
      ...STRICT,
      lib: ['DOM', 'DOM.Iterable', withNodeTypes ? 'ESNext' : 'ES2022'],
      module: 'esnext',
      moduleResolution: 'bundler',
      customConditions: ['browser'],
      types: withNodeTypes ? ['node'] : [],
      ...(withNodeTypes ? { typeRoots: [join(ROOT, 'node_modules/@types')] } : {}),
      noEmit: true,
    },
    files: ['browser.ts'],
  });
}

function tsconfig(resolution: 'nodenext' | 'bundler'): string {
  return JSON.stringify({
    compilerOptions: {
      ...STRICT,
      lib: ['ES2023'],
      module: resolution === 'nodenext' ? 'nodenext' : 'esnext',
      moduleResolution: resolution,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
      outDir: 'out',
      noEmit: resolution === 'bundler',
    },
    files: ['consumer.ts'],
  });
}

describe('the packed packages, installed in a fresh project', { concurrency: true }, () => {
  let work = '';
  let project = '';
  const tarballs: Record<'lib' | 'cli', string> = { lib: '', cli: '' };
  const container = unique('pack');
  // only the tempauth credentials: the suite's Keystone OS_* variables would make the CLI pick Keystone
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(ST_|OS_|SWIFTCLIENT_)/.test(name)));
  Object.assign(env, { ST_AUTH: SWIFT.authUrl, ST_USER: SWIFT.user, ST_KEY: SWIFT.key, CONTAINER: container });

  before(async () => {
    await ensureBuilt();
    work = mkdtempSync(join(tmpdir(), 'swiftclient-pack-'));
    for (const [which, args] of [
      ['lib', []],
      ['cli', ['--workspace=packages/cli']],
    ] as const) {
      const packed = await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work, ...args], ROOT);
      assert.equal(packed.code, 0, packed.stderr);
      const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }>; size: number; entryCount: number }>;
      assert.ok(info);
      tarballs[which] = join(work, info.filename);
      const paths = info.files.map((f) => f.path);
      for (const required of ['LICENSE', 'README.md', 'package.json']) assert.ok(paths.includes(required), `${which} tarball lacks ${required}`);
      assert.deepEqual(paths.filter((p) => p.endsWith('.map')), [], 'no source maps without their sources');
      assert.ok(paths.every((p) => !p.startsWith('src/') && !p.startsWith('test/')), `${which}: only built files are shipped`);
      if (which === 'lib') {
        for (const file of ['dist/index.js', 'dist/index.d.ts', 'CHANGELOG.md']) assert.ok(paths.includes(file), `lib tarball lacks ${file}`);
      } else {
        // the bundle (packages/cli/build.mjs): main.js, its chunks, the bundled packages' licences
        assert.ok(paths.includes('dist/main.js'), 'cli tarball lacks dist/main.js');
        assert.ok(paths.includes('dist/THIRD-PARTY-LICENSES'), 'cli tarball lacks the bundled licences');
        assert.deepEqual(paths.filter((p) => p.startsWith('dist/') && !/^dist\/(main\.js|THIRD-PARTY-LICENSES|chunks\/[\w-]+\.js)$/.test(p)), [], 'only the bundle');
      }
      console.log(`${info.filename}: ${info.size} bytes packed, ${info.entryCount} files`);
    }
    project = join(work, 'consumer');
    await sh('mkdir', ['-p', project], work);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    writeFileSync(join(project, 'consumer.ts'), CONSUMER_TS);
    writeFileSync(join(project, 'consumer.cjs'), CONSUMER_CJS);
    const installed = await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarballs.lib, tarballs.cli], project);
    assert.equal(installed.code, 0, installed.stderr);
    await connect().putContainer(container);
  });

  after(async () => {
    const conn = connect();
    await purgeContainer(conn, container);
    await conn.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the library alone installs no CLI-only package', async () => {
    const lib = JSON.parse(readFileSync(join(project, 'node_modules/swiftclient/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // hash-wasm: MD5 for the browser build (Web Crypto has none); no dependencies of its own
    assert.deepEqual(Object.keys(lib.dependencies).sort(), ['hash-wasm', 'p-limit', 'undici']);
    const tree = await sh('npm', ['ls', '--all', '--parseable', 'swiftclient'], project);
    assert.equal(tree.code, 0, tree.stderr);
  });

  test('a strict TypeScript consumer type-checks under nodenext and bundler resolution and runs as ESM against the local Swift', async () => {
    await Promise.all(
      (['nodenext', 'bundler'] as const).map(async (resolution) => {
        writeFileSync(join(project, `tsconfig.${resolution}.json`), tsconfig(resolution));
        const checked = await sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${resolution}.json`], project);
        assert.equal(checked.code, 0, `${resolution}:\n${checked.stdout}${checked.stderr}`);
      }),
    );
    // the nodenext check emitted out/consumer.js: the same program, run as ESM
    const esm = await sh(process.execPath, ['out/consumer.js'], project, env);
    assert.equal(esm.code, 0, esm.stderr);
    const { etag, ...seen } = JSON.parse(esm.stdout) as { etag: string };
    assert.equal(etag, createHash('md5').update('hello from esm').digest('hex'));
    assert.deepEqual(seen, { type: 'text/plain', text: 'hello from esm', streamed: 'hello from esm', containers: [container], sizes: [14], missing: 'NOT_FOUND 404 true' });
  });

  test('a browser project type-checks the browser entry strictly: DOM lib, no @types/node, no skipLibCheck (and with @types/node loaded too)', async () => {
    writeFileSync(join(project, 'browser.ts'), BROWSER_TS);
    await Promise.all(
      [false, true].map(async (withNodeTypes) => {
        const name = `tsconfig.browser${withNodeTypes ? '-node' : ''}.json`;
        writeFileSync(join(project, name), browserTsconfig(withNodeTypes));
        const checked = await sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', name], project);
        assert.equal(checked.code, 0, `${name}:\n${checked.stdout}${checked.stderr}`);
      }),
    );
  });

  test('CommonJS require works against the local Swift (Node >= 20.19)', async () => {
    const cjs = await sh(process.execPath, ['consumer.cjs'], project, env);
    assert.equal(cjs.code, 0, cjs.stderr);
    assert.deepEqual(JSON.parse(cjs.stdout), { text: 'hello from cjs', tempurl: true });
  });

  test('the CLI alone (a bundle) installs no other package and runs stat', async () => {
    const cli = JSON.parse(readFileSync(join(project, 'node_modules/swiftclient-cli/package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    assert.deepEqual(cli.dependencies ?? {}, {});
    const alone = join(work, 'cli-alone');
    await sh('mkdir', ['-p', alone], work);
    writeFileSync(join(alone, 'package.json'), JSON.stringify({ name: 'cli-alone', version: '1.0.0', private: true }));
    const installed = await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarballs.cli], alone);
    assert.equal(installed.code, 0, installed.stderr);
    const tree = await sh('npm', ['ls', '--all', '--parseable'], alone);
    assert.deepEqual(tree.stdout.trim().split('\n').slice(1).map((line) => line.slice(alone.length + 1)), ['node_modules/swiftclient-cli']);
    const stat = await sh(join(alone, 'node_modules/.bin/swiftclient'), ['stat', container], alone, env);
    assert.equal(stat.code, 0, stat.stderr);
    assert.match(stat.stdout, new RegExp(`^\\s+Container: ${container}$`, 'm'));
  });

  test('the packed CLI runs: --version and stat', async () => {
    const cli = join(project, 'node_modules/.bin/swiftclient');
    const version = await sh(cli, ['--version'], project, env);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^swiftclient 0\.1\.0 /);
    const stat = await sh(cli, ['stat', container], project, env);
    assert.equal(stat.code, 0, stat.stderr);
    assert.match(stat.stdout, new RegExp(`^\\s+Container: ${container}$`, 'm'));
    assert.match(stat.stdout, /^\s+Account: AUTH_test$/m);
  });

  test('publint and arethetypeswrong find nothing wrong', async () => {
    for (const tarball of [tarballs.lib, tarballs.cli]) {
      const linted = await sh(join(BIN, 'publint'), ['--strict', tarball], ROOT);
      assert.equal(linted.code, 0, `${linted.stdout}${linted.stderr}`);
      assert.match(linted.stdout, /All good/);
    }
    // require() of this ESM package works from Node 20.19 on (require(esm),
    // engines.node); TypeScript's node16 mode still calls it import-only.
    const types = await sh(join(BIN, 'attw'), [tarballs.lib, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'], ROOT);
    assert.equal(types.code, 0, `${types.stdout}${types.stderr}`);
  });
});
