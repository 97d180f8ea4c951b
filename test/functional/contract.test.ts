// API.md behaviours beyond the python port, checked against the local Swift.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ChecksumError, ClientException, Connection, quote, setDebugLog, type ObjectBody, type ResponseDict } from '../../src/index.js';
import { startCutProxy } from '../helpers/cut-proxy.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { SWIFT, connect, purgeContainer, unique } from '../helpers/env.js';

const md5 = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');

let conn: Connection;
let storageUrl: string;
let token: string;
/** Every container this file creates, purged in after(). */
const created: string[] = [];

async function newContainer(suffix = '', headers?: Record<string, string>): Promise<string> {
  const name = `${unique('contract')}${suffix}`;
  created.push(name);
  await conn.putContainer(name, headers ? { headers } : {});
  return name;
}

before(async () => {
  conn = connect();
  [storageUrl, token] = await conn.getAuth();
});

after(async () => {
  for (const name of created) await purgeContainer(conn, name);
  await conn.close();
});

/** Checks that calling fn neither throws nor returns anything but a rejecting Promise. */
async function rejectsAsync(fn: () => unknown, check?: (err: unknown) => boolean): Promise<unknown> {
  let result: unknown;
  assert.doesNotThrow(() => {
    result = fn();
  }, 'threw synchronously');
  assert.ok(result instanceof Promise, 'did not return a Promise');
  let caught: unknown;
  await assert.rejects(result as Promise<unknown>, (err: unknown) => {
    caught = err;
    return check ? check(err) : true;
  });
  return caught;
}

describe('names are quoted correctly', () => {
  const OBJECT_NAMES = [
    'with space',
    'per%cent',
    '%25already-quoted',
    'question?mark',
    'hash#tag',
    'plus+sign',
    'amp&equals=',
    'semi;colon,comma',
    "quotes'\"",
    'back\\slash',
    'ünï©ødé 👍 ت',
    '/leading-slash',
    '//double/leading',
    'dir/sub/obj',
    'trailing/',
    'tilde~star*paren()',
  ];
  let container: string;

  before(async () => {
    container = await newContainer(' ü%?#+& x');
  });

  test('a container name with Unicode, spaces, %, ?, #, + works', async () => {
    const headers = await conn.headContainer(container);
    assert.equal(headers['x-container-object-count'], '0');
    const [, containers] = await conn.getAccount({ prefix: container });
    assert.deepEqual(
      containers.map((c) => c.name),
      [container],
    );
  });

  for (const name of OBJECT_NAMES) {
    test(`object ${JSON.stringify(name)} round-trips, is listed, copied and deleted`, async () => {
      const data = Buffer.from(`contents of ${name}`);
      const etag = await conn.putObject(container, name, data);
      assert.equal(etag, md5(data));
      const [, body] = await conn.getObject(container, name);
      assert.ok(body.equals(data));
      const hdrs = await conn.headObject(container, name);
      assert.equal(hdrs['content-length'], String(data.length));
      const [, listing] = await conn.getContainer(container, { prefix: name });
      assert.ok(
        listing.some((o) => o.name === name),
        `${JSON.stringify(name)} not listed: ${JSON.stringify(listing.map((o) => o.name))}`,
      );

      // copy: the Destination header is quoted too
      const copyName = `${name}~copy`;
      await conn.copyObject(container, name, { destination: `/${container}/${copyName}` });
      const [, copied] = await conn.getObject(container, copyName);
      assert.ok(copied.equals(data));

      await conn.deleteObject(container, copyName);
      await conn.deleteObject(container, name);
      await assert.rejects(conn.headObject(container, name), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);
    });
  }

  test('the error path shows the quoted URL', async () => {
    const name = 'missing ?#%+ü';
    const err = await rejectsAsync(() => conn.getObject(container, name));
    assert.ok(err instanceof ClientException);
    const basePath = new URL(storageUrl).pathname;
    const expectedPath = `${basePath}/${quote(container)}/${quote(name)}`;
    assert.equal(err.httpPath, expectedPath);
    assert.equal(err.httpQuery, '');
    assert.ok(err.message.includes(expectedPath));
    assert.ok(expectedPath.includes('%3F%23%25%2B%C3%BC'));
  });

  test('a 1024-byte object name works, 1025 bytes is rejected', async () => {
    const longName = `${'é'.repeat(511)}xy`; // 1022 + 2 bytes
    assert.equal(Buffer.byteLength(longName), 1024);
    await conn.putObject(container, longName, 'long');
    const [, body] = await conn.getObject(container, longName);
    assert.equal(body.toString(), 'long');
    await conn.copyObject(container, longName, { destination: `/${container}/short-copy` });
    assert.equal((await conn.getObject(container, 'short-copy'))[1].toString(), 'long');

    const tooLong = `${longName}z`;
    assert.equal(Buffer.byteLength(tooLong), 1025);
    await rejectsAsync(() => conn.putObject(container, tooLong, 'x'), (err) => err instanceof ClientException && /\b1024-byte limit\b/.test(err.message));
    const [, listing] = await conn.getContainer(container, { prefix: 'é' });
    assert.deepEqual(
      listing.map((o) => o.name),
      [longName],
    );
    await conn.deleteObject(container, longName);
    await conn.deleteObject(container, 'short-copy');
  });
});

