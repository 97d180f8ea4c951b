// Builds the published CLI: src/main.ts and everything it imports (the
// library, undici, commander...) bundled by esbuild into dist/, so the
// installed command loads a few files instead of ~250 modules (start-up
// CPU roughly halves; docs/PERFORMANCE.md "Start-up"). With code splitting,
// what only some commands need (the service's transfers, yaml,
// cli-progress) sits in chunks loaded by the first command that asks.
//
//   node build.mjs            dist/main.js + dist/chunks/*, and the licences
//                             of the bundled packages in dist/THIRD-PARTY-LICENSES
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8'));
const lib = JSON.parse(readFileSync(join(HERE, '../../package.json'), 'utf8'));
const out = join(HERE, 'dist');

/**
 * `undici` resolved to the library's undici-parts.js (src/http/undici-parts.ts): the dispatchers the CLI's
 * own code uses (src/info.ts) from undici's files, with their request()... methods, not undici's index,
 * which loads fetch, WebSocket, the mock agents and caches, and with them Node's zlib, worker_threads
 * and http2, most of a short command's start-up CPU. The library's own imports already take that file.
 */
function undiciLean() {
  return {
    name: 'undici-lean',
    setup(b) {
      b.onResolve({ filter: /^undici(\/index\.js)?$/ }, () => ({ path: join(HERE, '../../dist/http/undici-parts.js') }));
    },
  };
}

rmSync(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: HERE,
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // undici and commander are CommonJS: their require() of node: modules
  // needs a real require in an ES module.
  banner: { js: "import { createRequire as __swiftclientRequire } from 'node:module';\nconst require = __swiftclientRequire(import.meta.url);" },
  // The versions the library and the CLI read from their package.json next
  // to their own files, which a bundle no longer has.
  define: {
    SWIFTCLIENT_CLI_VERSION: JSON.stringify(pkg.version),
    SWIFTCLIENT_VERSION: JSON.stringify(lib.version),
  },
  // No identifier renaming: stack traces (--debug) keep their names.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [undiciLean()],
});

// MIT/ISC/Apache licences ask for their notice to travel with the code.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (match && !packages.has(match[2])) packages.set(match[2], join(HERE, match[1]));
}
const notices = [...packages].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `(no licence file; see the package's package.json: ${JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).license})`;
  return `${name} ${version}\n${'-'.repeat(name.length + version.length + 1)}\n${text}\n`;
});
writeFileSync(join(out, 'THIRD-PARTY-LICENSES'), `The bundled files in this directory contain code of these packages:\n\n${notices.join('\n')}`);
if (!existsSync(join(out, 'main.js'))) throw new Error('build: dist/main.js was not written');
