/**
 * Faults on the server's side between the client and a real Swift: injected
 * statuses (through test/helpers/fault-proxy.ts), real restarts of memcached
 * and of the Swift proxy, load, and connection reuse. The restarts hit only
 * the spare proxy of scripts/swift-aio (SWIFT.spareAuthUrl, port 8082, with
 * its own memcached), never the 8080 proxy that test files running
 * concurrently use. Nothing may be lost, and every failure must be a clear
 * ClientException.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, beforeEach, describe } from 'node:test';
import { ClientException, Connection, type ConnectionOptions, type ResponseDict } from '../../src/index.js';
import type { FaultProxy } from '../helpers/fault-proxy.js';
import { it, rejection, startFaultSuite, type FaultSuite } from '../helpers/fault-suite.js';
import { connect, md5, purgeContainer, RUNTIME, SWIFT, TRANSPORT, unique } from '../helpers/env.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Runs `scripts/swift-aio COMMAND` in its own process group, killed as a
 * group (flock included) if it takes longer than `seconds`.
 */
function swiftAio(command: string, seconds = 30): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'scripts/swift-aio'), [command], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
      reject(new Error(`swift-aio ${command} did not finish in ${seconds} s: ${stderr.trim()}`));
    }, seconds * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`swift-aio ${command} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

let t: FaultSuite;
let proxy: FaultProxy;
let direct: Connection;
let container: string;

before(async () => {
  t = await startFaultSuite('rel-faults');
  ({ proxy, direct, container } = t);
});

after(() => t.close());

beforeEach(() => proxy.reset());

const viaProxy = (overrides?: ConnectionOptions): Connection => t.viaProxy(overrides);
const OBJ = (name: string): RegExp => t.obj(name);

describe('injected statuses', () => {
  it('503 twice then success: the call succeeds on the third try and the object is there', async () => {
    const conn = viaProxy();
    const data = randomBytes(2000);
    proxy.failWith(503, 2, { method: 'PUT', path: OBJ('o503') });
    const etag = await conn.putObject(container, 'o503', data);
    assert.equal(etag, md5(data));
    assert.equal(conn.attempts, 3);
    assert.equal(proxy.seen('PUT').length, 3);
    assert.deepEqual(proxy.seen('PUT').map((r) => r.status), [503, 503, 201]);
    const [, got] = await direct.getObject(container, 'o503');
    assert.deepEqual(got, data);
    await conn.close();
  });

  it('500 on every try: ClientException 500 after exactly retries+1 tries', async () => {
    const conn = viaProxy({ retries: 3 });
    proxy.failWith(500, Infinity, { method: 'GET' });
    const err = await rejection(conn.getObject(container, 'never'));
    assert.ok(err instanceof ClientException);
    assert.equal(err.httpStatus, 500);
    assert.equal(err.transactionId, 'txfaultproxy');
    assert.match(err.message, /Object GET failed: http:\/\/127\.0\.0\.1:\d+\/v1\/AUTH_test\/.*\/never 500/);
    assert.equal(conn.attempts, 4);
    assert.equal(proxy.seen('GET').length, 4);
    await conn.close();
  });

  for (const status of [429, 498]) {
    it(`${status} is retried by default and not with retryOnRatelimit false`, async () => {
      const conn = viaProxy();
      proxy.failWith(status, 2, { method: 'HEAD' });
      await conn.headContainer(container);
      assert.equal(conn.attempts, 3);
      assert.deepEqual(proxy.seen('HEAD').map((r) => r.status), [status, status, 204]);

      proxy.reset();
      const strict = viaProxy({ retryOnRatelimit: false });
      proxy.failWith(status, 5, { method: 'HEAD' });
      const err = await rejection(strict.headContainer(container));
      assert.ok(err instanceof ClientException);
      assert.equal(err.httpStatus, status);
      assert.equal(strict.attempts, 1);
      assert.equal(proxy.seen('HEAD').length, 1);
      await Promise.all([conn.close(), strict.close()]);
    });
  }

  it(
    '499 is retried (API.md: "network errors, 5xx, 408, 499")',
    async () => {
      const conn = viaProxy();
      proxy.failWith(499, 1, { method: 'HEAD' });
      await conn.headContainer(container);
      assert.equal(conn.attempts, 2);
      assert.deepEqual(proxy.seen('HEAD').map((r) => r.status), [499, 204]);
      await conn.close();
    },
  );

  it('408 is retried', async () => {
    const conn = viaProxy();
    proxy.failWith(408, 1, { method: 'GET' });
    const [, objects] = await conn.getContainer(container);
    assert.ok(Array.isArray(objects));
    assert.equal(conn.attempts, 2);
    assert.deepEqual(proxy.seen('GET').map((r) => r.status), [408, 200]);
    await conn.close();
  });

  for (const status of [404, 403, 422, 400]) {
    it(`${status} is not retried`, async () => {
      const conn = viaProxy({ retries: 4 });
      proxy.failWith(status, 5, { method: 'PUT' });
      const err = await rejection(conn.putObject(container, `no-retry-${status}`, 'x'));
      assert.ok(err instanceof ClientException);
      assert.equal(err.httpStatus, status);
      assert.match(err.httpResponseContent, /injected by fault proxy/);
      assert.equal(conn.attempts, 1);
      assert.equal(proxy.seen('PUT').length, 1);
      await conn.close();
    });
  }

  for (const status of [503, 429]) {
    it(`Retry-After: 1 on a ${status} is honoured even with startingBackoff 0.01`, async () => {
      const conn = viaProxy();
      proxy.failWith(status, 1, { method: 'HEAD' }, { 'retry-after': '1' });
      await conn.headAccount();
      const gaps = proxy.gaps('HEAD');
      assert.equal(gaps.length, 1);
      assert.ok((gaps[0] as number) >= 0.9, `gap ${gaps[0]} s`);
      assert.ok((gaps[0] as number) < 2.5, `gap ${gaps[0]} s`);
      await conn.close();
    });
  }

  it('authentication through the proxy: 503 twice on the auth endpoint, then success', async () => {
    const conn = new Connection({ authUrl: `${proxy.origin}/auth/v1.0`, user: SWIFT.user, key: SWIFT.key, startingBackoff: 0.01 });
    proxy.failWith(503, 2, { method: 'GET', path: /^\/auth\/v1\.0/ });
    const headers = await conn.headAccount();
    assert.ok(headers['x-account-container-count'] !== undefined);
    assert.equal(conn.attempts, 3);
    assert.deepEqual(proxy.seen('GET', /^\/auth\//).map((r) => r.status), [503, 503, 200]);
    await conn.close();
  });

  it('401 once: one re-authentication, then success; 401 every time: fails after 2 tries', async () => {
    const conn = viaProxy();
    proxy.failWith(401, 1, { method: 'HEAD' });
    await conn.headContainer(container);
    assert.equal(conn.attempts, 2);
    assert.equal(conn.url, proxy.storageUrl(), 'preauthUrl survives re-authentication');
    assert.equal(proxy.seen('HEAD').length, 2);

    proxy.reset();
    proxy.failWith(401, Infinity, { method: 'HEAD' });
    const err = await rejection(conn.headContainer(container));
    assert.ok(err instanceof ClientException);
    assert.equal(err.httpStatus, 401);
    assert.equal(conn.attempts, 2);
    assert.equal(proxy.seen('HEAD').length, 2);
    await conn.close();
  });

  it(
    'concurrent calls on one Connection each get their own retries',
    async () => {
      const conn = viaProxy({ retries: 3 });
      const names = ['conc-a', 'conc-b', 'conc-c', 'conc-d'];
      for (const name of names) proxy.failWith(503, 3, { method: 'PUT', path: OBJ(name) });
      const results = await Promise.allSettled(names.map((name) => conn.putObject(container, name, name)));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${names[i]}: ${String(r.reason)}`] : []));
      assert.deepEqual(failed, [], 'each call may take retries+1 = 4 tries');
      for (const name of names) assert.equal(proxy.seen('PUT', OBJ(name)).length, 4, name);
      await conn.close();
    },
  );

  it('backoff grows exponentially and is capped at maxBackoff', async () => {
    const conn = viaProxy({ retries: 7, startingBackoff: 0.05, maxBackoff: 0.1 });
    proxy.failWith(503, 7, { method: 'HEAD' });
    await conn.headContainer(container);
    assert.equal(conn.attempts, 8);
    const gaps = proxy.gaps('HEAD');
    const all = gaps.map((g) => g.toFixed(3)).join(', ');
    assert.equal(gaps.length, 7);
    // Waits of 0.05, 0.1, then capped at 0.1 s (jitter adds up to 25%, never
    // past the cap); each gap holds its wait plus a round trip. From below,
    // tightly: the second is at least twice the first's base (no growth would
    // give at most 0.0625).
    const least = [0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    for (const [i, gap] of gaps.entries()) assert.ok(gap >= (least[i] as number) - 0.002, `gap ${i + 1}: ${gap} (all: ${all})`);
    // From above, loosely: the last four take 0.4-0.5 s; uncapped they would
    // wait 0.4 + 0.8 + 1.6 + 3.2 = 6 s at least.
    const tail = gaps.slice(3).reduce((sum, g) => sum + g, 0);
    assert.ok(tail < 3, `the last four gaps took ${tail} s (all: ${all})`);
    await conn.close();
  });
});

