// Blobs and Files (a browser's upload sources) on the Node side, against the
// real Swift: putObject from a Blob (sized, replayed on a retry, progress),
// openObject's body as a Blob, and SwiftService uploading a File as an SLO
// of blob.slice() segments, resumed by the File's own lastModified.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Connection } from '../../src/index.js';
import { SwiftService, uploadBlob, type UploadResult, type UploadSegmentResult } from '../../src/service/index.js';
import { connect, purgeContainer, unique } from '../helpers/env.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { collect } from '../helpers/service-files.js';

const MiB = 1 << 20;
const md5 = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');

let conn: Connection;
let storageUrl: string;
let token: string;
const containers: string[] = [];

before(async () => {
  conn = connect();
  [storageUrl, token] = await conn.getAuth();
});

after(async () => {
  for (const c of containers) await purgeContainer(conn, c);
  await conn.close();
});

async function newContainer(prefix: string): Promise<string> {
  const name = unique(prefix);
  containers.push(name, `${name}_segments`);
  await conn.putContainer(name);
  return name;
}

describe('a Blob as putObject contents', () => {
  test('sent with its size, stored byte for byte, progress up to the size', async () => {
    const c = await newContainer('blob-put');
    const data = randomBytes(3 * MiB + 17);
    const seen: number[] = [];
    const etag = await conn.putObject(c, 'ü blob', new Blob([data], { type: 'application/x-test' }), {
      onProgress: ({ bytes, total }) => {
        assert.equal(total, data.length);
        seen.push(bytes);
      },
    });
    assert.equal(etag, md5(data));
    assert.equal(seen[0], 0);
    assert.equal(seen.at(-1), data.length);
    assert.ok(seen.length > 2, `progress in steps: ${seen.length}`);
    const [headers, body] = await conn.getObject(c, 'ü blob');
    assert.equal(headers['content-length'], String(data.length));
    assert.ok(body.equals(data));
  });

  test('contentLength sends the first bytes of the Blob; one larger than the Blob is refused', async () => {
    const c = await newContainer('blob-part');
    const blob = new Blob(['hello world']);
    await conn.putObject(c, 'part', blob, { contentLength: 5 });
    assert.equal((await conn.getObject(c, 'part'))[1].toString(), 'hello');
    await assert.rejects(conn.putObject(c, 'too-long', blob, { contentLength: 12 }), /larger than the 11 bytes of the Blob/);
  });

  test('replayed after a 503: the retry sends the whole Blob again', async () => {
    const c = await newContainer('blob-retry');
    const proxy = await FaultProxy.start();
    try {
      const via = new Connection({ preauthUrl: proxy.storageUrl(storageUrl.split('/').pop()), preauthToken: token, startingBackoff: 0.01, maxBackoff: 0.05 });
      proxy.failWith(503, 1, { method: 'PUT' });
      const data = randomBytes(MiB + 3);
      assert.equal(await via.putObject(c, 'again', new Blob([data])), md5(data));
      assert.equal(proxy.seen('PUT').length, 2);
      assert.ok((await conn.getObject(c, 'again'))[1].equals(data));
      await via.close();
    } finally {
      await proxy.close();
    }
  });
});

describe('openObject body as a Blob', () => {
  test('the bytes, typed with the Content-Type, MD5-checked', async () => {
    const c = await newContainer('blob-get');
    const data = randomBytes(2 * MiB + 5);
    await conn.putObject(c, 'obj', data, { contentType: 'image/x-test' });
    const { body } = await conn.openObject(c, 'obj');
    const blob = await body.blob();
    assert.equal(blob.type, 'image/x-test');
    assert.equal(blob.size, data.length);
    assert.equal(md5(new Uint8Array(await blob.arrayBuffer())), md5(data));
  });
});

