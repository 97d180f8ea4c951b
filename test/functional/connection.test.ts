// A port of python-swiftclient's tests/functional/test_swiftclient.py
// (TestFunctional), case by case, against the local Swift, plus the upload
// variants the TypeScript API adds. Every python setUp/tearDown becomes a
// beforeEach/afterEach with names unique to the test.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, after, before, beforeEach, describe, test } from 'node:test';
import { Headers as UndiciHeaders } from 'undici';
import { ClientException, setObjectExpiry, type Connection, type ObjectBody } from '../../src/index.js';
import { startCutProxy } from '../helpers/cut-proxy.js';
import { connect, purgeContainer, unique } from '../helpers/env.js';

const TEST_DATA = Buffer.from('42'.repeat(10));
const ETAG = '2704306ec982238d85d4b235c925d58e';
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

const md5 = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');

interface Fixture {
  conn: Connection;
  containername: string;
  containername2: string;
  containername3: string;
  objectname: string;
  objectname2: string;
}

let f: Fixture;

async function setUp(): Promise<Fixture> {
  const base = unique('pyport-container');
  const objectname = unique('pyport-object');
  const fixture: Fixture = {
    conn: connect(),
    containername: base,
    containername2: `${base}_second`,
    containername3: `${base}_third`,
    objectname,
    objectname2: `${objectname}_second`,
  };
  const { conn } = fixture;
  await conn.putContainer(fixture.containername);
  await conn.putContainer(fixture.containername2);
  await conn.putObject(fixture.containername, fixture.objectname, TEST_DATA);
  await conn.putObject(fixture.containername, fixture.objectname2, TEST_DATA);
  return fixture;
}

