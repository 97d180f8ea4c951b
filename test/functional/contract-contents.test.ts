// API.md behaviours beyond the python port, checked against the local Swift:
// listings, object bodies (streamed up and down, ranges, close), and the MD5
// checks against the ETag.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ChecksumError, ClientException, Connection, quote, type ObjectBody, type ResponseDict } from '../../src/index.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { rejectsAsync, startContractSuite, type ContractSuite } from '../helpers/contract-suite.js';
import { SWIFT, connect, md5, unique } from '../helpers/env.js';

let t: ContractSuite;
let conn: Connection;
let storageUrl: string;
let token: string;
let created: string[];

before(async () => {
  t = await startContractSuite();
  ({ conn, storageUrl, token, created } = t);
});

after(() => t.close());

const newContainer = (suffix?: string, headers?: Record<string, string>): Promise<string> => t.newContainer(suffix, headers);

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
