/**
 * Faults between the client and a real Swift: injected statuses, resets,
 * truncations and stalls (through test/helpers/fault-proxy.ts), plus real
 * restarts of memcached and of the Swift proxy. Those restarts hit only the
 * spare proxy of scripts/swift-aio (SWIFT.spareAuthUrl, port 8082, with its
 * own memcached), never the 8080 proxy that test files running concurrently
 * use. Nothing may be lost or spliced, and every failure must be a clear
 * ClientException.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ClientException, Connection, fileSource, ObjectBody, type ConnectionOptions, type ResponseDict } from '../../src/index.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { connect, purgeContainer, RUNTIME, SWIFT, TRANSPORT, unique } from '../helpers/env.js';

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

const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

/** Every test is bounded in time: a hang is a failure, never a stuck run. */
function it(name: string, fn: () => Promise<void>, options: { timeout?: number; todo?: string } = {}): void {
  test(name, { timeout: 20_000, ...options }, fn);
}

let proxy: FaultProxy;
let direct: Connection;
let token: string;
let container: string;
let tmp: string;

/** A Connection whose every request goes through the fault proxy (fast retries). */
function viaProxy(overrides: ConnectionOptions = {}): Connection {
  // connect() has the credentials: re-authentication (after a 401) goes
  // straight to Swift, and preauthUrl survives it
  return connect({ preauthUrl: proxy.storageUrl(), preauthToken: token, startingBackoff: 0.01, maxBackoff: 0.05, ...overrides });
}

const OBJ = (name: string): RegExp => new RegExp(`^/v1/AUTH_test/${container}/${name}(\\?|$)`);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to reject');
}