describe('headers', () => {
  let container: string;
  before(async () => {
    container = await newContainer();
  });

  test('response header names are lower-case everywhere', async () => {
    await conn.putObject(container, 'h', 'x', { headers: { 'X-Object-Meta-MixedCase': 'Value' } });
    const rd: ResponseDict = {};
    const [getHeaders] = await conn.getObject(container, 'h', { responseDict: rd });
    const all = [
      await conn.headAccount(),
      (await conn.getAccount({ limit: 1 }))[0],
      await conn.headContainer(container),
      (await conn.getContainer(container))[0],
      await conn.headObject(container, 'h'),
      getHeaders,
      rd.headers ?? {},
    ];
    for (const headers of all) {
      assert.ok(Object.keys(headers).length > 3);
      for (const key of Object.keys(headers)) assert.equal(key, key.toLowerCase());
    }
    assert.equal(getHeaders['x-object-meta-mixedcase'], 'Value');
    assert.ok(getHeaders.etag && getHeaders['x-trans-id']);
  });

  test('Unicode header values go out and come back as UTF-8', async () => {
    const value = 'ü ت 👍 «quoted»';
    await conn.postObject(container, 'h', { 'x-object-meta-uni': value });
    const hdrs = await conn.headObject(container, 'h');
    assert.equal(hdrs['x-object-meta-uni'], value);
    await conn.postContainer(container, { 'x-container-meta-uni': value });
    assert.equal((await conn.headContainer(container))['x-container-meta-uni'], value);
  });

  for (const [label, value] of [
    ['CR LF', 'evil\r\nx-object-meta-injected: yes'],
    ['LF', 'evil\nx-object-meta-injected: yes'],
    ['CR', 'evil\rmore'],
    ['NUL', 'evil\u0000more'],
  ] as const) {
    test(`${label} in a header value is refused before anything is sent`, async () => {
      const name = `crlf-${label.replace(/\W/g, '')}`;
      await rejectsAsync(
        () => conn.putObject(container, name, 'data', { headers: { 'x-object-meta-bad': value } }),
        (err) => err instanceof Error && err.message.includes('x-object-meta-bad'),
      );
      await assert.rejects(conn.headObject(container, name), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);

      const badContainer = `${container}-${name}`;
      await rejectsAsync(
        () => conn.putContainer(badContainer, { headers: { 'x-container-meta-bad': value } }),
        (err) => err instanceof Error && err.message.includes('x-container-meta-bad'),
      );
      await assert.rejects(conn.headContainer(badContainer), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);
    });
  }

  test('a bad value on a POST leaves the existing metadata unchanged', async () => {
    await conn.postObject(container, 'h', { 'x-object-meta-color': 'blue' });
    await rejectsAsync(
      () => conn.postObject(container, 'h', { 'x-object-meta-color': 'red', 'x-object-meta-evil': 'a\r\nb' }),
      (err) => err instanceof Error && err.message.includes('x-object-meta-evil'),
    );
    assert.equal((await conn.headObject(container, 'h'))['x-object-meta-color'], 'blue');
  });

  test('header names that are not HTTP tokens are refused, naming the header', async () => {
    await conn.postObject(container, 'h', { 'x-object-meta-color': 'green' });
    for (const name of ['x-object-meta-ü', 'x-object-meta-with space', 'x-object-meta-a\r\nb', 'x-object-meta-(x)']) {
      await rejectsAsync(
        () => conn.postObject(container, 'h', { 'x-object-meta-color': 'red', [name]: 'v' }),
        // the name as given, or JSON-escaped when it holds control characters
        (err) => err instanceof Error && (err.message.includes(name) || err.message.includes(JSON.stringify(name))),
      );
    }
    await rejectsAsync(() => conn.postObject(container, 'h', { '': 'v' }), (err) => err instanceof Error);
    assert.equal((await conn.headObject(container, 'h'))['x-object-meta-color'], 'green');
  });

  test('numbers and booleans are sent as their string forms', async () => {
    await conn.postContainer(container, { 'x-container-meta-n': 123, 'x-container-meta-f': 45.67, 'x-container-meta-b': true });
    const hdrs = await conn.headContainer(container);
    assert.equal(hdrs['x-container-meta-n'], '123');
    assert.equal(hdrs['x-container-meta-f'], '45.67');
    assert.equal(hdrs['x-container-meta-b'], 'true');
  });
});

describe('responseDict', () => {
  let container: string;
  before(async () => {
    container = await newContainer();
  });

  function checkDict(rd: ResponseDict, status: number, reason: string): void {
    assert.equal(rd.status, status);
    assert.equal(rd.reason, reason);
    assert.ok(rd.headers && typeof rd.headers['x-trans-id'] === 'string', 'headers missing');
    assert.ok(Array.isArray(rd.responseDicts) && rd.responseDicts.length >= 1, 'responseDicts missing');
    const last = rd.responseDicts[rd.responseDicts.length - 1] as ResponseDict;
    assert.equal(last.status, status);
    assert.equal(last.reason, reason);
  }

  test('is filled by every write and by getObject', async () => {
    let rd: ResponseDict = {};
    await conn.putContainer(`${container}-rd`, { responseDict: rd });
    created.push(`${container}-rd`);
    checkDict(rd, 201, 'Created');

    rd = {};
    await conn.postContainer(container, { 'x-container-meta-a': '1' }, { responseDict: rd });
    checkDict(rd, 204, 'No Content');

    rd = {};
    const etag = await conn.putObject(container, 'o', 'hello', { responseDict: rd });
    checkDict(rd, 201, 'Created');
    assert.equal(rd.headers?.etag, etag);

    rd = {};
    await conn.postObject(container, 'o', { 'x-object-meta-a': '1' }, { responseDict: rd });
    checkDict(rd, 202, 'Accepted');

    rd = {};
    await conn.copyObject(container, 'o', { destination: `/${container}/o2`, responseDict: rd });
    checkDict(rd, 201, 'Created');

    rd = {};
    const [, body] = await conn.getObject(container, 'o2', { responseDict: rd });
    assert.equal(body.toString(), 'hello');
    checkDict(rd, 200, 'OK');
    assert.equal(rd.headers?.['content-length'], '5');

    rd = {};
    await conn.deleteObject(container, 'o2', { responseDict: rd });
    checkDict(rd, 204, 'No Content');

    rd = {};
    await conn.postAccount({}, { responseDict: rd });
    checkDict(rd, 204, 'No Content');

    rd = {};
    await conn.deleteContainer(`${container}-rd`, { responseDict: rd });
    checkDict(rd, 204, 'No Content');
  });

  test('is filled on failure too', async () => {
    const rd: ResponseDict = {};
    await assert.rejects(conn.deleteObject(container, 'missing', { responseDict: rd }));
    checkDict(rd, 404, 'Not Found');
  });
});