describe('real server restarts and load', () => {
  // The restarts go to the spare proxy and its memcached only: same storage
  // servers and account (so `container` is there too), other tokens.
  it('memcached restart mid-run (every token invalid): 20 put/get keep succeeding through re-auth', async () => {
    const conn = connect({ authUrl: SWIFT.spareAuthUrl, retries: 8, startingBackoff: 0.1, maxBackoff: 1 });
    const [, before] = await conn.getAuth();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      if (i === 6) await swiftAio('restart-spare-memcached');
      const data = randomBytes(1000 + i);
      const putDict: ResponseDict = {};
      const getDict: ResponseDict = {};
      assert.equal(await conn.putObject(container, `mc-${i}`, data, { responseDict: putDict }), md5(data));
      const [, got] = await conn.getObject(container, `mc-${i}`, { responseDict: getDict });
      assert.ok(got.equals(data), `object ${i}`);
      for (const d of [...(putDict.responseDicts ?? []), ...(getDict.responseDicts ?? [])]) statuses.push(d.status ?? 0);
    }
    assert.ok(statuses.includes(401), `a 401 was met and handled: ${statuses.join(',')}`);
    assert.notEqual(conn.token, before, 'a fresh token after the restart');
    await conn.close();
  }, { timeout: 60_000 });

  it('Swift proxy restarted during a 200-object upload: every object present with the right MD5', async () => {
    // One Connection shared by the 4 workers: each call has its own retries.
    const shared = connect({ authUrl: SWIFT.spareAuthUrl, retries: 10, startingBackoff: 0.5, maxBackoff: 4 });
    const conns = Array.from({ length: 4 }, () => shared);
    const conn = conns[0] as Connection;
    const sub = unique('rel-restart');
    await conn.putContainer(sub);
    const objects = Array.from({ length: 200 }, (_, i) => ({ name: `obj-${String(i).padStart(3, '0')}`, data: randomBytes(1024 + i * 37) }));
    let done = 0;
    let maxTries = 0;
    let restart: Promise<unknown> | undefined; // resolves to undefined or the error
    let doneAtRestart = -1;
    const queue = [...objects];
    const worker = async (mine: Connection): Promise<void> => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const dict: ResponseDict = {};
        const etag = await mine.putObject(sub, item.name, item.data, { responseDict: dict });
        assert.equal(etag, md5(item.data));
        maxTries = Math.max(maxTries, dict.responseDicts?.length ?? 0);
        done += 1;
        if (done === 40 && !restart) {
          doneAtRestart = done;
          restart = swiftAio('restart-spare-proxy', 45).then(() => undefined, (err: unknown) => err);
        }
      }
    };
    try {
      await Promise.all(conns.map(worker));
      assert.equal(await restart, undefined, 'scripts/swift-aio restart-spare-proxy succeeded');
      assert.ok(doneAtRestart > 0 && doneAtRestart < 200);
      assert.ok(maxTries > 1, 'some upload met the restart and was retried');
      const [, listing] = await conn.getContainer(sub, { fullListing: true });
      assert.equal(listing.length, 200);
      const byName = new Map(listing.map((e) => [e.name, e]));
      for (const { name, data } of objects) {
        assert.equal(byName.get(name)?.hash, md5(data), name);
        assert.equal(byName.get(name)?.bytes, data.length, name);
      }
      for (const { name, data } of objects.filter((_, i) => i % 20 === 0)) {
        const [, got] = await conn.getObject(sub, name);
        assert.ok(got.equals(data), name);
      }
    } finally {
      await restart;
      await purgeContainer(conn, sub);
      await Promise.all(conns.map((c) => c.close()));
    }
  }, { timeout: 90_000 });

  it('100 concurrent mixed calls on one Connection all succeed with the right data', async () => {
    const conn = viaProxy({ startingBackoff: 0.2, maxBackoff: 1 });
    const sub = unique('rel-mixed');
    await direct.putContainer(sub);
    try {
      const seeds = Array.from({ length: 25 }, (_, i) => ({ name: `seed-${i}`, data: randomBytes(500 + i * 101) }));
      await Promise.all(seeds.map((s) => direct.putObject(sub, s.name, s.data)));
      proxy.reset();
      const fresh = Array.from({ length: 25 }, (_, i) => ({ name: `new-${i}`, data: randomBytes(700 + i * 53) }));
      const calls: Array<Promise<void>> = [];
      for (let i = 0; i < 100; i += 1) {
        const seed = seeds[i % 25] as (typeof seeds)[number];
        const item = fresh[Math.floor(i / 4)] as (typeof fresh)[number];
        switch (i % 4) {
          case 0:
            calls.push(conn.putObject(sub, item.name, item.data).then((etag) => assert.equal(etag, md5(item.data))));
            break;
          case 1:
            calls.push(conn.getObject(sub, seed.name).then(([, got]) => assert.ok(got.equals(seed.data), seed.name)));
            break;
          case 2:
            calls.push(conn.headObject(sub, seed.name).then((h) => assert.equal(h.etag, md5(seed.data))));
            break;
          default:
            calls.push(
              conn.getContainer(sub, { prefix: 'seed-' }).then(([, list]) => {
                assert.equal(list.length, 25);
              }),
            );
        }
      }
      const results = await Promise.allSettled(calls);
      const failed = results.filter((r) => r.status === 'rejected');
      assert.deepEqual(failed, []);
      assert.ok(proxy.requests.length >= 100);
      for (const item of fresh) {
        const [, got] = await direct.getObject(sub, item.name);
        assert.ok(got.equals(item.data), item.name);
      }
    } finally {
      await purgeContainer(direct, sub);
      await conn.close();
    }
  });
});

describe('connection reuse', () => {
  it('HEADs, a GET and a DELETE in sequence share one pooled connection (undici would close after each HEAD)', async () => {
    const conn = viaProxy();
    try {
      await conn.putObject(container, 'reuse', 'abc');
      // (this test proxy itself may drop the connection after a PUT)
      await conn.headAccount();
      const before = proxy.connectionsOpened;
      for (let i = 0; i < 10; i += 1) {
        assert.equal((await conn.headObject(container, 'reuse'))['content-length'], '3');
        await conn.headContainer(container);
        await conn.headAccount();
      }
      assert.equal((await conn.getObject(container, 'reuse'))[1].toString(), 'abc');
      await conn.deleteObject(container, 'reuse');
      assert.equal(proxy.seen('HEAD').length, 31);
      if (TRANSPORT === 'fetch' && RUNTIME === 'node') {
        // a documented limit (docs/RUNTIMES.md): Node's fetch closes the connection after every HEAD
        assert.ok(proxy.connectionsOpened - before >= 30, `${proxy.connectionsOpened - before} connections for 31 HEADs`);
      } else {
        assert.equal(proxy.connectionsOpened - before, 0, 'no new connection for 32 requests');
      }
    } finally {
      await conn.close();
    }
  });
});