async function tearDown(fixture: Fixture): Promise<void> {
  const { conn } = fixture;
  for (const container of [fixture.containername, fixture.containername2, fixture.containername3, `${fixture.containername}_segments`]) {
    await purgeContainer(conn, container);
  }
  await conn.close();
}

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

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts);
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

  test('test_download_object', async () => {
    const { conn } = f;
    // whole object
    const [hdrs, whole] = await conn.getObject(f.containername, f.objectname);
    assert.ok(Buffer.isBuffer(whole));
    assert.ok(whole.equals(TEST_DATA));
    assert.equal(hdrs.etag, ETAG);

    // in chunks: an async iterable
    const [, body] = await conn.getObject(f.containername, f.objectname, { respChunkSize: 10 });
    assert.ok(!Buffer.isBuffer(body));
    const chunks: Buffer[] = [];
    for await (const chunk of body as ObjectBody) {
      assert.ok(chunk.length <= 10 && chunk.length > 0, `chunk of ${chunk.length} bytes`);
      chunks.push(chunk);
    }
    assert.ok(Buffer.concat(chunks).equals(TEST_DATA));
    assert.equal(chunks.length, 2);

    // in chunks, with read()
    const [, body2] = await conn.getObject(f.containername, f.objectname, { respChunkSize: 10 });
    const rb = body2 as ObjectBody;
    const numBytes = 5;
    let downloaded = await rb.read(numBytes);
    assert.equal(downloaded.length, numBytes);
    downloaded = Buffer.concat([downloaded, await rb.read()]);
    assert.ok(downloaded.equals(TEST_DATA));
    // at the end, read() gives an empty Buffer
    assert.equal((await rb.read(5)).length, 0);
  });

  test('test_put_object_using_generator (empty chunks tolerated)', async () => {
    function* data(): Generator<Buffer> {
      yield Buffer.from('should');
      yield Buffer.from('');
      yield Buffer.from(' tolerate');
      yield Buffer.from('');
      yield Buffer.from(' empty chunks');
    }
    await f.conn.putObject(f.containername, f.objectname, data());
    const [, body] = await f.conn.getObject(f.containername, f.objectname);
    assert.equal(body.toString(), 'should tolerate empty chunks');

    async function* adata(): AsyncGenerator<string> {
      yield '';
      yield 'async';
      yield '';
      yield ' too';
      yield '';
    }
    await f.conn.putObject(f.containername, f.objectname2, adata());
    const [, body2] = await f.conn.getObject(f.containername, f.objectname2);
    assert.equal(body2.toString(), 'async too');
  });

  test('test_download_object_non_chunked', async () => {
    const { conn } = f;
    const [, body] = await conn.getObject(f.containername, f.objectname);
    assert.ok(Buffer.isBuffer(body));
    assert.ok(body.equals(TEST_DATA));
    assert.equal(conn.attempts, 1);

    const [, body0] = await conn.getObject(f.containername, f.objectname, { respChunkSize: 0 });
    assert.ok(Buffer.isBuffer(body0), 'respChunkSize 0 must give a Buffer');
    assert.ok(body0.equals(TEST_DATA));
    assert.equal(conn.attempts, 1);
  });

  test('test_post_account', async () => {
    // A key of our own: other test files share the account.
    const key = `x-account-meta-${unique('data')}`;
    await f.conn.postAccount({ [key]: 'Something' });
    try {
      const headers = await f.conn.headAccount();
      assert.equal(headers[key], 'Something');
    } finally {
      await f.conn.postAccount({ [key]: '' });
    }
    const headers = await f.conn.headAccount();
    assert.equal(headers[key], undefined);
  });

  test('test_post_container', async () => {
    await f.conn.postContainer(f.containername, { 'x-container-meta-color': 'Something' });
    const headers = await f.conn.headContainer(f.containername);
    assert.equal(headers['x-container-meta-color'], 'Something');
  });

  test('test_post_object', async () => {
    await f.conn.postObject(f.containername, f.objectname, {
      'x-object-meta-color': 'Something',
      'x-object-meta-uni': Buffer.from([0xd8, 0xaa]).toString('utf8'),
      'x-object-meta-int': 123,
      'x-object-meta-float': 45.67,
      'x-object-meta-bool': false,
    });
    const headers = await f.conn.headObject(f.containername, f.objectname);
    assert.equal(headers['x-object-meta-color'], 'Something');
    assert.equal(headers['x-object-meta-uni'], 'ت');
    assert.equal(headers['x-object-meta-int'], '123');
    assert.equal(headers['x-object-meta-float'], '45.67');
    // python sends str(False) == 'False'; API.md specifies JavaScript's 'false'
    assert.equal(headers['x-object-meta-bool'], 'false');
  });

  test('test_post_object_unicode_header_name (refused before sending)', async () => {
    await f.conn.postObject(f.containername, f.objectname, { 'x-object-meta-color': 'Before' });
    const name = 'x-object-meta-\u{1f44d}';
    await assert.rejects(
      f.conn.postObject(f.containername, f.objectname, { 'x-object-meta-color': 'After', [name]: '\u{1f44d}' }),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.ok(err.message.includes(name), `message does not name the header: ${err.message}`);
        return true;
      },
    );
    // nothing was sent: the metadata is unchanged
    const headers = await f.conn.headObject(f.containername, f.objectname);
    assert.equal(headers['x-object-meta-color'], 'Before');
  });

  test('test_copy_object', async () => {
    const { conn } = f;
    await conn.putObject(f.containername, f.objectname, TEST_DATA);
    await conn.copyObject(f.containername, f.objectname, { headers: { 'x-object-meta-color': 'Something' } });
    let headers = await conn.headObject(f.containername, f.objectname);
    assert.equal(headers['x-object-meta-color'], 'Something');

    await conn.copyObject(f.containername, f.objectname, { headers: { 'x-object-meta-taste': 'Second' } });
    headers = await conn.headObject(f.containername, f.objectname);
    assert.equal(headers['x-object-meta-color'], 'Something');
    assert.equal(headers['x-object-meta-taste'], 'Second');

    const destination = `/${f.containername}/${f.objectname2}`;
    await conn.putObject(f.containername, f.objectname2, 'to be overwritten');
    await conn.copyObject(f.containername, f.objectname, { destination, headers: { 'x-object-meta-taste': 'Second' } });
    const [headers2, data] = await conn.getObject(f.containername, f.objectname2);
    assert.ok(data.equals(TEST_DATA));
    assert.equal(headers2['x-object-meta-color'], 'Something');
    assert.equal(headers2['x-object-meta-taste'], 'Second');

    await conn.copyObject(f.containername, f.objectname, {
      destination,
      headers: { 'x-object-meta-color': 'Else' },
      freshMetadata: true,
    });
    headers = await conn.headObject(f.containername, f.objectname2);
    assert.equal(headers['x-object-meta-color'], 'Else');
    assert.equal(headers['x-object-meta-taste'], undefined);
    // the source is untouched
    headers = await conn.headObject(f.containername, f.objectname);
    assert.equal(headers['x-object-meta-color'], 'Something');
  });

  test('copy to another container', async () => {
    const { conn } = f;
    await conn.copyObject(f.containername, f.objectname, { destination: `/${f.containername2}/copied` });
    const [headers, data] = await conn.getObject(f.containername2, 'copied');
    assert.ok(data.equals(TEST_DATA));
    assert.equal(headers.etag, ETAG);
  });

  test('test_get_capabilities', async () => {
    const { conn } = f;
    const resp = await conn.getCapabilities();
    assert.ok(resp.swift, 'no swift section');
    assert.equal(typeof resp.swift.version, 'string');

    const [storageUrl] = await conn.getAuth();
    const fromStorage = await conn.getCapabilities(storageUrl);
    assert.deepEqual(fromStorage.swift, resp.swift);

    const origin = new URL(storageUrl).origin;
    for (const clusterUrl of [origin, `${origin}/`, `${origin}/info`]) {
      const caps = await conn.getCapabilities(clusterUrl);
      assert.deepEqual(caps.swift, resp.swift, `capabilities from ${clusterUrl}`);
    }
  });

  test('getCapabilities authenticates first when the connection has no URL yet', async () => {
    const fresh = connect();
    try {
      assert.equal(fresh.url, undefined);
      const caps = await fresh.getCapabilities();
      assert.ok(caps.swift);
      assert.ok(fresh.url, 'getCapabilities() should have authenticated');
    } finally {
      await fresh.close();
    }
  });
});