async function readBody(body: ObjectBody | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

before(async () => {
  proxy = await FaultProxy.start();
  direct = connect({ retries: 8, startingBackoff: 0.2, maxBackoff: 2 });
  [, token] = await direct.getAuth();
  container = unique('rel-faults');
  await direct.putContainer(container);
  tmp = await mkdtemp(join(tmpdir(), 'swiftclient-faults-'));
});

after(async () => {
  await purgeContainer(direct, container);
  await direct.close();
  await proxy.close();
  await rm(tmp, { recursive: true, force: true });
});

beforeEach(() => proxy.reset());

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

describe('uploads reset mid-body', () => {
  const SIZE = 256 * 1024;
  const CUT = 64 * 1024;
  const data = randomBytes(SIZE);
  const text = 'swift'.repeat(SIZE / 5);

  const replayable: Array<[string, () => Promise<Parameters<Connection['putObject']>[2]>, Buffer | string]> = [
    ['string', async () => text, text],
    ['Buffer', async () => data, data],
    ['Uint8Array', async () => new Uint8Array(data.buffer, data.byteOffset, data.byteLength), data],
    ['array of chunks', async () => [data.subarray(0, 100_000), data.subarray(100_000, 200_000), data.subarray(200_000)], data],
    [
      'fileSource(path)',
      async () => {
        const path = join(tmp, 'upload.bin');
        await writeFile(path, data);
        return fileSource(path);
      },
      data,
    ],
    [
      'fileSource(path, { size })',
      async () => {
        const path = join(tmp, 'upload-sized.bin');
        await writeFile(path, data);
        return fileSource(path, { size: SIZE });
      },
      data,
    ],
    ['a function returning a fresh Readable', async () => () => Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), data],
  ];
  // A range read in many chunks through fileSource's reused read buffers.
  const big = randomBytes(3 * 1024 * 1024 + 11);
  const range = { start: 100_003, end: 3 * 1024 * 1024 - 5 };
  replayable.push([
    'fileSource(path, { start, end, highWaterMark: 256 KiB }) of a 3 MiB file',
    async () => {
      const path = join(tmp, 'upload-range.bin');
      await writeFile(path, big);
      return fileSource(path, { ...range, highWaterMark: 256 * 1024 });
    },
    big.subarray(range.start, range.end + 1),
  ]);

  for (const [label, make, expected] of replayable) {
    it(`${label} is replayed after a reset mid-upload`, async () => {
      const conn = viaProxy();
      const name = unique('replay');
      proxy.add({ method: 'PUT', path: OBJ(name), fault: { type: 'resetRequest', afterBytes: CUT } });
      const etag = await conn.putObject(container, name, await make());
      assert.equal(etag, md5(expected));
      // Bun's fetch resends a whole body itself when a reused pooled connection fails
      if (TRANSPORT === 'fetch' && RUNTIME === 'bun') assert.ok(conn.attempts === 1 || conn.attempts === 2, `${conn.attempts} attempts`);
      else assert.equal(conn.attempts, 2);
      const puts = proxy.seen('PUT');
      assert.equal(puts.length, 2);
      assert.ok((puts[0]?.bodyBytes ?? 0) >= CUT, `first try sent ${puts[0]?.bodyBytes} bytes before the reset`);
      assert.equal(puts[1]?.bodyBytes, Buffer.byteLength(expected));
      const headers = await direct.headObject(container, name);
      assert.equal(headers.etag, md5(expected));
      assert.equal(headers['content-length'], String(Buffer.byteLength(expected)));
      await conn.close();
    });
  }

  const oneShot: Array<[string, () => Parameters<Connection['putObject']>[2]]> = [
    ['a Readable', () => Readable.from([data.subarray(0, 100_000), data.subarray(100_000, 200_000), data.subarray(200_000)])],
    [
      'an async generator',
      () =>
        (async function* () {
          for (let at = 0; at < SIZE; at += 32 * 1024) yield data.subarray(at, at + 32 * 1024);
        })(),
    ],
    [
      'a web ReadableStream',
      () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < SIZE; at += 50_000) controller.enqueue(data.subarray(at, at + 50_000));
            controller.close();
          },
        }),
    ],
  ];

  it('a one-shot stream answered 503 after it was read is not resent: "cannot be replayed" with the 503 as cause', async () => {
    const conn = viaProxy();
    const name = unique('oneshot503');
    proxy.failWith(503, 3, { method: 'PUT', path: OBJ(name) });
    const stream = Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]);
    const err = await rejection(conn.putObject(container, name, stream));
    assert.ok(err instanceof ClientException, String(err));
    assert.match(err.message, /cannot be replayed/);
    assert.ok(err.cause instanceof ClientException);
    assert.equal(err.cause.httpStatus, 503);
    assert.equal(err.httpStatus, 503, 'the status stays on the error itself');
    assert.match(err.message, /Object PUT failed and its contents .* 503/);
    assert.equal(proxy.seen('PUT').length, 1);
    assert.equal(proxy.seen('PUT')[0]?.bodyBytes, SIZE);
    await conn.close();
  });

  for (const [label, make] of oneShot) {
    for (const sized of [false, true]) {
      it(`${label}${sized ? ' with contentLength' : ''} reset mid-upload: clear "cannot be replayed" error, nothing stored`, async () => {
        const conn = viaProxy();
        const name = unique('oneshot');
        proxy.add({ method: 'PUT', path: OBJ(name), times: 3, fault: { type: 'resetRequest', afterBytes: CUT } });
        const err = await rejection(conn.putObject(container, name, make(), sized ? { contentLength: SIZE } : {}));
        assert.ok(err instanceof ClientException, String(err));
        assert.match(err.message, /cannot be replayed/);
        assert.ok(err.cause instanceof ClientException, 'the network failure is kept as cause');
        assert.equal(proxy.seen('PUT').length, 1, 'a consumed stream is never resent');
        const gone = await rejection(direct.headObject(container, name));
        assert.ok(gone instanceof ClientException);
        assert.equal(gone.httpStatus, 404);
        await conn.close();
      });
    }
  }
});

