// A port of python-swiftclient's tests/functional/test_swiftclient.py
// (TestFunctional), case by case, against the local Swift: the download,
// post, copy and capabilities cases, and downloads resumed after a dropped
// connection. The account, container and upload cases are in
// connection-upload.test.ts, under the same suite name. Every python
// setUp/tearDown becomes a beforeEach/afterEach with names unique to the test
// (test/helpers/python-port.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, after, before, beforeEach, describe, test } from 'node:test';
import type { Connection, ObjectBody } from '../../src/index.js';
import { startCutProxy } from '../helpers/cut-proxy.js';
import { connect, purgeContainer, unique } from '../helpers/env.js';
import { ETAG, setUp, tearDown, TEST_DATA, type Fixture } from '../helpers/python-port.js';

let f: Fixture;

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
