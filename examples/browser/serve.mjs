#!/usr/bin/env node
// The browser example's server: builds the library's browser bundle from the
// sources (esbuild), serves the page on 127.0.0.1 (the first free of the
// origins the local Swift allows, 8090-8093), and hands the page a Swift
// token from /session: the page's own server logs in (tempauth here) and the
// browser never sees a password.
//
//   npm run example:browser            # then open the printed URL
//   node examples/browser/serve.mjs --port 8091
//
// Swift: ST_AUTH, ST_USER, ST_KEY (default: the local scripts/swift-aio).
import { build } from 'esbuild';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const AUTH = process.env.ST_AUTH ?? 'http://127.0.0.1:8080/auth/v1.0';
const USER = process.env.ST_USER ?? 'test:tester';
const KEY = process.env.ST_KEY ?? 'testing';
const portArg = process.argv.indexOf('--port');
const PORTS = portArg > 0 ? [Number(process.argv[portArg + 1])] : [8090, 8091, 8092, 8093];

const bundle = (
  await build({ entryPoints: [here('../../src/browser.ts')], bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, logLevel: 'warning' })
).outputFiles[0].text;
const files = {
  '/': ['text/html; charset=utf-8', await readFile(here('index.html'))],
  '/app.js': ['text/javascript', await readFile(here('app.js'))],
  '/swiftclient.js': ['text/javascript', bundle],
};

/** A token for the page (tempauth's v1 login; any auth the server trusts would do). */
async function session() {
  const res = await fetch(AUTH, { headers: { 'X-Auth-User': USER, 'X-Auth-Key': KEY } });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`login to ${AUTH} failed: ${res.status}`);
  return { storageUrl: res.headers.get('x-storage-url'), token: res.headers.get('x-auth-token') };
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://page').pathname;
  try {
    if (path === '/session') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(await session()));
      return;
    }
    const file = files[path];
    if (file) res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
    else res.writeHead(404).end();
  } catch (err) {
    res.writeHead(502, { 'content-type': 'text/plain' }).end(String(err));
  }
});

for (const port of PORTS) {
  server.listen(port, '127.0.0.1');
  try {
    await once(server, 'listening');
    break;
  } catch (err) {
    if (err.code !== 'EADDRINUSE' || port === PORTS.at(-1)) throw err;
  }
}
console.log(`swiftclient browser example: http://127.0.0.1:${server.address().port}/ (bundle ${(bundle.length / 1024).toFixed(0)} KiB, Swift ${AUTH})`);