describe('preauth and public fields', () => {
  test('preauthUrl + preauthToken work without any credentials', async () => {
    const c = new Connection({ preauthUrl: storageUrl, preauthToken: token });
    try {
      const container = unique('contract-preauth');
      created.push(container);
      await c.putContainer(container);
      await c.putObject(container, 'o', 'preauth');
      const [, body] = await c.getObject(container, 'o');
      assert.equal(body.toString(), 'preauth');
      assert.equal(c.url, storageUrl);
      assert.equal(c.token, token);
      assert.equal(c.attempts, 1);
    } finally {
      await c.close();
    }
  });

  test('without credentials a 401 is raised after one try', async () => {
    const c = new Connection({ preauthUrl: storageUrl, preauthToken: 'AUTH_tkNotAValidToken000000000000', retries: 2 });
    try {
      await assert.rejects(c.headAccount(), (err: unknown) => err instanceof ClientException && err.httpStatus === 401);
      assert.equal(c.attempts, 1);
    } finally {
      await c.close();
    }
  });

  test('url, token and attempts are public and settable', async () => {
    const c = new Connection({ startingBackoff: 0.01 });
    try {
      assert.equal(c.url, undefined);
      assert.equal(c.token, undefined);
      c.url = storageUrl;
      c.token = token;
      const headers = await c.headAccount();
      assert.ok(headers['x-account-container-count']);
      assert.equal(c.attempts, 1);
      c.attempts = 42;
      assert.equal(c.attempts, 42);
      await c.headAccount();
      assert.equal(c.attempts, 1);

      // the URL really is the one used: point it at another account
      c.url = storageUrl.replace(/AUTH_[^/]+$/, 'AUTH_test2');
      await assert.rejects(c.headAccount(), (err: unknown) => {
        assert.ok(err instanceof ClientException);
        assert.equal(err.httpStatus, 403);
        assert.ok(err.httpPath.endsWith('/AUTH_test2'));
        return true;
      });
    } finally {
      await c.close();
    }
  });

  test('a token set on an authenticating connection is used, and a bad one is renewed', async () => {
    const c = connect();
    try {
      c.token = 'AUTH_tkInvalid';
      c.url = storageUrl;
      await c.headAccount();
      assert.equal(c.attempts, 2);
      assert.equal(c.token, token); // tempauth hands out the same token again
    } finally {
      await c.close();
    }
  });
});

