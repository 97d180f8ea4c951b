/**
 * Stalls between the client and a real Swift (through
 * test/helpers/fault-proxy.ts): per-call timeouts before the headers and in
 * the middle of a body, and aborts during a retry sleep or a stalled request.
 * A stall never hangs a call: it is retried or fails with a clear
 * ClientException (or the signal's reason).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe } from 'node:test';
import { ClientException, TimeoutError, type Connection, type ConnectionOptions } from '../../src/index.js';
import type { FaultProxy } from '../helpers/fault-proxy.js';
import { md5 } from '../helpers/env.js';
import { it, readBody, rejection, startFaultSuite, type FaultSuite } from '../helpers/fault-suite.js';

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

  it('a body stall with no retry left is a TimeoutError named by the call, read whole or streamed', async () => {
    const conn = viaProxy({ timeout: 1, retries: 0 });
    proxy.add({ method: 'GET', path: OBJ(name), times: 2, fault: { type: 'stallResponse', afterBytes: 80_000, seconds: 3, then: 'close' } });
    const whole = await rejection(conn.getObject(container, name));
    assert.ok(whole instanceof TimeoutError && whole.code === 'TIMEOUT', String(whole));
    assert.match((whole as ClientException).msg, /^Object GET failed: timed out/);
    const [, body] = await conn.getObject(container, name, { respChunkSize: 65536 });
    const streamed = await rejection(readBody(body));
    assert.ok(streamed instanceof TimeoutError && streamed.code === 'TIMEOUT', String(streamed));
    assert.match((streamed as ClientException).msg, new RegExp(`^Object GET ${container}/${name} failed: timed out`));
    assert.equal(proxy.seen('GET').length, 2);
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
