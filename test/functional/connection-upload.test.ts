// A port of python-swiftclient's tests/functional/test_swiftclient.py
// (TestFunctional), case by case, against the local Swift: the account,
// container and upload cases, plus the upload variants the TypeScript API adds
// and caller input the way python would send it. The download, post, copy and
// capabilities cases are in connection-download.test.ts, under the same suite
// name. Every python setUp/tearDown becomes a beforeEach/afterEach with names
// unique to the test (test/helpers/python-port.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { afterEach, after, before, beforeEach, describe, test } from 'node:test';
import { Headers as UndiciHeaders } from 'undici';
import { ClientException, fileSource, setObjectExpiry, type Connection } from '../../src/index.js';
import { connect, md5, purgeContainer, unique } from '../helpers/env.js';
import { ETAG, setUp, tearDown, TEST_DATA, type Fixture } from '../helpers/python-port.js';

const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

let f: Fixture;

function checkAccountHeaders(headers: Record<string, string>): void {
  for (const h of [
    'content-length',
    'x-account-object-count',
    'x-timestamp',
    'x-trans-id',
    'date',
    'x-account-bytes-used',
    'x-account-container-count',
    'content-type',
    'accept-ranges',
  ]) {
    assert.ok(h in headers, `missing header ${h}`);
    assert.ok(headers[h], `empty header ${h}`);
  }
}

function checkContainerHeaders(headers: Record<string, string>): void {
  for (const h of [
    'content-length',
    'x-container-object-count',
    'x-timestamp',
    'x-trans-id',
    'date',
    'x-container-bytes-used',
    'content-type',
    'accept-ranges',
  ]) {
    assert.ok(headers[h], `missing or empty header ${h}`);
  }
}

/** HEAD the object and check length, ETag and Content-Type as python does. */
async function checkObject(data: Buffer, contentType = 'application/octet-stream'): Promise<void> {
  const hdrs = await f.conn.headObject(f.containername, f.objectname);
  assert.equal(hdrs['content-length'], String(data.length));
  assert.equal(hdrs.etag?.replace(/^"|"$/g, ''), md5(data));
  assert.equal(hdrs['content-type'], contentType);
  const [, body] = await f.conn.getObject(f.containername, f.objectname);
  assert.ok(body.equals(data), 'downloaded bytes differ from the uploaded ones');
}

