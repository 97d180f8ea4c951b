// The browser entry as a bundler builds it: esbuild for the browser
// (`npm run build:browser` runs the same build into dist/bundle). It must hold
// no Node built-in and no undici, export the Node entry's names but the
// Node-only ones, and its size (minified, gzip) is printed for docs/RUNTIMES.md.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

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

  test('size, minified and gzip', async () => {
    const { code } = await built;
    const raw = Buffer.byteLength(code);
    const gzip = gzipSync(code, { level: 9 }).length;
    console.log(`browser bundle: ${(raw / 1024).toFixed(1)} KiB minified, ${(gzip / 1024).toFixed(1)} KiB gzip`);
    // a loose upper bound: a bundle pulling in a Node polyfill or undici would be far larger
    assert.ok(gzip < 100 * 1024, `gzip size ${gzip}`);
  });
});