// test_download_object_retry_chunked and ..._auth_failure: python drains
// body.resp to fake a dropped connection; here a proxy really drops it.
describe('download resumes after a dropped connection', () => {
  const BIG = randomBytes(384 * 1024);
  const CUT_AFTER = 128 * 1024;
  const CHUNK = 4096;
  let conn: Connection;
  let container: string;
  const objectname = 'big-object';
  let storageUrl: string;
  let token: string;

  before(async () => {
    conn = connect();
    container = unique('pyport-retry');
    await conn.putContainer(container);
    await conn.putObject(container, objectname, BIG);
    [storageUrl, token] = await conn.getAuth();
  });

  after(async () => {
    await purgeContainer(conn, container);
    await conn.close();
  });

  async function throughProxy(): Promise<{ pconn: Connection; proxy: Awaited<ReturnType<typeof startCutProxy>> }> {
    const target = new URL(storageUrl);
    const proxy = await startCutProxy({ targetHost: target.hostname, targetPort: Number(target.port || 80), cutAfter: CUT_AFTER, hold: true });
    const pconn = connect({ preauthUrl: `${proxy.origin}${target.pathname}`, preauthToken: token });
    return { pconn, proxy };
  }

  test('test_download_object_retry_chunked', async () => {
    const { pconn, proxy } = await throughProxy();
    try {
      const [hdrs, body] = await pconn.getObject(container, objectname, { respChunkSize: CHUNK });
      assert.equal(hdrs['content-length'], String(BIG.length));
      const it = (body as ObjectBody)[Symbol.asyncIterator]();
      const first = await it.next();
      assert.equal(first.done, false);
      assert.ok((first.value as Buffer).equals(BIG.subarray(0, CHUNK)));
      assert.equal(pconn.attempts, 1);

      proxy.release(); // the proxy now closes the connection mid-body
      const parts: Buffer[] = [first.value as Buffer];
      for (;;) {
        const step = await it.next();
        if (step.done) break;
        assert.ok(step.value.length <= CHUNK);
        parts.push(step.value);
      }
      assert.equal(proxy.cuts, 1, 'the proxy never cut the connection');
      const data = Buffer.concat(parts);
      assert.equal(data.length, BIG.length);
      assert.ok(data.equals(BIG), 'resumed body differs from the object');
      assert.equal(pconn.attempts, 2);
      assert.ok(proxy.connections >= 2, 'no second connection was made to resume');
    } finally {
      await pconn.close();
      await proxy.close();
    }
  });

  test('test_download_object_retry_chunked_auth_failure', async () => {
    const { pconn, proxy } = await throughProxy();
    try {
      pconn.token = 'invalid';
      const [, body] = await pconn.getObject(container, objectname, { respChunkSize: CHUNK });
      assert.equal(pconn.attempts, 2); // 401, re-auth, 200
      assert.notEqual(pconn.token, 'invalid');
      assert.ok(pconn.url?.startsWith(proxy.origin), `preauthUrl lost on re-auth: ${pconn.url}`);

      const it = (body as ObjectBody)[Symbol.asyncIterator]();
      const first = await it.next();
      assert.ok((first.value as Buffer).equals(BIG.subarray(0, CHUNK)));
      assert.equal(pconn.attempts, 2);

      pconn.token = 'invalid'; // the resume will get a 401 and re-authenticate
      proxy.release();
      const parts: Buffer[] = [first.value as Buffer];
      for (;;) {
        const step = await it.next();
        if (step.done) break;
        parts.push(step.value);
      }
      assert.equal(proxy.cuts, 1, 'the proxy never cut the connection');
      const data = Buffer.concat(parts);
      assert.ok(data.equals(BIG), 'resumed body differs from the object');
      assert.equal(pconn.attempts, 4);
      assert.notEqual(pconn.token, 'invalid');
      assert.ok(pconn.url?.startsWith(proxy.origin));
    } finally {
      await pconn.close();
      await proxy.close();
    }
  });

  test('read(n) across the cut returns exactly n bytes and the rest', async () => {
    const { pconn, proxy } = await throughProxy();
    try {
      proxy.release(); // cut as soon as CUT_AFTER bytes went through
      const [, body] = await pconn.getObject(container, objectname, { respChunkSize: CHUNK });
      const rb = body as ObjectBody;
      const head = await rb.read(200 * 1024); // spans the cut
      assert.equal(head.length, 200 * 1024);
      assert.ok(head.equals(BIG.subarray(0, 200 * 1024)));
      const rest = await rb.read();
      assert.ok(Buffer.concat([head, rest]).equals(BIG));
      assert.equal(proxy.cuts, 1);
      assert.equal(pconn.attempts, 2);
    } finally {
      await pconn.close();
      await proxy.close();
    }
  });

  test('a non-chunked download through a dropped connection is retried whole', async () => {
    const { pconn, proxy } = await throughProxy();
    try {
      proxy.release();
      const [, body] = await pconn.getObject(container, objectname);
      assert.ok(Buffer.isBuffer(body));
      assert.ok(body.equals(BIG));
      assert.equal(proxy.cuts, 1);
      assert.equal(pconn.attempts, 2);
    } finally {
      await pconn.close();
      await proxy.close();
    }
  });
});

// Keep the helper honest: the resume test above is only meaningful if the
// proxy really breaks a download that cannot resume.
test('the cut proxy really breaks a download (ranged GETs are not resumed)', async () => {
  const conn = connect();
  const container = unique('pyport-cut');
  const data = randomBytes(256 * 1024);
  await conn.putContainer(container);
  const [storageUrl, token] = await conn.getAuth();
  const target = new URL(storageUrl);
  const proxy = await startCutProxy({ targetPort: Number(target.port || 80), cutAfter: 64 * 1024 });
  const pconn = connect({ preauthUrl: `${proxy.origin}${target.pathname}`, preauthToken: token, retries: 0 });
  try {
    await conn.putObject(container, 'o', data);
    // With a Range header there is no resume: the break surfaces as an error.
    const [, body] = await pconn.getObject(container, 'o', { respChunkSize: 4096, headers: { Range: 'bytes=0-200000' } });
    await assert.rejects(collect(body as ObjectBody), (err: unknown) => err instanceof Error);
    assert.equal(proxy.cuts, 1);
  } finally {
    await pconn.close();
    await proxy.close();
    await purgeContainer(conn, container);
    await conn.close();
  }
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
});
