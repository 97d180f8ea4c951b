// The library itself in a headless Chromium: a page on an allowed origin
// imports the browser bundle (built from the sources for this run) and runs
// against the real Swift and Keystone; what it did is asserted here, in Node,
// and checked again through a Node Connection (the bytes Swift stored, the
// segments left behind).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { setContainerTempUrlKey, type Connection } from '../../src/index.js';
import { connect, purgeContainer, unique } from '../helpers/env.js';
import { browserBundle } from './bundle.js';
import { launchChromium } from './chromium.js';
import { serveAllowedPage, type PageServer } from './page-server.js';

const KEYSTONE_URL = process.env.OS_AUTH_URL ?? 'http://127.0.0.1:5000/v3';
const KEYSTONE_PROXY = process.env.KS_PROXY_URL ?? 'http://127.0.0.1:8081';
const MiB = 1 << 20;
const BIG = 40 * MiB;
const SEGMENT = 4 * MiB;

const md5 = (data: Uint8Array | string): string => createHash('md5').update(data).digest('hex');

// The page: the bundle as `window.sc` (the Node entry's types describe it).
const PAGE = `<!doctype html><meta charset="utf-8"><title>swiftclient in Chromium</title>
<script type="module">
import * as sc from '/swiftclient.js';
window.sc = sc;
window.loaded = true;
</script>`;
type Library = typeof import('../../src/browser.js');
declare global {
  // eslint-disable-next-line no-var
  var sc: Library;
}

let browser: Awaited<ReturnType<typeof launchChromium>>;
let site: PageServer;
let page: Page;
let conn: Connection;
let token: string;
let storageUrl: string;
const big = randomBytes(BIG);
/** Bodies the page POSTed back, by path. */
const posted = new Map<string, Buffer>();
const containers: string[] = [];

function newContainer(prefix: string): string {
  const name = unique(prefix);
  containers.push(name, `${name}_segments`);
  return name;
}

