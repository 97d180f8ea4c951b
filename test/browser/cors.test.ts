// The browser infrastructure: a headless Chromium loads a page served on
// 127.0.0.1 and calls the real Swift and Keystone with fetch(), as the fetch
// transport will. Proves the CORS settings of scripts/swift-aio and
// scripts/keystone-aio: server-wide allowed origins, a container's own
// X-Container-Meta-Access-Control-Allow-Origin, exposed response headers, and
// Keystone's X-Subject-Token; results are asserted here, in Node.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Connection } from '../../src/index.js';
import { connect, purgeContainer, unique } from '../helpers/env.js';
import { launchChromium } from './chromium.js';
import { serveAllowedPage, serveOtherPage, type PageServer } from './page-server.js';

const KEYSTONE_URL = process.env.OS_AUTH_URL ?? 'http://127.0.0.1:5000/v3';
const KEYSTONE_PROXY = process.env.KS_PROXY_URL ?? 'http://127.0.0.1:8081';

/** What a page's fetch() saw: the status and the response headers it may read, or the error. */
interface Seen {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  error?: string;
}

/** fetch() from inside the page (so with its origin, CORS applied); never throws. */
function fetchInPage(page: Page, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Seen> {
  return page.evaluate(async ({ url, init }) => {
    try {
      const res = await fetch(url, init);
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return { status: res.status, headers, body: await res.text() };
    } catch (err) {
      return { error: String(err) };
    }
  }, { url, init });
}

const md5 = (data: string): string => createHash('md5').update(data).digest('hex');

let browser: Awaited<ReturnType<typeof launchChromium>>;
let allowed: PageServer;
let other: PageServer;
let allowedPage: Page;
let otherPage: Page;
let conn: Connection;
let token: string;
let storageUrl: string;
const containers: string[] = [];

before(async () => {
  conn = connect();
  [storageUrl, token] = await conn.getAuth();
  [allowed, other, browser] = await Promise.all([
    serveAllowedPage('<!doctype html><title>allowed origin</title>'),
    serveOtherPage('<!doctype html><title>other origin</title>'),
    launchChromium(),
  ]);
  allowedPage = await browser.context.newPage();
  otherPage = await browser.context.newPage();
  await allowedPage.goto(`${allowed.origin}/`);
  await otherPage.goto(`${other.origin}/`);
});

after(async () => {
  await browser?.close();
  await Promise.all([allowed?.close(), other?.close()]);
  for (const c of containers) await purgeContainer(conn, c);
  await conn?.close();
});

function newContainer(prefix: string): string {
  const name = unique(prefix);
  containers.push(name);
  return name;
}

describe('Swift CORS from a page on a server-wide allowed origin', () => {
  test('a container PUT, an object PUT and a GET with X-Auth-Token; the client\'s headers are readable', async () => {
    const c = newContainer('browser-cors');
    const put = await fetchInPage(allowedPage, `${storageUrl}/${c}`, { method: 'PUT', headers: { 'X-Auth-Token': token } });
    assert.equal(put.error, undefined);
    assert.equal(put.status, 201);

    const data = `from ${allowed.origin} ü`;
    const upload = await fetchInPage(allowedPage, `${storageUrl}/${c}/${encodeURIComponent('obj ü.txt')}`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': token, 'X-Object-Meta-Color': 'blue', 'Content-Type': 'text/plain; charset=utf-8' },
      body: data,
    });
    assert.equal(upload.status, 201);
    assert.equal(upload.headers?.etag, md5(data));

    // What Node sees is what the page sent.
    const [headers, body] = await conn.getObject(c, 'obj ü.txt');
    assert.equal(body.toString(), data);
    assert.equal(headers['x-object-meta-color'], 'blue');

    const got = await fetchInPage(allowedPage, `${storageUrl}/${c}/${encodeURIComponent('obj ü.txt')}`, { headers: { 'X-Auth-Token': token } });
    assert.equal(got.status, 200);
    assert.equal(got.body, data);
    assert.equal(got.headers?.etag, md5(data));
    assert.equal(got.headers?.['x-object-meta-color'], 'blue');
    assert.equal(got.headers?.['content-length'], String(Buffer.byteLength(data)));
    assert.ok(got.headers?.['x-timestamp'], 'X-Timestamp is exposed');

    const listing = await fetchInPage(allowedPage, `${storageUrl}/${c}?format=json`, { headers: { 'X-Auth-Token': token } });
    assert.equal(listing.status, 200);
    assert.deepEqual((JSON.parse(listing.body ?? '[]') as Array<{ name: string }>).map((o) => o.name), ['obj ü.txt']);
    assert.equal(listing.headers?.['x-container-object-count'], '1', 'cors_expose_headers adds the container counts');
  });

  test('an account request is out of reach: Swift answers its preflight without CORS headers', async () => {
    const seen = await fetchInPage(allowedPage, storageUrl, { headers: { 'X-Auth-Token': token } });
    assert.match(seen.error ?? '', /TypeError/);
    // The same request from Node (no Origin, no CORS) works: only the browser refuses it.
    assert.ok((await conn.headAccount())['x-account-container-count']);
  });
});

