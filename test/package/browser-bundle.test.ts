// The browser entry as a bundler builds it: esbuild for the browser
// (`npm run build:browser` runs the same build into dist/bundle). It must hold
// no Node built-in and no undici, export the Node entry's names but the
// Node-only ones, and its size (minified, gzip) is printed for docs/RUNTIMES.md.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { SWIFT, unique } from '../helpers/env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the browser entry leaves out: local files (Node, Deno and Bun only). */
const NODE_ONLY = ['SwiftError', 'SwiftService', 'fileSource', 'parseSyncLocation'];

async function bundle(): Promise<{ code: string; metafile: Metafile }> {
  const result = await build({
    entryPoints: [`${ROOT}src/browser.ts`],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  return { code: result.outputFiles[0]?.text ?? '', metafile: result.metafile };
}

describe('browser bundle (esbuild --platform=browser --bundle --format=esm --minify)', () => {
  const built = bundle();

  test('holds no Node built-in and no undici', async () => {
    const { code, metafile } = await built;
    const inputs = Object.keys(metafile.inputs);
    assert.deepEqual(
      inputs.filter((path) => path.includes('node_modules/undici')),
      [],
    );
    const imports = Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    assert.deepEqual(
      imports.filter((path) => path.startsWith('node:') || path === 'undici' || path.startsWith('undici/')),
      [],
    );
    // nothing left for the page to resolve either (an external import would stay in the output)
    assert.doesNotMatch(code, /\b(?:from|import|require)\s*\(?\s*["'](?:node:|undici)/);
    assert.ok(inputs.some((path) => path.includes('node_modules/hash-wasm')), 'MD5 comes from hash-wasm');
  });

  test("exports the Node entry's names but the Node-only ones, plus nothing else", async () => {
    const { metafile } = await built;
    const output = Object.values(metafile.outputs)[0];
    const exported = [...(output?.exports ?? [])].sort();
    const node = Object.keys(await import('../../src/index.js'));
    assert.deepEqual(exported, node.filter((name) => !NODE_ONLY.includes(name)).sort());
  });

  // A page has neither Buffer nor process: the bundle is loaded with both
  // hidden (Buffer is put back after the load for Node's own fetch, which
  // needs it; the bundle has decided by then), so it runs as in a worker.
  test('runs against the real Swift with no Buffer and no process: bytes are Uint8Arrays, MD5 checked by hash-wasm', async () => {
    const { code } = await built;
    const dir = mkdtempSync(join(tmpdir(), 'swiftclient-bundle-'));
    try {
      writeFileSync(join(dir, 'bundle.mjs'), code);
      writeFileSync(join(dir, 'run.mjs'), RUN_WITHOUT_NODE_GLOBALS);
      const env = { ...process.env, ST_AUTH: SWIFT.authUrl, ST_USER: SWIFT.user, ST_KEY: SWIFT.key, CONTAINER: unique('bundle') };
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'run.mjs')], { env, cwd: dir });
      const seen = JSON.parse(stdout) as Record<string, unknown>;
      assert.deepEqual(seen, {
        globals: 'undefined undefined',
        bodyType: 'Uint8Array',
        text: 'héllo wörld ☃',
        chunks: 'Uint8Array:4,Uint8Array:4,Uint8Array:4,Uint8Array:4',
        names: ['big', 'ü ☃.txt'],
        bigIntact: true,
        etag: createHash('md5').update('héllo wörld ☃').digest('hex'),
        syncSigning: 'BAD_INPUT',
        asyncSigning: true,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the sources type-check under the DOM lib, as Deno's checker and a browser project's build see them", async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = [tsc, '-p', 'tsconfig.json', '--noEmit', '--lib', 'ES2023,DOM,DOM.Iterable'];
    const checked = await promisify(execFile)(process.execPath, args, { cwd: ROOT }).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    assert.equal(checked, '');
  });

  test('size, minified and gzip', async () => {
    const { code } = await built;
    const raw = Buffer.byteLength(code);
    const gzip = gzipSync(code, { level: 9 }).length;
    console.log(`browser bundle: ${(raw / 1024).toFixed(1)} KiB minified, ${(gzip / 1024).toFixed(1)} KiB gzip`);
    // a loose upper bound: a bundle pulling in a Node polyfill or undici would be far larger
    assert.ok(gzip < 100 * 1024, `gzip size ${gzip}`);
  });
});

const RUN_WITHOUT_NODE_GLOBALS = `
const out = {};
const { ST_AUTH, ST_USER, ST_KEY, CONTAINER } = process.env;
const auth = await fetch(ST_AUTH, { headers: { 'x-auth-user': ST_USER, 'x-auth-key': ST_KEY } });
const [url, token] = [auth.headers.get('x-storage-url'), auth.headers.get('x-auth-token')];
const buffer = globalThis.Buffer;
const proc = globalThis.process;
delete globalThis.Buffer;
delete globalThis.process;
out.globals = typeof globalThis.Buffer + ' ' + typeof globalThis.process;
const m = await import('./bundle.mjs');
globalThis.Buffer = buffer;
const conn = new m.Connection({ preauthUrl: url, preauthToken: token, retries: 1 });
try {
  await conn.putContainer(CONTAINER);
  const etag = await conn.putObject(CONTAINER, 'ü ☃.txt', 'héllo wörld ☃', { contentType: 'text/plain' });
  // checked against the MD5 hash-wasm computed of the bytes sent (a ChecksumError otherwise)
  out.etag = etag;
  const [, body] = await conn.getObject(CONTAINER, 'ü ☃.txt');
  out.bodyType = body.constructor.name;
  out.text = new TextDecoder().decode(body);
  const [, stream] = await conn.getObject(CONTAINER, 'ü ☃.txt', { respChunkSize: 4 });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk.constructor.name + ':' + chunk.length);
  out.chunks = chunks.slice(0, 4).join(',');
  const big = new Uint8Array(3 << 20).map((_, i) => (i * 7) % 251);
  await conn.putObject(CONTAINER, 'big', big);
  const [, back] = await conn.getObject(CONTAINER, 'big');
  out.bigIntact = back.length === big.length && back.every((v, i) => v === big[i]);
  const [, listing] = await conn.getContainer(CONTAINER);
  out.names = listing.map((e) => e.name);
  try {
    m.generateTempUrl('/v1/AUTH_a/c/o', 60, 'k', 'GET');
  } catch (err) {
    out.syncSigning = err.code;
  }
  out.asyncSigning = /temp_url_sig=[0-9a-f]{64}/.test(await m.generateTempUrlAsync('/v1/AUTH_a/c/o', 60, 'k', 'GET'));
} finally {
  for (const name of ['ü ☃.txt', 'big']) await conn.deleteObject(CONTAINER, name).catch(() => {});
  await conn.deleteContainer(CONTAINER).catch(() => {});
  globalThis.process = proc;
}
proc.stdout.write(JSON.stringify(out));
`;