before(async () => {
  conn = connect();
  [storageUrl, token] = await conn.getAuth();
  const bundle = await browserBundle();
  [site, browser] = await Promise.all([
    serveAllowedPage({
      files: {
        '/': { type: 'text/html; charset=utf-8', body: PAGE },
        '/swiftclient.js': { type: 'text/javascript', body: bundle },
        '/big.bin': { type: 'application/octet-stream', body: big },
      },
      onPost: (path, body) => posted.set(path, body),
    }),
    launchChromium(),
  ]);
  page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${site.origin}/`);
  await page.waitForFunction(() => (globalThis as { loaded?: boolean }).loaded === true, undefined, { timeout: 20_000 }).catch((err: unknown) => {
    throw new Error(`the bundle did not load: ${errors.join('; ') || String(err)}`);
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
  for (const c of containers) await purgeContainer(conn, c);
  await conn?.close();
});

describe('swiftclient in Chromium', () => {
  test('a token handed in by the page\'s server: container and object round trips with Unicode names and metadata', async () => {
    const c = newContainer('browser-lib-ü');
    const name = 'ö/雪 ü.txt';
    const text = 'grüße ❄ from the page';
    const seen = await page.evaluate(
      async ({ storageUrl, token, c, name, text }) => {
        const conn = new sc.Connection({ preauthUrl: storageUrl, preauthToken: token });
        await conn.putContainer(c, { meta: { Zweck: 'test ü' } });
        const etag = await conn.putObject(c, name, text, { contentType: 'text/plain; charset=utf-8', meta: { Farbe: 'blau ü' } });
        await conn.putObject(c, 'zweites ✓', new Uint8Array([1, 2, 3]));
        const [headers, body] = await conn.getObject(c, name);
        const [, listing] = await conn.getContainer(c);
        const info = await conn.statContainer(c);
        await conn.deleteObject(c, 'zweites ✓');
        const names: string[] = [];
        for await (const entry of conn.listObjects(c)) names.push(entry.name);
        return {
          etag,
          text: new TextDecoder().decode(body),
          bodyIsUint8Array: body instanceof Uint8Array,
          meta: headers['x-object-meta-farbe'],
          listed: listing.map((o) => o.name),
          containerMeta: info.meta.zweck,
          objectCount: info.objectCount,
          afterDelete: names,
        };
      },
      { storageUrl, token, c, name, text },
    );
    assert.equal(seen.etag, md5(text));
    assert.equal(seen.text, text);
    assert.equal(seen.bodyIsUint8Array, true);
    assert.equal(seen.meta, 'blau ü');
    assert.deepEqual(seen.listed.sort(), [name, 'zweites ✓'].sort());
    assert.equal(seen.containerMeta, 'test ü');
    assert.equal(seen.objectCount, 2);
    assert.deepEqual(seen.afterDelete, [name]);
    // What Swift stored, seen from Node.
    const [headers, body] = await conn.getObject(c, name);
    assert.equal(body.toString(), text);
    assert.equal(headers['x-object-meta-farbe'], 'blau ü');
  });

  test("the User-Agent Swift logs is the browser's own: neither the userAgent option nor a User-Agent header goes out, and the requests succeed", async () => {
    const c = newContainer('browser-lib-ua');
    const length = await page.evaluate(
      async ({ storageUrl, token, c }) => {
        const conn = new sc.Connection({ preauthUrl: storageUrl, preauthToken: token, userAgent: 'option-agent/1' });
        await conn.putContainer(c);
        await conn.putObject(c, 'ua.txt', 'agent', { headers: { 'User-Agent': 'header-agent/1' } });
        const info = await conn.headObject(c, 'ua.txt', { headers: { 'user-agent': 'header-agent/2' } });
        return info['content-length'];
      },
      { storageUrl, token, c },
    );
    assert.equal(length, '5');
    // Swift's proxy-logging line: `proxy-server: client remote date METHOD path protocol status referer user-agent ...`
    const log = join(process.env.SWIFT_AIO_LOG_DIR ?? '/dev/shm/swiftclient-aio/log', 'proxy.log');
    const path = `/v1/AUTH_test/${c}/ua.txt`;
    const logged = async (): Promise<string[][]> => {
      for (let waited = 0; waited < 100; waited++) {
        const lines = readFileSync(log, 'utf8').split('\n').map((line) => line.split(' ')).filter((f) => f[0] === 'proxy-server:' && f[5] === path && f[4] !== 'OPTIONS');
        if (lines.length >= 2) return lines;
        await sleep(100); // the proxy writes its line after the answer
      }
      return [];
    };
    const lines = await logged();
    assert.deepEqual(lines.map((f) => `${f[4]} ${f[7]}`), ['PUT 201', 'HEAD 200']);
    for (const f of lines) {
      const agent = decodeURIComponent(f[9] ?? '');
      assert.match(agent, /Chrome\//, agent);
      assert.doesNotMatch(agent, /option-agent|header-agent|swiftclient/, agent);
    }
  });

  test('Keystone v3 login from the page; the catalog\'s Swift takes its token', async () => {
    const c = unique('browser-lib-ks');
    const seen = await page.evaluate(
      async ({ authUrl, c }) => {
        const conn = new sc.Connection({
          authUrl,
          user: 'tester',
          key: 'testing',
          authVersion: '3',
          osOptions: { projectName: 'test', projectDomainName: 'Default', userDomainName: 'Default', regionName: 'RegionOne' },
        });
        const [url, token] = await conn.getAuth();
        await conn.putContainer(c);
        await conn.putObject(c, 'ключ ✓', 'данные');
        const [, body] = await conn.getObject(c, 'ключ ✓');
        await conn.deleteObject(c, 'ключ ✓');
        await conn.deleteContainer(c);
        return { url, tokenLength: token.length, text: new TextDecoder().decode(body) };
      },
      { authUrl: KEYSTONE_URL, c },
    );
    assert.ok(seen.url.startsWith(`${KEYSTONE_PROXY}/v1/AUTH_`), seen.url);
    assert.ok(seen.tokenLength > 20);
    assert.equal(seen.text, 'данные');
  });

  test('no answer in a page, a CORS refusal or a server down, is a NetworkError whose message names both causes', async () => {
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v1/AUTH_x`;
    closed.close();
    await once(closed, 'close');
    const seen = await page.evaluate(
      async ({ storageUrl, token, downUrl }) => {
        const failure = async (conn: InstanceType<typeof sc.Connection>) => {
          try {
            await conn.headAccount();
            return 'answered';
          } catch (err) {
            return `${err instanceof sc.NetworkError} ${(err as { code?: string }).code} ${(err as Error).message}`;
          }
        };
        return {
          // Swift 2.30 answers an account's preflight without CORS headers
          cors: await failure(new sc.Connection({ preauthUrl: storageUrl, preauthToken: token, retries: 0 })),
          down: await failure(new sc.Connection({ preauthUrl: downUrl, preauthToken: 't', retries: 0 })),
        };
      },
      { storageUrl, token, downUrl },
    );
    for (const message of [seen.cors, seen.down]) {
      assert.match(message, /^true NETWORK Account HEAD failed: Failed to fetch .*unreachable.*CORS/, message);
    }
  });

  test('a 40 MiB Blob as an SLO of 4 MiB segments with progress; downloaded back to a Blob, MD5 compared here', async () => {
    const c = newContainer('browser-lib-big');
    const name = 'große Datei.bin';
    const seen = await page.evaluate(
      async ({ storageUrl, token, c, name, segmentSize }) => {
        const conn = new sc.Connection({ preauthUrl: storageUrl, preauthToken: token });
        const blob = await (await fetch('/big.bin')).blob();
        const progress: number[] = [];
        const results: string[] = [];
        const result = await sc.uploadBlob(conn, c, name, blob, {
          segmentSize,
          segmentThreads: 4,
          onProgress: (e) => progress.push(e.bytesDone),
          onResult: (r) => results.push(`${r.action}:${String(r.success)}`),
        });
        const { info, body } = await conn.openObject(c, name);
        const down = await body.blob();
        await fetch('/downloaded', { method: 'POST', body: down });
        return {
          bytes: result.bytes,
          largeObject: result.largeObject,
          segments: (result.segmentResults ?? []).map((s) => ({ index: s.segmentIndex, etag: s.segmentEtag, size: s.segmentSize })),
          progress,
          results,
          length: info.contentLength,
          downloaded: down.size,
        };
      },
      { storageUrl, token, c, name, segmentSize: SEGMENT },
    );
    assert.equal(seen.bytes, BIG);
    assert.equal(seen.largeObject, true);
    assert.equal(seen.segments.length, BIG / SEGMENT);
    for (const s of seen.segments) assert.equal(s.etag, md5(big.subarray(s.index * SEGMENT, (s.index + 1) * SEGMENT)), `segment ${s.index}`);
    assert.equal(seen.results.filter((r) => r === 'upload_segment:true').length, BIG / SEGMENT);
    assert.equal(seen.progress[0], 0);
    assert.equal(seen.progress.at(-1), BIG);
    assert.ok(seen.progress.length > BIG / SEGMENT, `progress events: ${seen.progress.length}`);
    assert.equal(seen.length, BIG);
    assert.equal(seen.downloaded, BIG);
    assert.equal(md5(posted.get('/downloaded') ?? ''), md5(big));
    const head = await conn.headObject(c, name);
    assert.equal(head['x-static-large-object'], 'True');
  });

  test('a temp URL GET signed in the page (Web Crypto, async); a forged one is refused', async () => {
    const c = newContainer('browser-lib-tempurl');
    await conn.putContainer(c);
    await conn.putObject(c, 'geheim ü.txt', 'temp url body');
    const key = `k-${randomBytes(8).toString('hex')}`;
    await setContainerTempUrlKey(conn, c, key);
    const path = `${new URL(storageUrl).pathname}/${c}/geheim ü.txt`;
    const seen = await page.evaluate(
      async ({ origin, path, key }) => {
        const signed = await sc.generateTempUrlAsync(path, 60, key, 'GET');
        const good = await fetch(`${origin}${signed}`);
        return { signed, status: good.status, text: await good.text() };
      },
      { origin: new URL(storageUrl).origin, path, key },
    );
    assert.match(seen.signed, /temp_url_sig=[0-9a-f]{64}&temp_url_expires=\d+$/);
    assert.equal(seen.status, 200);
    assert.equal(seen.text, 'temp url body');
    // Swift's 401 for a bad signature carries no CORS headers, so a page cannot read it: checked from here.
    const forged = await fetch(`${new URL(storageUrl).origin}${seen.signed.replace(/temp_url_sig=[0-9a-f]{4}/, 'temp_url_sig=0000')}`);
    assert.equal(forged.status, 401);
  });

  test('a form POST signed in the page uploads a file the page made', async () => {
    const c = newContainer('browser-lib-form');
    await conn.putContainer(c);
    const key = `f-${randomBytes(8).toString('hex')}`;
    await setContainerTempUrlKey(conn, c, key);
    const path = `${new URL(storageUrl).pathname}/${c}/form/`;
    const seen = await page.evaluate(
      async ({ origin, path, key }) => {
        const form = await sc.generateFormPostAsync({ path, key, seconds: 60, maxFileSize: 1000, maxFileCount: 1 });
        const data = new FormData();
        for (const [field, value] of form.fields) data.append(field, value);
        data.append('file', new Blob(['posted from a form ✓'], { type: 'text/plain' }), 'datei ü.txt');
        // A form submission is a "simple" cross-origin request: the page
        // may send it, and reads no answer (Swift's formpost adds no CORS headers).
        const res = await fetch(`${origin}${form.action}`, { method: 'POST', body: data, mode: 'no-cors' });
        return { type: res.type };
      },
      { origin: new URL(storageUrl).origin, path, key },
    );
    assert.equal(seen.type, 'opaque');
    const [, body] = await conn.getObject(c, 'form/datei ü.txt');
    assert.equal(body.toString(), 'posted from a form ✓');
  });

  test('an abort: the upload rejects with the page\'s reason and leaves nothing; a download stops mid-body', async () => {
    const c = newContainer('browser-lib-abort');
    const seen = await page.evaluate(
      async ({ storageUrl, token, c, segmentSize }) => {
        const conn = new sc.Connection({ preauthUrl: storageUrl, preauthToken: token });
        const blob = await (await fetch('/big.bin')).blob();
        const controller = new AbortController();
        let upload: string;
        try {
          await sc.uploadBlob(conn, c, 'abgebrochen', blob, {
            segmentSize,
            segmentThreads: 2,
            signal: controller.signal,
            onResult: (r) => {
              if (r.action === 'upload_segment') controller.abort(new DOMException('cancelled by the user', 'AbortError'));
            },
          });
          upload = 'resolved';
        } catch (err) {
          upload = `${(err as Error).name}: ${(err as Error).message}`;
        }
        await conn.putObject(c, 'whole', blob.slice(0, 8 * 1024 * 1024));
        const reading = new AbortController();
        const { body } = await conn.openObject(c, 'whole', { signal: reading.signal, chunkSize: 65536 });
        const first = await body.read(65536);
        reading.abort();
        let download: string;
        try {
          await body.bytes();
          download = 'resolved';
        } catch (err) {
          download = (err as Error).name;
        }
        return { upload, firstBytes: first.length, download };
      },
      { storageUrl, token, c, segmentSize: SEGMENT },
    );
    assert.equal(seen.upload, 'AbortError: cancelled by the user');
    assert.equal(seen.firstBytes, 65536);
    assert.equal(seen.download, 'AbortError');
    await assert.rejects(conn.headObject(c, 'abgebrochen'), (err: Error & { httpStatus?: number }) => err.httpStatus === 404);
    const [, segments] = await conn.getContainer(`${c}_segments`);
    assert.deepEqual(segments, [], 'the aborted upload removed the segments it stored');
  });
});