describe('downloads cut mid-body', () => {
  const SIZE = 300_000;
  const data = randomBytes(SIZE);
  const name = 'download.bin';
  let etag: string;

  before(async () => {
    etag = await direct.putObject(container, name, data);
  });

  it('a truncated streamed download resumes with Range and If-Match and the bytes match', async () => {
    const conn = viaProxy();
    proxy.add({ method: 'GET', path: OBJ(name), fault: { type: 'truncateResponse', afterBytes: 100_000 } });
    const [headers, body] = await conn.getObject(container, name, { respChunkSize: 65536 });
    assert.equal(headers['content-length'], String(SIZE));
    const got = await readBody(body);
    assert.equal(got.length, SIZE);
    assert.ok(got.equals(data));
    const gets = proxy.seen('GET');
    assert.equal(gets.length, 2);
    assert.equal(gets[0]?.headers.range, undefined);
    if (TRANSPORT === 'fetch' && RUNTIME === 'bun') {
      // Bun's fetch drops the bytes of its last unfinished read when the body is cut: the resume starts where the delivered bytes end
      const from = Number(/^bytes=(\d+)-$/.exec(String(gets[1]?.headers.range))?.[1]);
      assert.ok(from > 0 && from <= 100_000, String(gets[1]?.headers.range));
    } else assert.equal(gets[1]?.headers.range, 'bytes=100000-');
    assert.equal(gets[1]?.headers['if-match'], etag);
    assert.equal(gets[1]?.status, 206);
    assert.equal(conn.attempts, 2);
    await conn.close();
  });

  it('a reset streamed download resumes from what arrived and the bytes match', async () => {
    const conn = viaProxy();
    proxy.add({ method: 'GET', path: OBJ(name), fault: { type: 'resetResponse', afterBytes: 150_000 } });
    const [, body] = await conn.getObject(container, name, { respChunkSize: 10_000 });
    const chunks: Buffer[] = [];
    for await (const chunk of body as ObjectBody) {
      assert.ok(chunk.length <= 10_000);
      chunks.push(chunk);
    }
    assert.ok(Buffer.concat(chunks).equals(data));
    const gets = proxy.seen('GET');
    assert.equal(gets.length, 2);
    const range = /^bytes=(\d+)-$/.exec(String(gets[1]?.headers.range));
    assert.ok(range, `resume Range header: ${gets[1]?.headers.range}`);
    assert.ok(Number(range[1]) <= 150_000);
    assert.equal(gets[1]?.headers['if-match'], etag);
    await conn.close();
  });

  it('read(n) across a cut returns exactly n bytes', async () => {
    const conn = viaProxy();
    proxy.add({ method: 'GET', path: OBJ(name), fault: { type: 'truncateResponse', afterBytes: 70_001 } });
    const [, body] = await conn.getObject(container, name, { respChunkSize: 4096 });
    const b = body as ObjectBody;
    const first = await b.read(100_000);
    assert.equal(first.length, 100_000);
    const rest = await b.read();
    assert.equal(rest.length, SIZE - 100_000);
    assert.equal((await b.read(10)).length, 0);
    assert.ok(Buffer.concat([first, rest]).equals(data));
    assert.equal(proxy.seen('GET').length, 2);
    await conn.close();
  });

  it('an object replaced between the cut and the resume gives ClientException 412, never spliced data', async () => {
    const conn = viaProxy();
    const victim = unique('replaced');
    const original = randomBytes(SIZE);
    await direct.putObject(container, victim, original);
    proxy.add({ method: 'GET', path: OBJ(victim), fault: { type: 'truncateResponse', afterBytes: 100_000 } });
    proxy.add({
      method: 'GET',
      path: OBJ(victim),
      times: 5,
      // the object changes while the client is reconnecting
      before: () => direct.putObject(container, victim, randomBytes(SIZE)),
      fault: { type: 'forward' },
    });
    const [, body] = await conn.getObject(container, victim, { respChunkSize: 65536 });
    const received: Buffer[] = [];
    const err = await rejection(
      (async () => {
        for await (const chunk of body as ObjectBody) received.push(chunk);
      })(),
    );
    assert.ok(err instanceof ClientException, String(err));
    assert.equal(err.httpStatus, 412);
    const gets = proxy.seen('GET');
    assert.equal(gets.length, 2, '412 is not retried');
    assert.equal(gets[1]?.headers['if-match'], md5(original));
    const got = Buffer.concat(received);
    assert.ok(got.length <= 100_000, 'nothing after the cut was delivered');
    assert.ok(got.equals(original.subarray(0, got.length)), 'what was delivered is the original object');
    await conn.close();
  });

  it('a whole-object GET whose body is truncated is retried, never returned short', async () => {
    const conn = viaProxy();
    proxy.add({ method: 'GET', path: OBJ(name), fault: { type: 'truncateResponse', afterBytes: 50_000 } });
    const [, got] = await conn.getObject(container, name);
    assert.equal(got.length, SIZE);
    assert.ok(got.equals(data));
    assert.equal(conn.attempts, 2);
    assert.equal(proxy.seen('GET').length, 2);
    await conn.close();
  });

  it('a whole-object GET truncated on every try fails with a ClientException', async () => {
    const conn = viaProxy({ retries: 2 });
    proxy.add({ method: 'GET', path: OBJ(name), times: Infinity, fault: { type: 'truncateResponse', afterBytes: 50_000 } });
    const err = await rejection(conn.getObject(container, name));
    assert.ok(err instanceof ClientException, String(err));
    assert.equal(err.httpStatus, undefined);
    assert.ok(err.cause, 'the network error is the cause');
    assert.equal(conn.attempts, 3);
    assert.equal(proxy.seen('GET').length, 3);
    await conn.close();
  });

  it('a streamed download cut on every try gives up after retries resumes with a ClientException', async () => {
    const conn = viaProxy({ retries: 2 });
    // 8 cuts, more than retries allow: the 9th GET would succeed, so a resume
    // loop that ignores `retries` shows up as a success instead of a hang
    proxy.add({ method: 'GET', path: OBJ(name), times: 8, fault: { type: 'truncateResponse', afterBytes: 1000 } });
    const [, body] = await conn.getObject(container, name, { respChunkSize: 65536 });
    const outcome = await readBody(body).then(
      (got) => `resolved with ${got.length} bytes`,
      (err: unknown) => err,
    );
    assert.equal(proxy.seen('GET').length, 3, 'one try and two resumes (retries 2), as python-swiftclient');
    assert.ok(outcome instanceof ClientException, String(outcome));
    assert.equal(outcome.httpStatus, undefined);
    await conn.close();
  });
});