describe('Swift CORS from a page on another origin', () => {
  test('refused until the container allows the origin itself (X-Container-Meta-Access-Control-Allow-Origin)', async () => {
    const c = newContainer('browser-cors-meta');
    await conn.putContainer(c);
    await conn.putObject(c, 'o', 'container-level CORS');
    const url = `${storageUrl}/${c}/o`;

    const refused = await fetchInPage(otherPage, url, { headers: { 'X-Auth-Token': token } });
    assert.match(refused.error ?? '', /TypeError/, `${other.origin} is not allowed server-wide`);

    await conn.postContainer(c, {
      'X-Container-Meta-Access-Control-Allow-Origin': other.origin,
      'X-Container-Meta-Access-Control-Expose-Headers': 'X-Object-Meta-Mtime',
    });
    const got = await fetchInPage(otherPage, url, { headers: { 'X-Auth-Token': token } });
    assert.equal(got.error, undefined);
    assert.equal(got.status, 200);
    assert.equal(got.body, 'container-level CORS');
    assert.equal(got.headers?.etag, md5('container-level CORS'));
  });
});

describe('Keystone CORS', () => {
  test('a page logs in with a password and reads X-Subject-Token; the token works on the Keystone proxy', async () => {
    const body = JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'tester', password: 'testing', domain: { id: 'default' } } } },
        scope: { project: { name: 'test', domain: { id: 'default' } } },
      },
    });
    const seen = await fetchInPage(allowedPage, `${KEYSTONE_URL}/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    assert.equal(seen.error, undefined);
    assert.equal(seen.status, 201);
    const subject = seen.headers?.['x-subject-token'];
    assert.ok(subject, 'X-Subject-Token is exposed to the page');
    const catalog = (JSON.parse(seen.body ?? '{}') as { token: { catalog: Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }> } }).token.catalog;
    const swiftUrl = catalog.find((s) => s.type === 'object-store')?.endpoints.find((e) => e.interface === 'public')?.url;
    assert.ok(swiftUrl?.startsWith(KEYSTONE_PROXY), swiftUrl);

    // The page's token is a real one: Swift behind keystoneauth accepts it (from Node).
    const res = await fetch(swiftUrl as string, { method: 'HEAD', headers: { 'X-Auth-Token': subject } });
    assert.equal(res.status, 204);

    // And the page itself can use it on a container of the Keystone proxy.
    const c = unique('browser-ks');
    const put = await fetchInPage(allowedPage, `${swiftUrl}/${c}`, { method: 'PUT', headers: { 'X-Auth-Token': subject } });
    assert.equal(put.status, 201);
    const del = await fetchInPage(allowedPage, `${swiftUrl}/${c}`, { method: 'DELETE', headers: { 'X-Auth-Token': subject } });
    assert.equal(del.status, 204);
  });

  test('another origin gets no token', async () => {
    const seen = await fetchInPage(otherPage, `${KEYSTONE_URL}/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'tester', password: 'testing', domain: { id: 'default' } } } } } }),
    });
    assert.match(seen.error ?? '', /TypeError/);
  });
});


