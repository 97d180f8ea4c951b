// Lazy listings against the local Swift: 250 objects, requests counted
// through a proxy. A file of its own: filling the container is most of its time.
import assert from 'node:assert/strict';
import pLimit from 'p-limit';
import { after, before, describe, test } from 'node:test';
import { ClientException, TimeoutError, type Connection } from '../../src/index.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { connect, unique } from '../helpers/env.js';

let direct: Connection;
let token: string;
let proxy: FaultProxy;

/** A Connection whose requests all go through the proxy. */
function viaProxy(): Connection {
  return connect({ preauthUrl: proxy.storageUrl(), preauthToken: token, startingBackoff: 0.01, maxBackoff: 0.05 });
}

/** Listing GETs of a container the proxy saw. */
function listingRequests(name: string): string[] {
  return proxy.seen('GET', new RegExp(`^/v1/AUTH_test/${name}\\?`)).map((r) => r.path);
}

before(async () => {
  direct = connect();
  [, token] = await direct.getAuth();
  proxy = await FaultProxy.start();
});

after(async () => {
  await direct.close();
  await proxy.close();
});

describe('listObjects / listContainers: lazy pages', () => {
  let big: string;
  const names = Array.from({ length: 250 }, (_, i) => `obj-${String(i).padStart(5, '0')}`);

  before(async () => {
    big = unique('native-big');
    await direct.putContainer(big);
    const limit = pLimit(24);
    await Promise.all(names.map((name) => limit(() => direct.putObject(big, name, null))));
  });

  after(async () => {
    const limit = pLimit(24);
    await Promise.all(names.map((name) => limit(() => direct.deleteObject(big, name))));
    await direct.deleteContainer(big);
  });

  test('250 objects with pageSize 100: every name once, in order, in exactly 3 listing requests', async () => {
    proxy.reset();
    const conn = viaProxy();
    const seen: string[] = [];
    for await (const entry of conn.listObjects(big, { pageSize: 100 })) {
      assert.equal(entry.kind, 'object');
      if (entry.kind === 'object') {
        assert.equal(entry.bytes, 0);
        assert.equal(entry.hash, 'd41d8cd98f00b204e9800998ecf8427e');
        assert.ok(entry.lastModified instanceof Date && !Number.isNaN(entry.lastModified.getTime()));
      }
      seen.push(entry.name);
    }
    assert.deepEqual(seen, names);
    const requests = listingRequests(big);
    assert.equal(requests.length, 3, requests.join('\n'));
    assert.match(requests[1] as string, /marker=obj-00099(&|$)/);
    assert.match(requests[2] as string, /marker=obj-00199(&|$)/);
    await conn.close();
  });

  test('breaking out after 10 entries made 1 listing request', async () => {
    proxy.reset();
    const conn = viaProxy();
    let n = 0;
    for await (const entry of conn.listObjects(big, { pageSize: 100 })) {
      assert.equal(entry.name, names[n]);
      n += 1;
      if (n === 10) break;
    }
    assert.equal(n, 10);
    assert.equal(listingRequests(big).length, 1);
    await conn.close();
  });

  test('pages are fetched only as the loop asks for them', async () => {
    proxy.reset();
    const conn = viaProxy();
    const it = conn.listObjects(big, { pageSize: 100, marker: 'obj-00049' });
    assert.equal(listingRequests(big).length, 0, 'nothing before the first next()');
    for (let i = 0; i < 100; i += 1) assert.equal((await it.next()).value?.name, names[50 + i]);
    assert.equal(listingRequests(big).length, 1);
    assert.equal((await it.next()).value?.name, names[150]);
    assert.equal(listingRequests(big).length, 2);
    await it.return();
    await conn.close();
  });

  test('prefix, endMarker and a page that ends exactly at the limit (one empty page closes it)', async () => {
    proxy.reset();
    const conn = viaProxy();
    const got: string[] = [];
    for await (const entry of conn.listObjects(big, { prefix: 'obj-000', endMarker: 'obj-00050', pageSize: 25 })) got.push(entry.name);
    assert.deepEqual(got, names.slice(0, 50));
    assert.equal(listingRequests(big).length, 3);
    await conn.close();
  });

  test('per-call retries and timeout: retries: 0 gives up on the first 503 of either listing, retries: 2 gets past two; a stalled page times out', async () => {
    const conn = viaProxy(); // five retries of its own
    const listing = new RegExp(`^/v1/AUTH_test/${big}\\?`);
    proxy.reset();
    proxy.failWith(503, 1, { method: 'GET', path: listing });
    await assert.rejects(
      (async () => {
        for await (const _ of conn.listObjects(big, { pageSize: 10, retries: 0 })) break;
      })(),
      (err: unknown) => err instanceof ClientException && err.httpStatus === 503,
    );
    assert.equal(listingRequests(big).length, 1);
    proxy.reset();
    proxy.failWith(503, 1, { method: 'GET', path: /^\/v1\/AUTH_test\?/ });
    await assert.rejects(
      (async () => {
        for await (const _ of conn.listContainers({ pageSize: 1, retries: 0 })) break;
      })(),
      (err: unknown) => err instanceof ClientException && err.httpStatus === 503,
    );
    assert.equal(proxy.seen('GET', /^\/v1\/AUTH_test\?/).length, 1);
    proxy.reset();
    proxy.failWith(503, 2, { method: 'GET', path: listing });
    const first = [];
    for await (const entry of conn.listObjects(big, { pageSize: 10, retries: 2 })) {
      first.push(entry.name);
      if (first.length === 10) break;
    }
    assert.deepEqual(first, names.slice(0, 10));
    assert.equal(listingRequests(big).length, 3);
    proxy.reset();
    proxy.add({ method: 'GET', path: listing, fault: { type: 'stall', seconds: 30, then: 'close' } });
    await assert.rejects(
      (async () => {
        for await (const _ of conn.listObjects(big, { pageSize: 10, retries: 0, timeout: 0.5 })) break;
      })(),
      (err: unknown) => err instanceof TimeoutError && err.code === 'TIMEOUT',
    );
    await conn.close();
  });

  test('listContainers: typed entries, lazily paged', async () => {
    const prefix = unique('native-lc');
    for (const suffix of ['a', 'b', 'c']) await direct.putContainer(`${prefix}-${suffix}`);
    await direct.putObject(`${prefix}-b`, 'x', 'hello');
    try {
      proxy.reset();
      const conn = viaProxy();
      const got = [];
      for await (const c of conn.listContainers({ prefix, pageSize: 2 })) got.push(c);
      assert.deepEqual(
        got.map((c) => c.name),
        ['a', 'b', 'c'].map((suffix) => `${prefix}-${suffix}`),
      );
      // Counts reach the account listing asynchronously: only their types are certain here.
      for (const c of got) {
        assert.ok(Number.isInteger(c.count) && Number.isInteger(c.bytes));
        assert.ok(c.lastModified === undefined || c.lastModified instanceof Date);
      }
      assert.equal(proxy.seen('GET', /^\/v1\/AUTH_test\?/).length, 2);
      await conn.close();
    } finally {
      await direct.deleteObject(`${prefix}-b`, 'x');
      for (const suffix of ['a', 'b', 'c']) await direct.deleteContainer(`${prefix}-${suffix}`);
    }
  });
});
