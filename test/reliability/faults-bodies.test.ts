/**
 * Bodies cut between the client and a real Swift (through
 * test/helpers/fault-proxy.ts): uploads reset mid-body are replayed when
 * their source can be read again, else fail clearly with nothing stored;
 * downloads cut mid-body resume with Range and If-Match. Nothing may be lost
 * or spliced, and every failure must be a clear ClientException.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe } from 'node:test';
import { ClientException, fileSource, ObjectBody, type Connection, type ConnectionOptions } from '../../src/index.js';
import { BadAnswerError } from '../../src/errors.js';
import type { FaultProxy } from '../helpers/fault-proxy.js';
import { it, readBody, rejection, startFaultSuite, type FaultSuite } from '../helpers/fault-suite.js';
import { md5, RUNTIME, TRANSPORT, unique } from '../helpers/env.js';

let t: FaultSuite;
let proxy: FaultProxy;
let direct: Connection;
let container: string;
let tmp: string;

before(async () => {
  t = await startFaultSuite('rel-faults');
  ({ proxy, direct, container, tmp } = t);
});

after(() => t.close());

beforeEach(() => proxy.reset());

const viaProxy = (overrides?: ConnectionOptions): Connection => t.viaProxy(overrides);
const OBJ = (name: string): RegExp => t.obj(name);

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

  it('a resume answered with another range than the one asked for is a BadAnswerError, never spliced data', async () => {
    const conn = viaProxy();
    proxy.add({ method: 'GET', path: OBJ(name), fault: { type: 'truncateResponse', afterBytes: 100_000 } });
    // The resumed GET's bytes start where asked; its header claims they start at 0 (a proxy that rewrote it).
    proxy.add({ method: 'GET', path: OBJ(name), fault: { type: 'replaceHeaders', headers: { 'content-range': `bytes 0-${SIZE - 1}/${SIZE}` } } });
    const [, body] = await conn.getObject(container, name, { respChunkSize: 65536 });
    const received: Buffer[] = [];
    const err = await rejection(
      (async () => {
        for await (const chunk of body as ObjectBody) received.push(chunk);
      })(),
    );
    assert.ok(err instanceof BadAnswerError && err instanceof ClientException, String(err));
    assert.equal(err.code, 'HTTP');
    assert.match(err.message, /^Expected range "bytes \d+-299999\/300000" while retrying .* but got "bytes 0-299999\/300000":/);
    const got = Buffer.concat(received);
    assert.ok(got.length <= 100_000, 'nothing after the cut was delivered');
    assert.ok(got.equals(data.subarray(0, got.length)));
    assert.equal(proxy.seen('GET').length, 2);
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