describe('listings', () => {
  const NAMES = ['a', 'b/1', 'b/2', 'c', 'd/x/y', 'e', 'f'];
  let container: string;
  let prefix: string;
  const names = (entries: Array<{ name?: string; subdir?: string }>): string[] => entries.map((e) => e.name ?? `subdir:${e.subdir}`);

  before(async () => {
    container = await newContainer();
    await Promise.all(NAMES.map((n) => conn.putObject(container, n, n)));
    prefix = `${unique('contract-acct')}-`;
    for (const suffix of ['a', 'b_1', 'b_2', 'c', 'd']) {
      created.push(prefix + suffix);
      await conn.putContainer(prefix + suffix);
    }
  });

  test('getContainer: marker, limit, prefix, endMarker, delimiter, path', async () => {
    const list = async (opts: Parameters<Connection['getContainer']>[1]): Promise<string[]> => names((await conn.getContainer(container, opts))[1]);
    assert.deepEqual(await list({}), NAMES);
    assert.deepEqual(await list({ limit: 2 }), ['a', 'b/1']);
    assert.deepEqual(await list({ marker: 'b/2' }), ['c', 'd/x/y', 'e', 'f']);
    assert.deepEqual(await list({ endMarker: 'c' }), ['a', 'b/1', 'b/2']);
    assert.deepEqual(await list({ marker: 'a', endMarker: 'e', limit: 3 }), ['b/1', 'b/2', 'c']);
    assert.deepEqual(await list({ prefix: 'b/' }), ['b/1', 'b/2']);
    assert.deepEqual(await list({ delimiter: '/' }), ['a', 'subdir:b/', 'c', 'subdir:d/', 'e', 'f']);
    assert.deepEqual(await list({ prefix: 'd/', delimiter: '/' }), ['subdir:d/x/']);
    assert.deepEqual(await list({ path: 'b' }), ['b/1', 'b/2']);
    assert.deepEqual(await list({ prefix: 'zzz' }), []);
  });

  test('getContainer fullListing follows markers past a small limit', async () => {
    const [headers, all] = await conn.getContainer(container, { limit: 2, fullListing: true });
    assert.deepEqual(names(all), NAMES);
    assert.equal(headers['x-container-object-count'], String(NAMES.length));
    const [, delimited] = await conn.getContainer(container, { limit: 2, delimiter: '/', fullListing: true });
    assert.deepEqual(names(delimited), ['a', 'subdir:b/', 'c', 'subdir:d/', 'e', 'f']);
    const [, fromMarker] = await conn.getContainer(container, { limit: 1, marker: 'c', fullListing: true });
    assert.deepEqual(names(fromMarker), ['d/x/y', 'e', 'f']);
  });

  test('getAccount: marker, limit, prefix, endMarker, delimiter, fullListing', async () => {
    const list = async (opts: Parameters<Connection['getAccount']>[0]): Promise<string[]> => names((await conn.getAccount(opts))[1]);
    const p = prefix;
    assert.deepEqual(await list({ prefix: p }), [`${p}a`, `${p}b_1`, `${p}b_2`, `${p}c`, `${p}d`]);
    assert.deepEqual(await list({ prefix: p, limit: 2 }), [`${p}a`, `${p}b_1`]);
    assert.deepEqual(await list({ prefix: p, marker: `${p}b_1` }), [`${p}b_2`, `${p}c`, `${p}d`]);
    assert.deepEqual(await list({ prefix: p, endMarker: `${p}c` }), [`${p}a`, `${p}b_1`, `${p}b_2`]);
    assert.deepEqual(await list({ prefix: p, delimiter: '_' }), [`${p}a`, `subdir:${p}b_`, `${p}c`, `${p}d`]);
    assert.deepEqual(await list({ prefix: p, limit: 2, fullListing: true }), [`${p}a`, `${p}b_1`, `${p}b_2`, `${p}c`, `${p}d`]);
    assert.deepEqual(await list({ prefix: p, limit: 1, delimiter: '_', fullListing: true }), [`${p}a`, `subdir:${p}b_`, `${p}c`, `${p}d`]);
  });

  test('listing entries are the server JSON, unchanged', async () => {
    const get = async (path: string): Promise<unknown> => {
      const res = await fetch(`${storageUrl}${path}`, { headers: { 'x-auth-token': token } });
      assert.equal(res.status, 200);
      return res.json();
    };
    const [, objects] = await conn.getContainer(container);
    assert.deepEqual(objects, await get(`/${quote(container)}?format=json`));
    const first = objects[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(first).sort(), ['bytes', 'content_type', 'hash', 'last_modified', 'name']);
    assert.equal(typeof first.bytes, 'number');

    const [, containers] = await conn.getAccount({ prefix });
    assert.deepEqual(containers, await get(`?format=json&prefix=${encodeURIComponent(prefix)}`));
    assert.ok(containers.length > 0);
    assert.ok(containers.every((c) => typeof c.count === 'number' && typeof c.bytes === 'number' && typeof c.last_modified === 'string'));
  });

  test('versionMarker pages through a versioned container', async () => {
    const versioned = await newContainer('-versions', { 'x-versions-enabled': 'true' });
    try {
      await conn.putObject(versioned, 'v', 'one');
      await conn.putObject(versioned, 'v', 'two');
      await conn.putObject(versioned, 'v', 'three');
      const [, versions] = await conn.getContainer(versioned, { queryString: 'versions' });
      assert.equal(versions.length, 3);
      assert.ok(versions.every((v) => v.name === 'v' && typeof v.version_id === 'string'));
      assert.deepEqual(
        versions.map((v) => v.is_latest),
        [true, false, false],
      );
      const [, after1] = await conn.getContainer(versioned, { queryString: 'versions', marker: 'v', versionMarker: versions[0]?.version_id as string });
      assert.deepEqual(after1, versions.slice(1));
      const [, paged] = await conn.getContainer(versioned, { queryString: 'versions', limit: 1, fullListing: true });
      assert.deepEqual(paged, versions);
    } finally {
      // every version must go before the container can
      const [, left] = await conn.getContainer(versioned, { queryString: 'versions', fullListing: true });
      for (const v of left) await conn.deleteObject(versioned, v.name as string, { queryString: `version-id=${v.version_id}` });
    }
  });
});