describe('SwiftService upload of a File', () => {
  const SEGMENT = MiB;

  test('a File larger than segmentSize becomes an SLO of blob.slice() segments, named by its lastModified, with progress', async () => {
    const c = await newContainer('blob-slo');
    const data = randomBytes(5 * SEGMENT + 1000);
    const file = new File([data], 'local name.bin', { lastModified: 1_700_000_000_123 });
    const swift = new SwiftService(conn, { segmentThreads: 3 });
    const progress: number[] = [];
    const results = await collect<UploadResult>(
      swift.upload(c, [{ source: file, objectName: 'dir/ä file' }], {
        segmentSize: SEGMENT,
        onProgress: ({ bytesDone, bytesTotal }) => {
          assert.equal(bytesTotal, data.length);
          progress.push(bytesDone);
        },
      }),
    );
    const segments = results.filter((r): r is UploadSegmentResult => r.action === 'upload_segment');
    assert.equal(segments.length, 6);
    assert.ok(segments.every((s) => s.success && s.segmentEtag === md5(data.subarray(s.segmentIndex * SEGMENT, (s.segmentIndex + 1) * SEGMENT))));
    const done = results.find((r) => r.action === 'upload_object');
    assert.equal(done?.success, true, String(done?.error));
    assert.equal(progress.at(-1), data.length);
    // python's segment names, with the File's time as the mtime
    assert.equal(segments.find((s) => s.segmentIndex === 0)?.object, `dir/ä file/slo/1700000000.123000/${data.length}/${SEGMENT}/00000000`);
    const [headers, body] = await conn.getObject(c, 'dir/ä file');
    assert.equal(headers['x-static-large-object'], 'True');
    assert.equal(headers['x-object-meta-mtime'], '1700000000.123000');
    assert.equal(md5(body), md5(data));

    // The same File again after its manifest is gone (an interrupted run):
    // every stored segment is reused (same names, MD5 of each slice checked).
    await conn.deleteObject(c, 'dir/ä file');
    const again = await collect<UploadResult>(swift.upload(c, [{ source: file, objectName: 'dir/ä file' }], { segmentSize: SEGMENT, skipContainerPut: true }));
    const reused = again.filter((r): r is UploadSegmentResult => r.action === 'upload_segment');
    assert.deepEqual(reused.map((r) => r.status), Array(6).fill('reused'));
    assert.equal(md5((await conn.getObject(c, 'dir/ä file'))[1]), md5(data));
  });

  test('a Blob no larger than segmentSize is one PUT', async () => {
    const c = await newContainer('blob-small');
    const data = randomBytes(1000);
    const swift = new SwiftService(conn);
    const results = await collect<UploadResult>(swift.upload(c, [{ source: new Blob([data]), objectName: 'small' }], { segmentSize: SEGMENT }));
    assert.deepEqual(results.filter((r) => r.action === 'upload_segment'), []);
    const done = results.find((r) => r.action === 'upload_object');
    assert.equal(done?.success, true);
    assert.equal(done && 'bytes' in done ? done.bytes : undefined, 1000);
    assert.ok((await conn.getObject(c, 'small'))[1].equals(data));
  });
});

describe('uploadBlob', () => {
  test('a File as an SLO through the segment pool: results, progress, MD5 per segment, the bytes back', async () => {
    const c = unique('blob-fn');
    containers.push(c, `${c}_segments`);
    const data = randomBytes(3 * MiB + 7);
    const progress: number[] = [];
    const seen: string[] = [];
    const result = await uploadBlob(conn, c, 'ü/big', new File([data], 'x'), {
      segmentSize: MiB,
      segmentThreads: 2,
      meta: { Origin: 'test' },
      onProgress: ({ bytesDone }) => progress.push(bytesDone),
      onResult: (r) => seen.push(`${r.action}:${r.success}`),
    });
    assert.equal(result.largeObject, true);
    assert.equal(result.bytes, data.length);
    assert.equal(result.segmentResults?.length, 4);
    assert.deepEqual(seen.sort(), ['create_container:true', 'create_container:true', ...Array(4).fill('upload_segment:true')]);
    assert.equal(progress.at(-1), data.length);
    const [headers, body] = await conn.getObject(c, 'ü/big');
    assert.equal(headers['x-static-large-object'], 'True');
    assert.equal(headers['x-object-meta-origin'], 'test');
    assert.equal(md5(body), md5(data));
  });

  test('a small Blob is one PUT; a failure rejects', async () => {
    const c = await newContainer('blob-fn-small');
    const result = await uploadBlob(conn, c, 'small', new Blob(['abc']), { skipContainerPut: true });
    assert.equal(result.largeObject, false);
    assert.equal((await conn.getObject(c, 'small'))[1].toString(), 'abc');
    await assert.rejects(uploadBlob(conn, unique('missing'), 'x', new Blob(['abc']), { skipContainerPut: true }), (err: Error & { httpStatus?: number }) => err.httpStatus === 404);
  });

  test('an abort mid-upload rejects with the reason and leaves no segments', async () => {
    const c = unique('blob-fn-abort');
    containers.push(c, `${c}_segments`);
    const controller = new AbortController();
    const reason = new DOMException('user cancelled', 'AbortError');
    const upload = uploadBlob(conn, c, 'big', new Blob([randomBytes(8 * MiB)]), {
      segmentSize: MiB,
      segmentThreads: 2,
      signal: controller.signal,
      onResult: (r) => {
        if (r.action === 'upload_segment') controller.abort(reason);
      },
    });
    await assert.rejects(upload, (err) => err === reason);
    const [, left] = await conn.getContainer(`${c}_segments`);
    assert.deepEqual(left, []);
    await assert.rejects(conn.headObject(c, 'big'), (err: Error & { httpStatus?: number }) => err.httpStatus === 404);
  });
});
