// The library bundled into a Node application by esbuild, as a user ships a
// serverless function or a single-file tool: the bundle must carry undici
// (no run-time require of a package) and work from a directory with no
// node_modules within reach, in ES module and CommonJS output. Unbundled,
// the library loads undici's HTTP/1.1 client files, not undici's index and
// the fetch it loads (which made large downloads cost more GC).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { ensureBuilt } from '../helpers/build.js';
import { SWIFT } from '../helpers/env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// The built package, as an application's import of 'swiftclient' resolves it
// (its package.json's sideEffects keep the platform registration).
before(ensureBuilt);

const APP = `
import { Connection } from ${JSON.stringify(join(ROOT, 'dist/index.js'))};
const conn = new Connection({ authUrl: process.env.ST_AUTH, user: process.env.ST_USER, key: process.env.ST_KEY, retries: 0 });
try {
  const headers = await conn.headAccount();
  process.stdout.write('containers ' + headers['x-account-container-count'] + '\\n');
} finally {
  await conn.close();
}
`;

for (const format of ['esm', 'cjs'] as const) {
  test(`an esbuild --platform=node --format=${format} bundle of the library runs without node_modules`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swiftclient-node-bundle-'));
    try {
      const entry = join(dir, 'app.ts');
      // CommonJS has no top-level await: the same code in an async function
      writeFileSync(entry, format === 'esm' ? APP : APP.replace(/^const conn/m, 'void (async () => {\nconst conn') + '})();\n');
      const outfile = join(dir, format === 'esm' ? 'app.mjs' : 'app.cjs');
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format,
        outfile,
        logLevel: 'silent',
        absWorkingDir: ROOT,
        // esbuild's recipe for CommonJS packages (undici) in an ES module bundle: a real require
        ...(format === 'esm' ? { banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } } : {}),
      });
      const { stdout } = await promisify(execFile)(process.execPath, [outfile], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', ST_AUTH: SWIFT.authUrl, ST_USER: SWIFT.user, ST_KEY: SWIFT.key },
      });
      assert.match(stdout, /^containers \d+\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("the built library loads undici's HTTP/1.1 client files, not undici's index and its fetch", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swiftclient-node-imports-'));
  try {
    const app = join(dir, 'app.mjs');
    const probe = `
import { createRequire } from 'node:module';
const undici = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('/node_modules/undici/'));
process.stdout.write(JSON.stringify({ undici, builtins: process.moduleLoadList }) + '\\n');
`;
    writeFileSync(app, APP + probe);
    const { stdout } = await promisify(execFile)(process.execPath, [app], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ST_AUTH: SWIFT.authUrl, ST_USER: SWIFT.user, ST_KEY: SWIFT.key },
    });
    const [counted, loaded] = stdout.split('\n');
    assert.match(counted ?? '', /^containers \d+$/);
    const { undici, builtins } = JSON.parse(loaded ?? '') as { undici: string[]; builtins: string[] };
    const files = undici.map((path) => path.slice(path.indexOf('/node_modules/undici/') + '/node_modules/undici/'.length));
    assert.ok(files.includes('lib/dispatcher/agent.js'), files.join(' '));
    assert.deepEqual(files.filter((file) => file === 'index.js' || file.startsWith('lib/web/')), []);
    assert.ok(!builtins.includes('NativeModule internal/deps/undici/undici'), "Node's own undici (its fetch) is loaded");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
