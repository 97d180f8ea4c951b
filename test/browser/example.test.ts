// examples/browser in Chromium, started by its one command: a file picked,
// uploaded with the progress bar, listed, downloaded back; Swift and the
// downloaded file are checked here, and a screenshot is saved in a temp dir
// (its path printed) for a person to look at.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Connection } from '../../src/index.js';
import { connect, purgeContainer, SWIFT, unique } from '../helpers/env.js';
import { launchChromium } from './chromium.js';
import { CORS_ORIGINS } from './page-server.js';

const SERVE = fileURLToPath(new URL('../../examples/browser/serve.mjs', import.meta.url));
const md5 = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');

let server: ChildProcess | undefined;
let conn: Connection;
let exampleUrl: string;
let browser: Awaited<ReturnType<typeof launchChromium>>;
const container = unique('browser-example');

/** Starts the example's server on the first free allowed origin; resolves to its URL. */
async function startExample(): Promise<string> {
  for (const origin of CORS_ORIGINS) {
    const child = spawn(process.execPath, [SERVE, '--port', new URL(origin).port], {
      env: { ...process.env, ST_AUTH: SWIFT.authUrl, ST_USER: SWIFT.user, ST_KEY: SWIFT.key },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const line = await Promise.race([once(lines, 'line').then(([l]) => l as string), once(child, 'exit').then(() => undefined)]);
    const url = line && /http:\/\/\S+\//.exec(line)?.[0];
    if (url) {
      server = child;
      return url;
    }
    if (!/EADDRINUSE/.test(stderr)) throw new Error(`examples/browser/serve.mjs failed: ${stderr}`);
  }
  throw new Error('every allowed page origin is in use');
}

before(async () => {
  conn = connect();
  let url: string;
  [url, browser] = await Promise.all([startExample(), launchChromium()]);
  exampleUrl = `${url}?container=${encodeURIComponent(container)}`;
});

after(async () => {
  await browser?.close();
  if (server?.exitCode === null) {
    server.kill();
    await once(server, 'exit');
  }
  await purgeContainer(conn, container);
  await purgeContainer(conn, `${container}_segments`);
  await conn?.close();
});

test('examples/browser: pick a file, upload with progress, list, download back; screenshot', async () => {
  const data = randomBytes(20 * 1024 * 1024 + 123);
  const name = 'beispiel ü.bin';
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(exampleUrl);
  await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Ready'), undefined, { timeout: 20_000 }).catch((err: unknown) => {
    throw new Error(`the example page did not start: ${errors.join('; ') || String(err)}`);
  });

  // The bar's values as the upload goes (recorded in the page, read afterwards).
  await page.evaluate(() => {
    const bar = document.getElementById('bar') as HTMLProgressElement;
    const values: number[] = [];
    (globalThis as { barValues?: number[] }).barValues = values;
    new MutationObserver(() => values.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ['value'] });
  });
  await page.setInputFiles('#file', { name, mimeType: 'application/octet-stream', buffer: data });
  await page.click('#upload');
  await page.waitForFunction(() => /^Uploaded|failed/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
  const status = await page.textContent('#status');
  assert.match(status ?? '', /^Uploaded beispiel ü\.bin: 20,971,643 bytes as 3 segments$/);
  const bar = await page.evaluate(() => (globalThis as { barValues?: number[] }).barValues ?? []);
  assert.ok(bar.length > 3, `progress bar moved in steps: ${bar.length}`);
  assert.equal(bar.at(-1), 1);
  await page.waitForSelector(`#list td.name:text-is("${name}")`);
  assert.deepEqual(await page.$$eval('#list td.name', (cells) => cells.map((c) => c.textContent)), [name]);

  const dir = await fsp.mkdtemp(join(tmpdir(), 'swiftclient-example-'));
  const shot = join(dir, 'example-page.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`# screenshot of the example page: ${shot}`);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#list button')]);
  const saved = join(dir, 'downloaded.bin');
  await download.saveAs(saved);
  assert.equal(download.suggestedFilename(), name);
  assert.equal(md5(await fsp.readFile(saved)), md5(data));
  await fsp.rm(saved);

  // What Swift holds: an SLO of the file's bytes.
  const [headers, body] = await conn.getObject(container, name);
  assert.equal(headers['x-static-large-object'], 'True');
  assert.equal(md5(body), md5(data));
  assert.deepEqual(errors, []);
});