describe('timeouts and abort', () => {
  const SIZE = 200_000;
  const data = randomBytes(SIZE);
  const name = 'stall.bin';

  before(async () => {
    await direct.putObject(container, name, data);
  });

  it('timeout 1 with a stall before the headers: ClientException without status, with cause, in a few seconds', async () => {
    const conn = viaProxy({ timeout: 1, retries: 1 });
    proxy.add({ method: 'HEAD', times: Infinity, fault: { type: 'stall', seconds: 6, then: 'close' } });
    const started = performance.now();
    const err = await rejection(conn.headObject(container, name));
    const elapsed = (performance.now() - started) / 1000;
    assert.ok(err instanceof ClientException, String(err));
    assert.equal(err.httpStatus, undefined);
    assert.ok(err.cause instanceof Error);
    assert.match(err.message, /timed out|timeout/i);
    assert.equal(conn.attempts, 2);
    assert.equal(proxy.seen('HEAD').length, 2);
    assert.ok(elapsed >= 1.9 && elapsed < 4, `failed after ${elapsed} s`);
    await conn.close();
  });

  it('timeout 1 with one stall before the headers: the retry succeeds', async () => {
    const conn = viaProxy({ timeout: 1 });
    proxy.add({ method: 'HEAD', fault: { type: 'stall', seconds: 4, then: 'forward' } });
    const started = performance.now();
    const headers = await conn.headObject(container, name);
    const elapsed = (performance.now() - started) / 1000;
    assert.equal(headers['content-length'], String(SIZE));
    assert.equal(conn.attempts, 2);
    assert.ok(elapsed < 3, `took ${elapsed} s`);
    await conn.close();
  });

  it('a sub-second timeout is kept to the millisecond: headers, body silence, and not a slow but steady upload', async () => {
    // undici's own timers tick every ~0.5 s (a 0.2 s timeout would fire on a
    // tick, early or late), and its backstop comes 1 s after the caller's
    // timeout. Five stalled tries, 0.01 s apart: all five timeouts in full
    // (tightly from below), none near the backstop's 1.2 s (loosely from
    // above). The proxy sees each try after its connect, so the gaps
    // between arrivals vary by a connect time either way.
    const conn = viaProxy({ timeout: 0.2, retries: 4, startingBackoff: 0.01, maxBackoff: 0.01 });
    proxy.add({ method: 'HEAD', times: 5, fault: { type: 'stall', seconds: 3, then: 'close' } });
    let started = performance.now();
    const err = await rejection(conn.headObject(container, name));
    let elapsed = (performance.now() - started) / 1000;
    assert.ok(err instanceof ClientException && /timed out/.test(err.message), String(err));
    assert.equal(conn.attempts, 5);
    const gaps = proxy.gaps('HEAD');
    const all = gaps.map((g) => g.toFixed(3)).join(', ');
    assert.equal(gaps.length, 4);
    for (const gap of gaps) assert.ok(gap >= 0.15 && gap < 1, `headers timeouts ${all} s apart`);
    assert.ok(elapsed >= 5 * 0.2 + 4 * 0.01, `five timeouts in ${elapsed} s`);
    await conn.close();

    // Swift's own latency counts from here on (its answer to the PUT comes
    // within the timeout too): 1.5 s leaves room for a loaded machine.
    const resuming = viaProxy({ timeout: 1.5 });
    proxy.add({ method: 'GET', path: OBJ(name), fault: { type: 'stallResponse', afterBytes: 80_000, seconds: 5, then: 'continue' } });
    started = performance.now();
    const [, body] = await resuming.getObject(container, name, { respChunkSize: 65536 });
    assert.ok((await readBody(body)).equals(data));
    elapsed = (performance.now() - started) / 1000;
    assert.ok(elapsed >= 1.5 && elapsed < 4.5, `resumed after ${elapsed} s (the stall lasts 5 s)`);
    assert.ok(proxy.seen('GET').length >= 2);

    // 6 chunks 0.4 s apart: 2.4 s in all, never 1.5 s of silence. The proxy
    // answers once the body is in, so Swift's latency is not what is timed.
    proxy.add({ method: 'PUT', path: OBJ('slow-upload'), fault: { type: 'status', status: 201, headers: { etag: md5(data.subarray(0, 60_000)) }, body: '' } });
    const slow = Readable.from(
      (async function* () {
        for (let i = 0; i < 6; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 400));
          yield data.subarray(i * 10_000, (i + 1) * 10_000);
        }
      })(),
    );
    const etag = await resuming.putObject(container, 'slow-upload', slow);
    assert.equal(etag, md5(data.subarray(0, 60_000)));
    assert.equal(resuming.attempts, 1);
    assert.deepEqual(proxy.seen('PUT').map((r) => r.bodyBytes), [60_000], 'the whole body arrived in one try');
    await resuming.close();
  });

  it('a stall mid-body with respChunkSize resumes after the timeout', async () => {
    const conn = viaProxy({ timeout: 1 });
    proxy.add({ method: 'GET', path: OBJ(name), fault: { type: 'stallResponse', afterBytes: 80_000, seconds: 5, then: 'continue' } });
    const started = performance.now();
    const [, body] = await conn.getObject(container, name, { respChunkSize: 65536 });
    const got = await readBody(body);
    const elapsed = (performance.now() - started) / 1000;
    assert.ok(got.equals(data));
    const gets = proxy.seen('GET');
    assert.equal(gets.length, 2);
    assert.match(String(gets[1]?.headers.range), /^bytes=\d+-$/);
    assert.ok(elapsed >= 0.9 && elapsed < 4, `took ${elapsed} s`);
    await conn.close();
  });

  it('a stall mid-body with retries 0 fails with a ClientException, never hangs', async () => {
    const conn = viaProxy({ timeout: 1, retries: 0 });
    proxy.add({ method: 'GET', path: OBJ(name), fault: { type: 'stallResponse', afterBytes: 80_000, seconds: 10, then: 'continue' } });
    const started = performance.now();
    const [, body] = await conn.getObject(container, name, { respChunkSize: 65536 });
    const err = await rejection(readBody(body));
    const elapsed = (performance.now() - started) / 1000;
    assert.ok(err instanceof ClientException, String(err));
    assert.equal(err.httpStatus, undefined);
    assert.ok(err.cause);
    assert.equal(proxy.seen('GET').length, 1);
    assert.ok(elapsed < 4, `took ${elapsed} s`);
    await conn.close();
  });

  it('a stall mid-body of a whole-object GET is retried after the timeout', async () => {
    const conn = viaProxy({ timeout: 1 });
    proxy.add({ method: 'GET', path: OBJ(name), fault: { type: 'stallResponse', afterBytes: 80_000, seconds: 5, then: 'continue' } });
    const [, got] = await conn.getObject(container, name);
    assert.ok(got.equals(data));
    assert.equal(conn.attempts, 2);
    await conn.close();
  });

  it('aborting during a retry sleep rejects at once with the signal reason', async () => {
    const conn = viaProxy({ startingBackoff: 5, maxBackoff: 10 });
    proxy.failWith(503, Infinity, { method: 'HEAD' });
    const controller = new AbortController();
    let abortedAt = 0;
    const timer = setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 300);
    const err = await rejection(conn.headAccount({ signal: controller.signal }));
    const delay = performance.now() - abortedAt;
    clearTimeout(timer);
    assert.ok(abortedAt > 0, 'rejected before the abort');
    assert.equal(err, controller.signal.reason);
    assert.equal((err as Error).name, 'AbortError');
    assert.ok(delay < 1000, `rejected ${delay} ms after the abort`);
    assert.equal(proxy.seen('HEAD').length, 1);
    await conn.close();
  });

  it('aborting during a stalled request rejects at once with the signal reason', async () => {
    const conn = viaProxy();
    proxy.add({ method: 'HEAD', fault: { type: 'stall', seconds: 5, then: 'close' } });
    const err = await rejection(conn.headAccount({ signal: AbortSignal.timeout(300) }));
    assert.equal((err as Error).name, 'TimeoutError');
    assert.equal(proxy.seen('HEAD').length, 1);
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