describe('errors', () => {
  let container: string;
  before(async () => {
    container = await newContainer();
  });

  test('ClientException fields and message layout of a 404', async () => {
    const err = await rejectsAsync(() => conn.getObject(container, 'missing-object'));
    assert.ok(err instanceof ClientException);
    assert.ok(err instanceof Error);
    const url = new URL(storageUrl);
    const path = `${url.pathname}/${container}/missing-object`;
    assert.equal(err.name, 'ClientException');
    assert.equal(err.msg, 'Object GET failed');
    assert.equal(err.httpStatus, 404);
    assert.equal(err.httpReason, 'Not Found');
    assert.equal(err.httpScheme, 'http');
    assert.equal(err.httpHost, url.hostname);
    assert.equal(Number(err.httpPort), Number(url.port));
    assert.equal(err.httpPath, path);
    assert.match(err.transactionId ?? '', /^tx[0-9a-f]{21}-[0-9a-f]{10}$/);
    assert.equal(err.transactionId, err.httpResponseHeaders?.['x-trans-id']);
    assert.match(err.httpResponseContent, /Not Found/);
    const base = `Object GET failed: http://${url.host}${path} 404 Not Found`;
    assert.ok(err.message.startsWith(base), err.message);
    const content = err.httpResponseContent;
    const excerpt = content.length <= 60 ? `   ${content}` : `  [first 60 chars of response] ${content.slice(0, 60)}`;
    assert.equal(err.message, `${base}${excerpt} (txn: ${err.transactionId})`);
    assert.equal(String(err), `ClientException: ${err.message}`);
  });

  test('errors of other calls name the call', async () => {
    const cases: Array<[string, () => Promise<unknown>, number]> = [
      ['Container HEAD failed', () => conn.headContainer(`${container}-missing`), 404],
      ['Container GET failed', () => conn.getContainer(`${container}-missing`), 404],
      ['Container DELETE failed', () => conn.deleteContainer(`${container}-missing`), 404],
      ['Object HEAD failed', () => conn.headObject(container, 'missing'), 404],
      ['Object DELETE failed', () => conn.deleteObject(container, 'missing'), 404],
      ['Object POST failed', () => conn.postObject(container, 'missing', {}), 404],
      ['Object COPY failed', () => conn.copyObject(container, 'missing'), 404],
      ['Object PUT failed', () => conn.putObject(`${container}-missing`, 'o', 'x'), 404],
    ];
    for (const [msg, call, status] of cases) {
      const err = await rejectsAsync(call);
      assert.ok(err instanceof ClientException);
      assert.equal(err.msg, msg);
      assert.equal(err.httpStatus, status);
      assert.ok(err.message.startsWith(`${msg}: http://`), err.message);
    }
    // A network failure names the call the same way.
    const refused = new Connection({ preauthUrl: `http://127.0.0.1:${await freePort()}/v1/AUTH_test`, preauthToken: 'x', retries: 0 });
    const err = await rejectsAsync(() => refused.headObject(container, 'o'));
    assert.ok(err instanceof ClientException);
    assert.equal(err.httpStatus, undefined);
    assert.match(err.msg, /^Object HEAD failed: .*ECONNREFUSED/);
    await refused.close();
  });

  test('the token never appears in an error', async () => {
    const bad = new Connection({ preauthUrl: storageUrl, preauthToken: `${token}x`, retries: 0 });
    const closedPort = await freePort();
    const unreachable = new Connection({
      preauthUrl: `http://127.0.0.1:${closedPort}/v1/AUTH_test`,
      preauthToken: token,
      retries: 0,
    });
    try {
      const errors = [
        await rejectsAsync(() => conn.getObject(container, 'missing')),
        await rejectsAsync(() => conn.putObject(container, 'o', 'x', { etag: 'nope' })),
        await rejectsAsync(() => bad.headAccount()),
        await rejectsAsync(() => unreachable.headAccount()),
      ];
      for (const err of errors) {
        assert.ok(err instanceof ClientException, String(err));
        for (const text of [String(err), (err as Error).message, JSON.stringify(err), inspect(err, { depth: 10, showHidden: true })]) {
          assert.ok(!text.includes(token), `token leaked in: ${text.slice(0, 200)}`);
        }
      }
      // network errors are ClientExceptions with no status and the cause kept
      const netErr = errors[3] as ClientException;
      assert.equal(netErr.httpStatus, undefined);
      assert.ok(netErr.cause, 'network error without cause');
      assert.equal(netErr.httpPort, closedPort);
      // nor in the Connection itself
      for (const text of [JSON.stringify(conn), inspect(conn, { depth: 10 }), String(conn)]) {
        assert.ok(!text.includes(token), `token leaked in: ${text}`);
      }
    } finally {
      await bad.close();
      await unreachable.close();
    }
  });

  test('the debug log never shows the token or the password', async () => {
    const lines: string[] = [];
    setDebugLog((line) => lines.push(line));
    const c = connect();
    try {
      const [, fresh] = await c.getAuth();
      await c.putObject(container, 'logged', 'x');
      await c.headObject(container, 'logged');
      await assert.rejects(c.getObject(container, 'missing'));
      await c.deleteObject(container, 'logged');
    } finally {
      setDebugLog(undefined);
      await c.close();
    }
    const log = lines.join('\n');
    assert.ok(lines.length >= 8, 'the debug log stayed silent');
    assert.ok(/x-auth-token: \S+\.\.\./i.test(log), 'no redacted token in the log');
    assert.ok(!log.includes(token), 'token leaked into the debug log');
    assert.ok(!log.includes(SWIFT.key), 'password leaked into the debug log');
  });

  test('a wrong password gives ClientException 401', async () => {
    const wrong = connect({ key: 'not-the-password' });
    try {
      for (const call of [() => wrong.getAuth(), () => wrong.headAccount()]) {
        const err = await rejectsAsync(call);
        assert.ok(err instanceof ClientException);
        assert.equal(err.httpStatus, 401);
        assert.ok(!err.message.includes('not-the-password'));
      }
      assert.equal(wrong.token, undefined);
    } finally {
      await wrong.close();
    }
  });

  test('methods never throw synchronously', async () => {
    const bare = new Connection();
    const calls: Array<() => unknown> = [
      () => conn.putContainer(''),
      () => conn.headContainer(''),
      () => conn.getContainer('a/b'),
      () => conn.postContainer('', {}),
      () => conn.deleteContainer(''),
      () => conn.headObject(container, ''),
      () => conn.getObject('', 'o'),
      () => conn.getObject(container, '', { respChunkSize: 10 }),
      () => conn.putObject(container, '', 'x'),
      () => conn.putObject(container, 'o', 42 as unknown as string),
      () => conn.putObject(container, 'o', 'x', { contentLength: -1 }),
      () => conn.putObject(container, 'o', 'x', { headers: { 'content-length': 'abc' } }),
      () => conn.postObject(container, 'o', { 'bad name': 'x' }),
      () => conn.copyObject(container, '', {}),
      () => conn.deleteObject(container, ''),
      () => conn.getAccount({ limit: -1 }),
      () => conn.postAccount({ 'x-account-meta-a': { object: true } as unknown as string }),
      () => conn.getCapabilities('not a url'),
      () => bare.headAccount(),
      () => bare.getAuth(),
    ];
    for (const call of calls) await rejectsAsync(call, (err) => err instanceof Error);
  });
});