describe('python-swiftclient functional tests', () => {
  beforeEach(async () => {
    f = await setUp();
  });
  afterEach(async () => {
    await tearDown(f);
  });

  test('test_stat_account', async () => {
    const headers = await f.conn.headAccount();
    checkAccountHeaders(headers);
  });

  test('test_list_account', async () => {
    const { conn } = f;
    let [headers, containers] = await conn.getAccount();
    checkAccountHeaders(headers);
    assert.ok(containers.length > 0);
    const testContainer = containers.find((c) => c.name === f.containername);
    assert.ok(testContainer, 'own container not listed');
    assert.ok((testContainer.bytes as number) >= 0);
    assert.ok((testContainer.count as number) >= 0);

    // list limit
    [headers, containers] = await conn.getAccount({ limit: 1 });
    assert.equal(containers.length, 1);

    // full listing
    [headers, containers] = await conn.getAccount({ limit: 1, fullListing: true });
    assert.ok(containers.length >= 2);
    const names = containers.map((c) => c.name);
    assert.ok(names.includes(f.containername) && names.includes(f.containername2));
    assert.equal(new Set(names).size, names.length, 'full listing repeats entries');

    // marker
    [headers, containers] = await conn.getAccount({ marker: f.containername });
    assert.ok(containers.length >= 1);
    assert.equal(containers[0]?.name, f.containername2);

    // prefix
    [, containers] = await conn.getAccount({ prefix: 'dne' });
    assert.equal(containers.length, 0);

    // delimiter
    [, containers] = await conn.getAccount({ prefix: f.containername, delimiter: '_' });
    assert.equal(containers.length, 2);
    assert.equal(containers[0]?.name, f.containername);
    const subdir = containers[1]?.subdir;
    assert.equal(typeof subdir, 'string');
    assert.ok(f.containername2.startsWith(subdir as string));
  });

  test('test_stat_container', async () => {
    const headers = await f.conn.headContainer(f.containername);
    checkContainerHeaders(headers);
    assert.equal(headers['x-container-object-count'], '2');
    assert.equal(headers['x-container-bytes-used'], String(2 * TEST_DATA.length));
  });

  test('test_list_container', async () => {
    const { conn } = f;
    let [headers, objects] = await conn.getContainer(f.containername);
    checkContainerHeaders(headers);
    assert.ok(objects.length > 0);
    const testObject = objects.find((o) => o.name === f.objectname);
    assert.ok(testObject, 'own object not listed');
    assert.equal(testObject.bytes, TEST_DATA.length);
    assert.equal(testObject.hash, ETAG);
    assert.equal(testObject.content_type, 'application/octet-stream');

    // list limit
    [headers, objects] = await conn.getContainer(f.containername, { limit: 1 });
    assert.equal(objects.length, 1);

    // full listing
    [headers, objects] = await conn.getContainer(f.containername, { limit: 1, fullListing: true });
    assert.equal(objects.length, 2);
    assert.deepEqual(
      objects.map((o) => o.name),
      [f.objectname, f.objectname2],
    );

    // marker
    [headers, objects] = await conn.getContainer(f.containername, { marker: f.objectname });
    assert.equal(objects.length, 1);
    assert.equal(objects[0]?.name, f.objectname2);
  });

  test('test_create_container', async () => {
    await f.conn.putContainer(f.containername3);
    const headers = await f.conn.headContainer(f.containername3);
    assert.ok(headers['x-timestamp']);
    assert.equal(headers['x-container-object-count'], '0');
  });

  test('test_delete', async () => {
    const { conn } = f;
    await conn.deleteObject(f.containername, f.objectname);
    await conn.deleteObject(f.containername, f.objectname2);
    await conn.deleteContainer(f.containername);
    // Container HEAD fails only if every previous request succeeded
    await assert.rejects(conn.headContainer(f.containername), (err: unknown) => {
      assert.ok(err instanceof ClientException);
      assert.equal(err.httpStatus, 404);
      return true;
    });
  });

  describe('test_upload_object', () => {
    test('content from a string', async () => {
      await f.conn.putObject(f.containername, f.objectname, TEST_DATA.toString('utf8'));
      await checkObject(TEST_DATA);
    });

    test('content from a Buffer, returns the ETag', async () => {
      const data = randomBytes(1000);
      const etag = await f.conn.putObject(f.containername, f.objectname, data);
      assert.equal(etag, md5(data));
      await checkObject(data);
    });

    test('content from a Uint8Array', async () => {
      const data = new Uint8Array(randomBytes(100));
      await f.conn.putObject(f.containername, f.objectname, data);
      await checkObject(Buffer.from(data));
    });

    test('with contentType', async () => {
      await f.conn.putObject(f.containername, f.objectname, TEST_DATA, { contentType: 'text/plain' });
      await checkObject(TEST_DATA, 'text/plain');
    });

    test('with Content-Type in headers', async () => {
      await f.conn.putObject(f.containername, f.objectname, TEST_DATA, { headers: { 'Content-Type': 'text/plain' } });
      await checkObject(TEST_DATA, 'text/plain');
    });

    test('contentType overrides Content-Type in headers', async () => {
      await f.conn.putObject(f.containername, f.objectname, TEST_DATA, {
        contentType: 'image/jpeg',
        headers: { 'Content-Type': 'text/plain' },
      });
      await checkObject(TEST_DATA, 'image/jpeg');
    });

    test('with contentLength', async () => {
      await f.conn.putObject(f.containername, f.objectname, TEST_DATA, { contentLength: TEST_DATA.length });
      await checkObject(TEST_DATA);
    });

    test('content from a Node Readable (file-like object)', async () => {
      await f.conn.putObject(f.containername, f.objectname, Readable.from([TEST_DATA]));
      await checkObject(TEST_DATA);
    });

    test('content from a Readable read in chunks with contentLength and chunkSize', async () => {
      const pieces = [TEST_DATA.subarray(0, 7), TEST_DATA.subarray(7, 13), TEST_DATA.subarray(13)];
      await f.conn.putObject(f.containername, f.objectname, Readable.from(pieces), {
        contentLength: TEST_DATA.length,
        chunkSize: 10,
      });
      await checkObject(TEST_DATA);
    });

    test('contentLength smaller than the stream sends only that many bytes', async () => {
      await f.conn.putObject(f.containername, f.objectname, Readable.from([TEST_DATA]), { contentLength: 10 });
      await checkObject(TEST_DATA.subarray(0, 10));
    });

    test('content from a web ReadableStream', async () => {
      const data = randomBytes(5000);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(data.subarray(0, 1234)));
          controller.enqueue(new Uint8Array(data.subarray(1234)));
          controller.close();
        },
      });
      await f.conn.putObject(f.containername, f.objectname, stream);
      await checkObject(data);
    });

    test('content from an async generator', async () => {
      const data = randomBytes(3000);
      async function* gen(): AsyncGenerator<Buffer> {
        for (let at = 0; at < data.length; at += 1000) yield data.subarray(at, at + 1000);
      }
      await f.conn.putObject(f.containername, f.objectname, gen());
      await checkObject(data);
    });

    test('content from a sync generator and from an array of chunks', async () => {
      function* gen(): Generator<string | Buffer> {
        yield '4242';
        yield Buffer.from('424242');
        yield '4242424242';
      }
      await f.conn.putObject(f.containername, f.objectname, gen());
      await checkObject(TEST_DATA);
      await f.conn.putObject(f.containername, f.objectname, ['42424242', Buffer.from('42424242'), '4242']);
      await checkObject(TEST_DATA);
    });

    test('null and undefined contents make an empty object', async () => {
      await f.conn.putObject(f.containername, f.objectname, null);
      let hdrs = await f.conn.headObject(f.containername, f.objectname);
      assert.equal(hdrs['content-length'], '0');
      assert.equal(hdrs.etag, EMPTY_MD5);
      await f.conn.putObject(f.containername, f.objectname2, undefined);
      hdrs = await f.conn.headObject(f.containername, f.objectname2);
      assert.equal(hdrs['content-length'], '0');
      assert.equal(hdrs.etag, EMPTY_MD5);
    });

    test('wrong etag is refused by the server (422)', async () => {
      const other = Buffer.from('something else');
      await f.conn.putObject(f.containername, f.objectname, other);
      await assert.rejects(f.conn.putObject(f.containername, f.objectname, TEST_DATA, { etag: 'invalid' }), (err: unknown) => {
        assert.ok(err instanceof ClientException);
        assert.equal(err.httpStatus, 422);
        assert.match(err.message, /^Object PUT failed: /);
        return true;
      });
      // the object was not replaced
      const [, body] = await f.conn.getObject(f.containername, f.objectname);
      assert.ok(body.equals(other));
    });

    test('the right etag is accepted', async () => {
      const etag = await f.conn.putObject(f.containername, f.objectname, TEST_DATA, { etag: ETAG });
      assert.equal(etag, ETAG);
      await checkObject(TEST_DATA);
    });
  });
});