describe('bodies', () => {
  let container: string;
  before(async () => {
    container = await newContainer();
  });

  test('a 1.5 MiB upload from a Readable streams and round-trips with matching MD5', async () => {
    const size = 1536 * 1024 + 7;
    const data = randomBytes(size);
    let pulled = 0;
    async function* source(): AsyncGenerator<Buffer> {
      for (let at = 0; at < size; at += 65536) {
        pulled += 1;
        yield data.subarray(at, at + 65536);
      }
    }
    const etag = await conn.putObject(container, 'big', Readable.from(source()));
    assert.equal(etag, md5(data));
    assert.equal(pulled, Math.ceil(size / 65536));
    const hdrs = await conn.headObject(container, 'big');
    assert.equal(hdrs['content-length'], String(size));
    const [, whole] = await conn.getObject(container, 'big');
    assert.equal(md5(whole), md5(data));
    const [, streamed] = await conn.getObject(container, 'big', { respChunkSize: 100_000 });
    const hash = createHash('md5');
    let count = 0;
    for await (const chunk of streamed as ObjectBody) {
      assert.ok(chunk.length <= 100_000);
      hash.update(chunk);
      count += chunk.length;
    }
    assert.equal(count, size);
    assert.equal(hash.digest('hex'), md5(data));
  });

  test('getObject with a Range header returns the slice', async () => {
    const data = Buffer.from('0123456789abcdefghij');
    await conn.putObject(container, 'ranged', data);
    const rd: ResponseDict = {};
    const [hdrs, slice] = await conn.getObject(container, 'ranged', { headers: { Range: 'bytes=5-9' }, responseDict: rd });
    assert.equal(slice.toString(), '56789');
    assert.equal(rd.status, 206);
    assert.equal(hdrs['content-range'], `bytes 5-9/${data.length}`);
    const [, suffix] = await conn.getObject(container, 'ranged', { headers: { range: 'bytes=-3' } });
    assert.equal(suffix.toString(), 'hij');
    const [, chunked] = await conn.getObject(container, 'ranged', { headers: { Range: 'bytes=10-' }, respChunkSize: 4 });
    const parts: string[] = [];
    for await (const chunk of chunked as ObjectBody) parts.push(chunk.toString());
    assert.deepEqual(parts, ['abcd', 'efgh', 'ij']);
  });

  test('body.close() stops a streamed download; the connection stays usable', async () => {
    const data = randomBytes(300 * 1024);
    await conn.putObject(container, 'closable', data);
    const [, body] = await conn.getObject(container, 'closable', { respChunkSize: 1000 });
    const b = body as ObjectBody;
    const head = await b.read(10);
    assert.ok(head.equals(data.subarray(0, 10)));
    b.close();
    let after = 0;
    for await (const chunk of b) after += chunk.length;
    assert.equal(after, 0, 'a closed body still yielded data');
    assert.equal((await b.read()).length, 0);
    const [, again] = await conn.getObject(container, 'closable');
    assert.ok(again.equals(data));
  });

  test('a stream shorter than contentLength fails and creates nothing', async () => {
    await rejectsAsync(
      () => conn.putObject(container, 'short-stream', Readable.from([Buffer.from('0123456789')]), { contentLength: 20 }),
      (err) => err instanceof ClientException,
    );
    await assert.rejects(conn.headObject(container, 'short-stream'), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);
  });

  test('a Content-Length in headers sizes a stream upload', async () => {
    const data = randomBytes(4000);
    await conn.putObject(container, 'cl-header', Readable.from([data.subarray(0, 1000), data.subarray(1000)]), {
      headers: { 'Content-Length': 4000 },
    });
    const [hdrs, body] = await conn.getObject(container, 'cl-header');
    assert.equal(hdrs['content-length'], '4000');
    assert.ok(body.equals(data));
  });

  test('postAccount sends data and queryString (bulk delete)', async () => {
    await conn.putObject(container, 'bulk 1', 'a');
    await conn.putObject(container, 'bulk 2', 'b');
    const data = [`/${quote(container)}/${quote('bulk 1')}`, `/${quote(container)}/${quote('bulk 2')}`].join('\n');
    const [headers, body] = await conn.postAccount({ 'Content-Type': 'text/plain', Accept: 'application/json' }, { queryString: 'bulk-delete', data });
    assert.ok(Buffer.isBuffer(body));
    assert.match(headers['content-type'] ?? '', /json/);
    const result = JSON.parse(body.toString()) as Record<string, unknown>;
    assert.equal(result['Number Deleted'], 2, body.toString());
    assert.deepEqual(result.Errors, []);
    const [, listing] = await conn.getContainer(container, { prefix: 'bulk ' });
    assert.equal(listing.length, 0);
  });

  test('deleteObject with multipart-manifest=delete: segments go; a segment that cannot go is an error, not a silent 200', async () => {
    const segs = await newContainer('-segs', { 'x-container-read': SWIFT.user3 });
    const manifests = await newContainer('-slo', { 'x-container-read': SWIFT.user3, 'x-container-write': SWIFT.user3 });
    await conn.putObject(segs, 's1', randomBytes(4096));
    await conn.putObject(segs, 's2', randomBytes(4096));
    const manifest = (names: string[]): string => JSON.stringify(names.map((n) => ({ path: `/${segs}/${n}` })));

    // The admin deletes an SLO with its segment: both gone, no error.
    await conn.putObject(manifests, 'whole', manifest(['s2']), { queryString: 'multipart-manifest=put' });
    await conn.deleteObject(manifests, 'whole', { queryString: 'multipart-manifest=delete' });
    await assert.rejects(conn.headObject(segs, 's2'), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);

    // A user who may write the manifest's container but only read the
    // segments': Swift answers 200 and lists the failure in the body.
    const limited = new Connection({ authUrl: SWIFT.authUrl, user: SWIFT.user3, key: SWIFT.key3, retries: 2, startingBackoff: 0.1 });
    try {
      for (const accept of [undefined, 'application/json', 'application/xml']) {
        await limited.putObject(manifests, 'partial', manifest(['s1']), { queryString: 'multipart-manifest=put' });
        const err = await rejectsAsync(() =>
          limited.deleteObject(manifests, 'partial', { queryString: 'multipart-manifest=delete', headers: accept ? { accept } : {} }),
        );
        assert.ok(err instanceof ClientException);
        assert.equal(err.httpStatus, 400);
        assert.equal(err.httpReason, 'Bad Request');
        assert.match(err.httpResponseContent, new RegExp(`/${segs}/s1.*403 Forbidden`));
        assert.equal(limited.attempts, 1, 'not retried: the manifest is already gone');
      }
    } finally {
      await limited.close();
    }
    assert.equal((await conn.headObject(segs, 's1'))['content-length'], '4096', 'the segment is still there');
  });

  test('a streamed body can mix iteration and read(n) without losing or reordering bytes', async () => {
    const data = randomBytes(307_200);
    await conn.putObject(container, 'mixed', data);
    const [, body] = await conn.getObject(container, 'mixed', { respChunkSize: 1000 });
    const it = body[Symbol.asyncIterator]();
    const parts: Buffer[] = [];
    const first = await it.next();
    assert.ok(!first.done && first.value.length <= 1000);
    parts.push(first.value);
    parts.push(await body.read(5000));
    assert.ok(parts[1]?.equals(data.subarray(parts[0]?.length, (parts[0]?.length ?? 0) + 5000)), 'read(n) continues where iteration stopped');
    for (let step = await it.next(); !step.done; step = await it.next()) {
      assert.ok(step.value.length <= 1000);
      parts.push(step.value);
      if (parts.length === 10) parts.push(await body.read(10));
    }
    assert.ok(Buffer.concat(parts).equals(data));
    assert.equal((await body.read()).length, 0);
  });

  test('an empty object streams as no chunks; read() gives an empty Buffer', async () => {
    await conn.putObject(container, 'empty', '');
    const [hdrs, body] = await conn.getObject(container, 'empty', { respChunkSize: 10 });
    assert.equal(hdrs['content-length'], '0');
    let chunks = 0;
    for await (const _chunk of body as ObjectBody) chunks += 1;
    assert.equal(chunks, 0);
    const [, body2] = await conn.getObject(container, 'empty', { respChunkSize: 10 });
    const read = await (body2 as ObjectBody).read(5);
    assert.ok(Buffer.isBuffer(read));
    assert.equal(read.length, 0);
    const [, whole] = await conn.getObject(container, 'empty');
    assert.ok(Buffer.isBuffer(whole) && whole.length === 0);
  });

  test('close() releases connections and the Connection stays usable', async () => {
    const c = connect();
    await c.putObject(container, 'after-close', 'one');
    await c.close();
    const [, body] = await c.getObject(container, 'after-close');
    assert.equal(body.toString(), 'one');
    await c.close();
    await c.close(); // twice is harmless
  });

  test('an unsatisfiable Range is a 416 ClientException', async () => {
    await conn.putObject(container, 'small', 'abc');
    const err = await rejectsAsync(() => conn.getObject(container, 'small', { headers: { Range: 'bytes=10-20' } }));
    assert.ok(err instanceof ClientException);
    assert.equal(err.httpStatus, 416);
  });
});