describe('caller input the way python would send it', () => {
  let conn: Connection;
  const container = unique('caller-input');
  before(async () => {
    conn = connect({ retries: 3, startingBackoff: 0.05 });
    await conn.putContainer(container);
  });
  after(async () => {
    await purgeContainer(conn, container);
    await conn.close();
  });

  test('a queryString with non-ASCII or spaces goes out percent-encoded as UTF-8, as requests sends it', async () => {
    await conn.putObject(container, 'ünï 😀', 'x');
    await conn.putObject(container, 'a b', 'y');
    await conn.putObject(container, 'other', 'z');
    const names = async (queryString: string) => (await conn.getContainer(container, { queryString }))[1].map((o) => o.name);
    assert.deepEqual(await names('prefix=ünï'), ['ünï 😀']);
    assert.deepEqual(await names('?prefix=ünï 😀'), ['ünï 😀']);
    assert.deepEqual(await names('prefix=a b'), ['a b']);
    // an escape the caller already made stays as it is
    assert.deepEqual(await names('prefix=a%20b'), ['a b']);
    const dict: Record<string, unknown> = {};
    await conn.headObject(container, 'a b', { queryString: 'x=ü', responseDict: dict });
    assert.equal(dict.status, 200);
  });

  test("headers given as a Headers (the global or undici's) or a Map are sent, not ignored", async () => {
    const asHeaders = (set: unknown) => set as Record<string, string>;
    await conn.putObject(container, 'hdrs', 'x', { headers: asHeaders(new Map([['X-Object-Meta-From', 'map']])) });
    assert.equal((await conn.headObject(container, 'hdrs'))['x-object-meta-from'], 'map');
    await conn.postObject(container, 'hdrs', asHeaders(new Headers({ 'X-Object-Meta-From': 'headers' })));
    assert.equal((await conn.headObject(container, 'hdrs'))['x-object-meta-from'], 'headers');
    await conn.postObject(container, 'hdrs', asHeaders(new UndiciHeaders({ 'X-Object-Meta-From': 'undici' })));
    assert.equal((await conn.headObject(container, 'hdrs'))['x-object-meta-from'], 'undici');
    // helpers that add headers of their own keep the caller's
    await setObjectExpiry(conn, container, 'hdrs', { deleteAfter: 3600 }, { headers: asHeaders(new Map([['X-Object-Meta-From', 'expiry']])) });
    const after = await conn.headObject(container, 'hdrs');
    assert.equal(after['x-object-meta-from'], 'expiry');
    assert.ok(after['x-delete-at']);
  });

  test('a sync iterable of promises is awaited chunk by chunk, as for await does', async () => {
    const etag = await conn.putObject(container, 'promised', (function* () {
      yield Promise.resolve('ab');
      yield Promise.resolve(Buffer.from('cd'));
    })());
    assert.equal(etag, md5(Buffer.from('abcd')));
    assert.equal((await conn.getObject(container, 'promised'))[1].toString(), 'abcd');
  });

  test('a bad chunk mid-stream closes the caller\'s source', async () => {
    let closed = false;
    const source = (async function* () {
      try {
        yield 'abc';
        yield 42 as unknown as string;
        yield 'never';
      } finally {
        closed = true;
      }
    })();
    await assert.rejects(conn.putObject(container, 'bad-chunk', source), /Unsupported chunk/);
    assert.ok(closed, 'the generator\'s finally ran');
    const readable = Readable.from([Buffer.from('abc'), 42], { objectMode: true });
    await assert.rejects(conn.putObject(container, 'bad-chunk', readable), /Unsupported chunk/);
    assert.ok(readable.destroyed, 'the Readable was destroyed');
  });

  test('getAuth with a signal already aborted: rejects with its reason, starts no login, leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const wrong = connect({ key: 'wrong', retries: 0 });
      await assert.rejects(wrong.getAuth({ signal: AbortSignal.abort() }), { name: 'AbortError' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(unhandled, []);
      assert.equal(wrong.token, undefined, 'no login ran');
      await wrong.close();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test("the caller's own stream failing comes back as that error, untried again, with nothing stored", async () => {
    const boom = new Error('boom');
    const sources: Array<[string, () => Parameters<Connection['putObject']>[2]]> = [
      ['a Readable that errors after some bytes', () => new Readable({ read() { this.push(Buffer.alloc(100_000, 1)); this.destroy(boom); } })],
      ['a generator that throws after a chunk', () => (async function* () { yield 'abc'; throw boom; })()],
      ['a body factory whose stream throws', () => () => (async function* () { yield 'abc'; throw boom; })()],
    ];
    for (const [label, make] of sources) {
      const name = `failing-${label.length}`;
      await assert.rejects(conn.putObject(container, name, make()), (e: unknown) => e === boom, label);
      assert.equal(conn.attempts, 1, `${label}: not retried`);
      await assert.rejects(conn.headObject(container, name), (e: ClientException) => e.httpStatus === 404, `${label}: nothing stored`);
    }
  });

  test('a stream that fails before the request reads it (a file that cannot be opened) rejects the call, never ends the process', async () => {
    const missing = `/nonexistent-${unique('file')}`;
    const boom = new Error('boom');
    const sources: Array<[string, () => Parameters<Connection['putObject']>[2], (e: unknown) => boolean]> = [
      ['a Readable that errors on the next tick', () => {
        const early = new Readable({ read() {} });
        process.nextTick(() => early.destroy(boom)); // before the call's first await: Bun emits the error before the body is looked at
        return early;
      }, (e) => e === boom],
      ['a Readable that errors during the login', () => {
        const early = new Readable({ read() {} });
        setTimeout(() => early.destroy(boom), 1); // while the login is under way, before the transport reads the body
        return early;
      }, (e) => e === boom],
      ['a read stream of a missing file', () => createReadStream(missing), (e) => (e as NodeJS.ErrnoException).code === 'ENOENT'],
      ['a body factory opening a missing file', () => () => createReadStream(missing), (e) => (e as NodeJS.ErrnoException).code === 'ENOENT'],
      ['fileSource of a missing file', () => fileSource(missing), (e) => (e as NodeJS.ErrnoException).code === 'ENOENT'],
    ];
    // A fresh connection: the bodies fail while it logs in and opens its sockets, before any is read.
    const fresh = connect({ retries: 0 });
    try {
      const outcomes = await Promise.allSettled(
        [1, 2, 3].flatMap((round) => sources.map(([label, make]) => fresh.putObject(container, `early-${label.length}-${round}`, make()))),
      );
      outcomes.forEach((outcome, i) => {
        const [label, , expected] = sources[i % sources.length] as (typeof sources)[number];
        assert.equal(outcome.status, 'rejected', label);
        assert.ok(expected((outcome as PromiseRejectedResult).reason), `${label}: ${String((outcome as PromiseRejectedResult).reason)}`);
      });
      const [, stored] = await conn.getContainer(container, { prefix: 'early-' });
      assert.deepEqual(stored, [], 'nothing stored');
    } finally {
      await fresh.close();
    }
  });
});