describe('signal', () => {
  test('an already-aborted signal rejects with its reason, sending nothing', async () => {
    const container = unique('contract-abort');
    const controller = new AbortController();
    controller.abort();
    const err = await rejectsAsync(() => conn.putContainer(container, { signal: controller.signal }));
    assert.equal(err, controller.signal.reason);
    assert.equal((err as Error).name, 'AbortError');
    await assert.rejects(conn.headContainer(container), (e: unknown) => e instanceof ClientException && e.httpStatus === 404);

    const reason = new Error('custom reason');
    const signal = AbortSignal.abort(reason);
    for (const call of [
      () => conn.headAccount({ signal }),
      () => conn.getAccount({ signal }),
      () => conn.getObject(container, 'o', { signal }),
      () => conn.getObject(container, 'o', { signal, respChunkSize: 5 }),
      () => conn.putObject(container, 'o', 'x', { signal }),
      () => conn.deleteObject(container, 'o', { signal }),
    ]) {
      assert.equal(await rejectsAsync(call), reason);
    }
  });

  test('aborting while a body streams rejects the read with the reason', async () => {
    const container = await newContainer('-abort-body');
    const data = randomBytes(256 * 1024);
    await conn.putObject(container, 'o', data);
    const target = new URL(storageUrl);
    // the proxy stalls the response after 64 KiB until released (never, here)
    const proxy = await startCutProxy({ targetHost: target.hostname, targetPort: Number(target.port || 80), cutAfter: 64 * 1024, hold: true });
    const c = new Connection({ preauthUrl: `${proxy.origin}${target.pathname}`, preauthToken: token });
    try {
      const controller = new AbortController();
      const [, body] = await c.getObject(container, 'o', { respChunkSize: 1024, signal: controller.signal });
      const first = await (body as ObjectBody).read(1024);
      assert.ok(first.equals(data.subarray(0, 1024)));
      const pending = (body as ObjectBody).read();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(pending, (err: unknown) => err === controller.signal.reason);
      assert.equal(proxy.cuts, 0);
    } finally {
      await c.close();
      await proxy.close();
    }
  });

  test('aborting during retry backoff rejects at once with the reason', async () => {
    const port = await freePort();
    const c = new Connection({ preauthUrl: `http://127.0.0.1:${port}/v1/AUTH_test`, preauthToken: 'x', retries: 5, startingBackoff: 30 });
    try {
      const started = Date.now();
      const signal = AbortSignal.timeout(300);
      const err = await rejectsAsync(() => c.headAccount({ signal }));
      assert.equal(err, signal.reason);
      assert.equal((err as Error).name, 'TimeoutError');
      assert.ok(Date.now() - started < 5000, 'the backoff was not interrupted');
    } finally {
      await c.close();
    }
  });
});

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}


describe('MD5 checks against the ETag (a proxy answers with a wrong one)', () => {
  const WRONG = '0123456789abcdef0123456789abcdef';
  const data = Buffer.alloc(300_000, 'x');
  let proxy: FaultProxy;
  let container: string;
  const through = (options: { checksum?: boolean } = {}): Connection =>
    new Connection({ preauthUrl: proxy.storageUrl(), preauthToken: token, retries: 0, ...options });
  const wrongEtag = (method: string, name: string): void => {
    proxy.add({ method, path: new RegExp(`/${name}$`), fault: { type: 'replaceHeaders', headers: { etag: WRONG } } });
  };

  before(async () => {
    proxy = await FaultProxy.start();
    container = await newContainer('-md5');
    await conn.putObject(container, 'stored', data);
  });
  after(() => proxy.close());

  test('putObject: rejected by default (the server still stored the bytes); accepted with checksum: false', async () => {
    const checked = through();
    wrongEtag('PUT', 'checked');
    await rejectsAsync(
      () => checked.putObject(container, 'checked', Readable.from([data.subarray(0, 100_000), data.subarray(100_000)])),
      (err) => err instanceof ClientException && err.message.includes(`the server's ETag ${WRONG} does not match the MD5 ${md5(data)} of the data sent`),
    );
    assert.equal((await conn.headObject(container, 'checked')).etag, md5(data));
    await checked.close();

    const unchecked = through({ checksum: false });
    wrongEtag('PUT', 'unchecked');
    assert.equal(await unchecked.putObject(container, 'unchecked', Readable.from([data.subarray(0, 100_000), data.subarray(100_000)])), WRONG);
    assert.ok((await conn.getObject(container, 'unchecked'))[1].equals(data), 'the bytes round-trip');
    // the per-call option overrides the Connection's
    wrongEtag('PUT', 'per-call');
    assert.equal(await unchecked.putObject(container, 'per-call', data, { checksum: true }).catch((err: ClientException) => err instanceof ChecksumError && err.msg), `Object PUT ${container}/per-call: the server's ETag ${WRONG} does not match the MD5 ${md5(data)} of the data sent`);
    await unchecked.close();
  });

  test('getObject, whole and streamed: rejected by default; the bytes with checksum: false', async () => {
    const mismatch = `received data has MD5 ${md5(data)} but the ETag is ${WRONG}`;
    const checked = through();
    wrongEtag('GET', 'stored');
    await rejectsAsync(() => checked.getObject(container, 'stored'), (err) => err instanceof ClientException && err.message.includes(mismatch));
    wrongEtag('GET', 'stored');
    const [, stream] = await checked.getObject(container, 'stored', { respChunkSize: 65536 });
    await assert.rejects(stream.read(), (err: unknown) => err instanceof ClientException && err.message.includes(mismatch));
    await checked.close();

    const unchecked = through({ checksum: false });
    wrongEtag('GET', 'stored');
    const [headers, whole] = await unchecked.getObject(container, 'stored');
    assert.equal(headers.etag, WRONG, 'the wrong ETag did arrive');
    assert.ok(whole.equals(data));
    wrongEtag('GET', 'stored');
    const [, streamed] = await unchecked.getObject(container, 'stored', { respChunkSize: 65536 });
    assert.ok((await streamed.read()).equals(data));
    await unchecked.close();
    assert.equal(proxy.pendingRules, 0, 'every wrong ETag was served');
  });
});

test('X-Copy-From PUT, close() with an unread body, checks before auth, null options', async () => {
  const conn = connect();
  const container = unique('review');
  await conn.putContainer(container, null);
  const data = randomBytes(4 << 20);
  const etag = await conn.putObject(container, 'src', data);
  // a server-side copy answers with the source's ETag: not an MD5 mismatch
  assert.equal(await conn.putObject(container, 'dst', null, { headers: { 'X-Copy-From': `/${container}/src` } }), etag);
  const [, copy] = await conn.getObject(container, 'dst', null);
  assert.ok(copy.equals(data));
  const [, listing] = await conn.getAccount(null);
  assert.ok(listing.some((c) => c.name === container));
  const [, objects] = await conn.getContainer(container, null);
  assert.deepEqual(objects.map((o) => o.name), ['dst', 'src']);

  // close() does not wait for a streamed body nobody reads
  const reader = connect();
  const [, body] = await reader.getObject(container, 'src', { respChunkSize: 65536 });
  assert.equal((await body.read(10)).length, 10);
  const started = Date.now();
  await reader.close();
  assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);

  // bad headers are refused before authenticating, so no network error masks them
  const unreachable = new Connection({ authUrl: 'http://127.0.0.1:9/auth/v1.0', user: 'a:b', key: 'k', retries: 3, startingBackoff: 1 });
  const t0 = Date.now();
  await assert.rejects(unreachable.postContainer('x', { 'bad name': 'v' }), /Invalid header name "bad name"/);
  await assert.rejects(unreachable.putObject('x', 'o', 'data', { contentType: 'a\r\nb' }), /control character/);
  await assert.rejects(unreachable.headObject('', 'o'), /Container name must be a non-empty string/);
  assert.ok(Date.now() - t0 < 500);

  for (const name of ['src', 'dst']) await conn.deleteObject(container, name);
  await conn.deleteContainer(container);
  await conn.close();
});
