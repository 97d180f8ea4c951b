// SwiftService against the local Swift: a tree of 200 small files and two
// 64 MiB files uploaded as SLO and as DLO with 8 MiB segments, downloaded
// elsewhere and compared byte for byte; skip-identical, changed, overwrites,
// segment cleanup after failures, and aborts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Connection, quote, type ConnectionOptions } from '../../src/index.js';
import { SwiftService, type ProgressEvent, type UploadObjectResult, type UploadResult, type UploadSegmentResult } from '../../src/service/index.js';
import { connect, unique } from '../helpers/env.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { mtimeAsSeenHere } from '../helpers/runtime.js';
import { assertSameFile, assertSameTree, collect, makeTree, pythonMtime, randomFile, scratchDir } from '../helpers/service-files.js';

const MiB = 1 << 20;
const BIG = 64 * MiB;
const SEGMENT = 8 * MiB;
const SMALL_FILES = 200;

let root: string;
let src: string;
let conn: Connection;
let swift: SwiftService;
const containers: string[] = [];

function newContainer(prefix: string): string {
  const name = unique(prefix);
  containers.push(name, `${name}_segments`);
  return name;
}

function objects<T extends UploadResult['action']>(results: UploadResult[], action: T): Array<Extract<UploadResult, { action: T }>> {
  return results.filter((r): r is Extract<UploadResult, { action: T }> => r.action === action);
}

function assertAllSucceeded(results: Array<{ success: boolean; action: string; error?: Error | undefined }>): void {
  const failed = results.filter((r) => !r.success);
  assert.deepEqual(failed.map((r) => `${r.action}: ${r.error?.message}`), []);
}

async function segmentNames(container: string): Promise<string[]> {
  const [, listing] = await conn.getContainer(`${container}_segments`, { fullListing: true });
  return listing.map((e) => e.name as string);
}

/** Runs `fn` with a SwiftService whose requests pass through a fresh fault proxy (both closed after). */
async function throughFaultProxy(options: ConnectionOptions, fn: (proxy: FaultProxy, service: SwiftService) => Promise<void>): Promise<void> {
  const proxy = await FaultProxy.start();
  const [, token] = await conn.getAuth();
  const service = new SwiftService(new Connection({ preauthUrl: proxy.storageUrl(), preauthToken: token, ...options }));
  try {
    await fn(proxy, service);
  } finally {
    await service.close();
    await proxy.close();
  }
}

before(async () => {
  root = await scratchDir('svc-transfer');
  src = join(root, 'src');
  await makeTree(src, SMALL_FILES, [BIG, BIG + 12345]);
  conn = connect();
  swift = new SwiftService(conn, { objectThreads: 10, segmentThreads: 8 });
});

after(async () => {
  for (const container of containers) {
    for await (const _ of swift.delete(container, undefined, { leaveSegments: true })) void _;
  }
  await swift.close();
  await conn.close();
  await fsp.rm(root, { recursive: true, force: true });
});

describe('SwiftService upload and download of a tree', () => {
  for (const kind of ['SLO', 'DLO'] as const) {
    test(`${SMALL_FILES} small files and two 64 MiB files as ${kind} with 8 MiB segments, downloaded byte for byte`, async () => {
      const container = newContainer(`svc-${kind.toLowerCase()}`);
      // Recorded here, checked after the upload: the service ignores what a listener throws.
      const events = new Map<string, ProgressEvent[]>();
      const results = await collect(
        swift.upload(container, [{ source: src, objectName: 'tree' }], {
          segmentSize: SEGMENT,
          ...(kind === 'DLO' ? { useDlo: true } : {}),
          onProgress: (e) => {
            const list = events.get(e.object) ?? [];
            list.push(e);
            events.set(e.object, list);
          },
        }),
      );
      assertAllSucceeded(results);
      // Nothing is retried here, so no part restarts: each object's progress only grows.
      for (const [object, list] of events) {
        const at = list.findIndex((e, i) => i > 0 && e.bytesDone < (list[i - 1] as ProgressEvent).bytesDone);
        assert.equal(at, -1, `progress of ${object} went backwards: ${list.slice(Math.max(0, at - 2), at + 1).map((e) => e.bytesDone).join(', ')}`);
      }
      const progress = new Map([...events].map(([object, list]) => [object, list.at(-1) as ProgressEvent]));
      assert.deepEqual(objects(results, 'create_container').map((r) => r.container), [container, `${container}_segments`]);
      const uploads = objects(results, 'upload_object');
      assert.equal(uploads.length, SMALL_FILES + 2);
      assert.deepEqual(objects(results, 'create_dir_marker').map((r) => r.object), ['tree/empty-dir']);
      const segments = objects(results, 'upload_segment');
      assert.equal(segments.length, 8 + 9);
      for (const upload of uploads) {
        assert.equal(upload.status, 'uploaded');
        assert.ok(progress.has(upload.object), `no progress reported for ${upload.object}`);
        assert.equal(progress.get(upload.object)?.bytesDone, progress.get(upload.object)?.bytesTotal, upload.object);
      }

      // Names, manifests and mtimes as python-swiftclient writes them.
      for (const [i, size] of [BIG, BIG + 12345].entries()) {
        const obj = `tree/big-${i}.bin`;
        const mtime = mtimeAsSeenHere(await pythonMtime(join(src, `big-${i}.bin`)));
        const upload = uploads.find((u) => u.object === obj) as UploadObjectResult;
        assert.equal(upload.largeObject, true);
        const names = Array.from({ length: Math.ceil(size / SEGMENT) }, (_, n) =>
          `${obj}/${kind === 'SLO' ? 'slo/' : ''}${mtime}/${size}/${SEGMENT}/${String(n).padStart(8, '0')}`,
        );
        assert.deepEqual(segments.filter((s) => s.forObject === obj).map((s) => s.object).sort(), names);
        const headers = await conn.headObject(container, obj);
        assert.equal(headers['x-object-meta-mtime'], mtime);
        assert.equal(headers['content-length'], String(size));
        if (kind === 'SLO') {
          assert.equal(headers['x-static-large-object'], 'True');
          const [, raw] = await conn.getObject(container, obj, { queryString: 'multipart-manifest=get' });
          const manifest = JSON.parse(raw.toString()) as Array<{ name: string; bytes: number }>;
          assert.deepEqual(manifest.map((m) => m.name), names.map((n) => `/${container}_segments/${n}`));
          assert.equal(manifest.reduce((sum, m) => sum + m.bytes, 0), size);
        } else {
          assert.equal(headers['x-object-manifest'], `${quote(`${container}_segments`)}/${quote(obj)}/${mtime}/${size}/${SEGMENT}/`);
        }
      }
      const small = mtimeAsSeenHere(await pythonMtime(join(src, 'd1', 'file-1.txt')));
      assert.equal((await conn.headObject(container, 'tree/d1/file-1.txt'))['x-object-meta-mtime'], small);

      const out = join(root, `out-${kind}`);
      const downloads = await collect(swift.download(container, undefined, { outputDir: out }));
      assertAllSucceeded(downloads);
      assert.equal(downloads.length, SMALL_FILES + 3);
      assert.equal(downloads.find((d) => d.object === 'tree/big-1.bin')?.bytes, BIG + 12345);
      await assertSameTree(src, join(out, 'tree'));
      const stat = await fsp.stat(join(out, 'tree', 'big-0.bin'));
      assert.ok(Math.abs(stat.mtimeMs / 1000 - Number(await pythonMtime(join(src, 'big-0.bin')))) < 0.001, 'mtime restored');
      await fsp.rm(out, { recursive: true });
    });
  }
});

describe('SwiftService skip-identical, changed and overwrites', () => {
  let container: string;
  before(async () => {
    container = newContainer('svc-skip');
    assertAllSucceeded(await collect(swift.upload(container, [{ source: src, objectName: 'tree' }], { segmentSize: SEGMENT })));
  });

  test('skipIdentical makes a second upload transfer nothing (no PUT at all)', async () => {
    await throughFaultProxy({}, async (proxy, viaProxy) => {
      const results = await collect(
        viaProxy.upload(container, [{ source: src, objectName: 'tree' }], { segmentSize: SEGMENT, skipIdentical: true, skipContainerPut: true }),
      );
      assertAllSucceeded(results);
      const uploads = objects(results, 'upload_object');
      assert.equal(uploads.length, SMALL_FILES + 2);
      assert.deepEqual([...new Set(uploads.map((u) => u.status))], ['skipped-identical']);
      assert.equal(objects(results, 'upload_segment').length, 0);
      // Only the directory marker is PUT again (python does the same without `changed`).
      assert.deepEqual(proxy.seen('PUT').map((r) => r.path.replace(/^.*\//, '')), ['empty-dir']);
      assert.equal(proxy.seen('GET', /multipart-manifest=get/).length, 2);

      proxy.reset();
      const again = await collect(viaProxy.upload(container, [{ source: src, objectName: 'tree' }], { segmentSize: SEGMENT, changed: true, skipContainerPut: true }));
      assertAllSucceeded(again);
      assert.deepEqual([...new Set(objects(again, 'upload_object').map((u) => u.status))], ['skipped-changed']);
      assert.equal(proxy.seen('PUT').length, 0, 'changed: nothing uploaded, not even the unchanged directory marker');
    });
  });

  test('overwriting an SLO removes its old segments, unless leaveSegments', async () => {
    const obj = 'tree/big-0.bin';
    const before = await segmentNames(container);
    const old = before.filter((n) => n.startsWith(`${obj}/`));
    assert.equal(old.length, 8);
    const replacement = join(root, 'replacement.bin');
    await randomFile(replacement, 2 * SEGMENT + 5);
    const results = await collect(swift.upload(container, [{ source: replacement, objectName: obj }], { segmentSize: SEGMENT, skipContainerPut: true }));
    assertAllSucceeded(results);
    const upload = objects(results, 'upload_object')[0] as UploadObjectResult;
    assert.equal(upload.segmentDeleteResults?.length, 8);
    const now = await segmentNames(container);
    assert.deepEqual(now.filter((n) => old.includes(n)), [], 'old segments are gone');
    assert.equal(now.filter((n) => n.startsWith(`${obj}/`)).length, 3);
    assert.equal(now.filter((n) => n.startsWith('tree/big-1.bin/')).length, 9, 'other objects keep theirs');
    const out = join(root, 'replacement-out.bin');
    assertAllSucceeded(await collect(swift.download(container, [obj], { outFile: out })));
    await assertSameFile(replacement, out);

    // leaveSegments: the three segments stay behind the new plain object.
    await randomFile(replacement, 1000);
    assertAllSucceeded(await collect(swift.upload(container, [{ source: replacement, objectName: obj }], { segmentSize: SEGMENT, leaveSegments: true })));
    assert.equal((await segmentNames(container)).filter((n) => n.startsWith(`${obj}/`)).length, 3);
  });

  test('overwriting a DLO removes its old segments', async () => {
    const file = join(root, 'dlo.bin');
    await randomFile(file, 3 * MiB + 1);
    const opts = { segmentSize: MiB, useDlo: true, skipContainerPut: true } as const;
    assertAllSucceeded(await collect(swift.upload(container, [{ source: file, objectName: 'dlo' }], opts)));
    const old = (await segmentNames(container)).filter((n) => n.startsWith('dlo/'));
    assert.equal(old.length, 4);
    await randomFile(file, 2 * MiB + 7);
    await fsp.utimes(file, 1_500_000_000, 1_500_000_000);
    assertAllSucceeded(await collect(swift.upload(container, [{ source: file, objectName: 'dlo' }], opts)));
    const now = (await segmentNames(container)).filter((n) => n.startsWith('dlo/'));
    assert.deepEqual(now, ['00000000', '00000001', '00000002'].map((i) => `dlo/1500000000.000000/${2 * MiB + 7}/${MiB}/${i}`));
    const out = join(root, 'dlo-out.bin');
    assertAllSucceeded(await collect(swift.download(container, ['dlo'], { outFile: out })));
    await assertSameFile(file, out);
  });
});

describe('SwiftService downloads of unusual names', () => {
  test('a 240-byte multibyte name downloads (its temporary name stays under 255 bytes); a name ending in "/" makes its directory', async () => {
    const container = newContainer('svc-names');
    await conn.putContainer(container);
    const long = '日'.repeat(80); // 240 bytes of UTF-8
    await conn.putObject(container, long, 'long');
    await conn.putObject(container, 'pseudo/', '', { contentType: 'application/octet-stream' });
    const out = join(root, 'names');
    const results = await collect(swift.download(container, undefined, { outputDir: out }));
    assertAllSucceeded(results);
    assert.equal(await fsp.readFile(join(out, long), 'utf8'), 'long');
    assert.ok((await fsp.stat(join(out, 'pseudo'))).isDirectory(), 'python makes the directory of a name ending in "/"');
    assert.equal(results.find((r) => r.object === 'pseudo/')?.pseudodir, true);
  });
});

describe('SwiftService download with outFile "-"', () => {
  test('hands back the bytes as contents (plain object checked by MD5, DLO too), writes no file', async () => {
    const container = newContainer('svc-stdout');
    const file = join(root, 'stdout-src.bin');
    await randomFile(file, 3 * MiB + 1);
    const expected = createHash('md5').update(await fsp.readFile(file)).digest('hex');
    assertAllSucceeded(await collect(swift.upload(container, [{ source: file, objectName: 'plain' }])));
    assertAllSucceeded(await collect(swift.upload(container, [{ source: file, objectName: 'dlo' }], { segmentSize: MiB, useDlo: true })));
    await conn.putObject(container, 'marker/', '', { contentType: 'application/directory' });
    for (const obj of ['plain', 'dlo']) {
      const results = await collect(swift.download(container, [obj], { outFile: '-' }));
      assertAllSucceeded(results);
      const r = results[0] as { contents?: AsyncIterable<Buffer>; bytes?: number };
      assert.ok(r.contents, `${obj}: contents handed back`);
      assert.equal(r.bytes, undefined, 'counted only once read');
      const hash = createHash('md5');
      for await (const chunk of r.contents) hash.update(chunk);
      assert.equal(hash.digest('hex'), expected, `${obj}: same bytes`);
      assert.equal(r.bytes, 3 * MiB + 1);
    }
    // A directory marker: empty contents, no directory made.
    const [marker] = (await collect(swift.download(container, ['marker/'], { outFile: '-' }))) as Array<{ contents?: AsyncIterable<Buffer> }>;
    assert.ok(marker?.contents);
    let markerBytes = 0;
    for await (const chunk of marker.contents) markerBytes += chunk.length;
    assert.equal(markerBytes, 0);
    for (const made of ['-', 'marker', `${container}`]) {
      await assert.rejects(fsp.stat(made), /ENOENT/, `${made} was not written`);
    }
  });
});

describe('SwiftService uploads of streams of unknown length', () => {
  test('become an SLO of stream segments, with at most one segment in memory per segment worker', async () => {
    const container = newContainer('svc-stream');
    const total = 5 * 4 * MiB + 4321;
    const chunk = Buffer.alloc(64 * 1024);
    let pulled = 0;
    let sent = 0;
    let maxAhead = 0;
    const hash = createHash('md5');
    async function* source(): AsyncGenerator<Buffer> {
      while (pulled < total) {
        const piece = Buffer.from(chunk.subarray(0, Math.min(chunk.length, total - pulled))).fill(pulled % 251);
        pulled += piece.length;
        maxAhead = Math.max(maxAhead, pulled - sent);
        hash.update(piece);
        yield piece;
      }
    }
    const results = await collect(
      swift.upload(container, [{ source: source(), objectName: 'streamed' }], {
        segmentSize: 4 * MiB,
        segmentThreads: 2,
        onProgress: (e) => (sent = e.bytesDone),
      }),
    );
    assertAllSucceeded(results);
    const upload = objects(results, 'upload_object')[0] as UploadObjectResult;
    assert.equal(upload.largeObject, true);
    assert.equal(upload.bytes, total);
    assert.ok(maxAhead <= 2 * 4 * MiB + chunk.length, `read ${maxAhead} bytes ahead of what was sent`);
    const mtime = upload.headers?.['x-object-meta-mtime'] as string;
    assert.match(mtime, /^\d+\.000000$/);
    assert.deepEqual(
      objects(results, 'upload_segment').map((s) => s.object).sort(),
      Array.from({ length: 6 }, (_, i) => `streamed/slo/${mtime}/${4 * MiB}/${String(i).padStart(8, '0')}`),
    );
    const [headers, body] = await conn.getObject(container, 'streamed');
    assert.equal(headers['content-length'], String(total));
    assert.equal(createHash('md5').update(body).digest('hex'), hash.digest('hex'));
  });

  test('shorter than one segment: a plain object', async () => {
    const container = newContainer('svc-stream-small');
    const results = await collect(
      swift.upload(container, [{ source: Readable.from([Buffer.from('hello '), 'world']), objectName: 'small' }, { source: null, objectName: 'empty' }], {
        segmentSize: MiB,
      }),
    );
    assertAllSucceeded(results);
    assert.deepEqual(objects(results, 'upload_object').map((u) => u.largeObject), [false, false]);
    assert.equal((await conn.getObject(container, 'small'))[1].toString(), 'hello world');
    assert.equal((await conn.headObject(container, 'empty'))['content-length'], '0');
  });
});

describe('SwiftService failures and aborts', () => {
  test('a failed segment upload removes the segments already written', async () => {
    const container = newContainer('svc-fail');
    await throughFaultProxy({ retries: 1, startingBackoff: 0.01 }, async (proxy, viaProxy) => {
      const file = join(root, 'fails.bin');
      await randomFile(file, 6 * MiB);
      proxy.add({ method: 'PUT', path: /\/00000004$/, times: Infinity, fault: { type: 'status', status: 400, body: 'no' } });
      const results = await collect(viaProxy.upload(container, [{ source: file, objectName: 'fails' }], { segmentSize: MiB, segmentThreads: 2 }));
      const upload = objects(results, 'upload_object')[0] as UploadObjectResult;
      assert.equal(upload.success, false);
      assert.match(upload.error?.message ?? '', /not all segments could be uploaded.*removed/);
      const failedSegments = objects(results, 'upload_segment').filter((s: UploadSegmentResult) => !s.success);
      assert.deepEqual(failedSegments.map((s) => s.segmentIndex), [4]);
      const deleted = objects(results, 'delete_segment');
      assert.ok(deleted.length >= 1 && deleted.every((d) => d.success));
      assert.deepEqual(await segmentNames(container), [], 'no segment is left behind');
      await assert.rejects(conn.headObject(container, 'fails'), { httpStatus: 404 });
    });
  });

  test('with leaveSegments a failed re-upload of the same file removes nothing: the live object keeps its segments', async () => {
    const container = newContainer('svc-fail-leave');
    const file = join(root, 'again.bin');
    await randomFile(file, 6 * MiB);
    assertAllSucceeded(await collect(swift.upload(container, [{ source: file, objectName: 'again' }], { segmentSize: MiB })));
    const before = await segmentNames(container);
    await throughFaultProxy({ retries: 1, startingBackoff: 0.01 }, async (proxy, viaProxy) => {
      proxy.add({ method: 'PUT', path: /\/00000004$/, times: Infinity, fault: { type: 'status', status: 400, body: 'no' } });
      const results = await collect(viaProxy.upload(container, [{ source: file, objectName: 'again' }], { segmentSize: MiB, leaveSegments: true, resume: false }));
      const upload = objects(results, 'upload_object')[0] as UploadObjectResult;
      assert.equal(upload.success, false);
      assert.match(upload.error?.message ?? '', /segments are kept \(leaveSegments\)/);
      assert.deepEqual(await segmentNames(container), before, 'every segment of the live object is still there');
      const [, body] = await conn.getObject(container, 'again');
      assert.ok(body.equals(await fsp.readFile(file)));
    });
  });

  test('abort stops an upload: the iterator rejects once nothing is in flight', async () => {
    const container = newContainer('svc-abort');
    const controller = new AbortController();
    const seen: UploadResult[] = [];
    const started = Date.now();
    await assert.rejects(async () => {
      for await (const r of swift.upload(container, [join(src, 'big-0.bin')], {
        segmentSize: SEGMENT,
        segmentThreads: 2,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.bytesDone > 4 * MiB) controller.abort();
        },
      })) {
        seen.push(r);
      }
    }, { name: 'AbortError' });
    assert.ok(Date.now() - started < 20_000);
    assert.equal(seen.filter((r) => r.action === 'upload_object').length, 0);
  });

  test('abort stops a segmented upload of a stream that has stalled (no waiting for its next chunk)', async () => {
    const container = newContainer('svc-abort-stall');
    const sources = {
      Readable: () => {
        const stalled = new PassThrough();
        stalled.write(Buffer.alloc(1500, 1)); // one and a half segments, then nothing
        return stalled;
      },
      'async generator': () =>
        (async function* () {
          yield Buffer.alloc(1500, 2);
          await new Promise(() => undefined);
        })(),
    };
    for (const [label, make] of Object.entries(sources)) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const started = Date.now();
      await assert.rejects(async () => {
        for await (const _ of swift.upload(container, [{ source: make(), objectName: 'stalled' }], { segmentSize: 1000, signal: controller.signal })) void _;
      }, { name: 'AbortError' }, label);
      assert.ok(Date.now() - started < 5000, `${label}: rejected ${Date.now() - started} ms after the start`);
    }
  });

  test('failFast: a container create refused (403) cancels nothing, as python goes on', async () => {
    const container = newContainer('svc-failfast-acl');
    // tester3 may write into this container (ACL) but not create containers
    await conn.putContainer(container, { headers: { 'x-container-write': 'test:tester3', 'x-container-read': 'test:tester3' } });
    const limited = new SwiftService(connect({ user: 'test:tester3', key: 'testing3' }));
    try {
      const results = await collect(
        limited.upload(container, [{ source: Buffer.from('a'), objectName: 'a' }, { source: Buffer.from('b'), objectName: 'b' }], { failFast: true }),
      );
      const create = results.find((r) => r.action === 'create_container');
      assert.equal(create?.success, false);
      assert.equal((create?.error as { httpStatus?: number } | undefined)?.httpStatus, 403);
      assert.deepEqual(objects(results, 'upload_object').map((r) => `${r.object}:${r.success}`).sort(), ['a:true', 'b:true']);
    } finally {
      await limited.close();
    }
  });

  test('checksum: false turns off the MD5 checks of a download and of an upload', async () => {
    const container = newContainer('svc-nochecksum');
    await conn.putContainer(container);
    await conn.putObject(container, 'obj', Buffer.alloc(1000, 7));
    const wrongEtag = { 'content-type': 'text/plain', etag: '0123456789abcdef0123456789abcdef', 'content-length': '0' };
    await throughFaultProxy({ retries: 0 }, async (proxy, viaProxy) => {
      // a GET whose ETag does not match the bytes
      const badGet = () =>
        proxy.add({ method: 'GET', path: /\/obj(\?|$)/, fault: { type: 'status', status: 200, headers: { ...wrongEtag, 'content-length': '5' }, body: 'hello' } });
      badGet();
      const out = join(root, 'nochecksum');
      const checked = await collect(viaProxy.download(container, ['obj'], { outputDir: out }));
      assert.equal(checked[0]?.success, false, 'checked by default');
      badGet();
      const unchecked = await collect(viaProxy.download(container, ['obj'], { outputDir: out, checksum: false }));
      assert.equal(unchecked[0]?.success, true, String(unchecked[0]?.error));
      assert.equal(await fsp.readFile(join(out, 'obj'), 'utf8'), 'hello');
      // a PUT answered with an ETag that is not the MD5 sent
      const badPut = () => proxy.add({ method: 'PUT', path: /\/up$/, fault: { type: 'status', status: 201, headers: wrongEtag } });
      badPut();
      const refused = await collect(viaProxy.upload(container, [{ source: Buffer.from('x'), objectName: 'up' }], { skipContainerPut: true }));
      assert.equal(objects(refused, 'upload_object')[0]?.success, false, 'checked by default');
      badPut();
      const accepted = await collect(viaProxy.upload(container, [{ source: Buffer.from('x'), objectName: 'up' }], { skipContainerPut: true, checksum: false }));
      assert.equal(objects(accepted, 'upload_object')[0]?.success, true);
    });
  });

  test('abort after segments were stored: they, and any cut off in flight, are removed before the iterator rejects', async () => {
    const container = newContainer('svc-abort-clean');
    const controller = new AbortController();
    let stored = 0;
    await assert.rejects(async () => {
      for await (const r of swift.upload(container, [join(src, 'big-0.bin')], { segmentSize: SEGMENT, segmentThreads: 2, signal: controller.signal })) {
        if (r.action === 'upload_segment' && r.success) {
          stored += 1;
          controller.abort();
        }
      }
    }, { name: 'AbortError' });
    assert.ok(stored >= 1);
    assert.deepEqual(await segmentNames(container), [], 'no orphan segment');
    await assert.rejects(conn.headObject(container, 'big-0.bin'), { httpStatus: 404 });
  });

  test('abort during a download leaves no file at the target: only the hidden partial file to resume from, or nothing with resume: false', async () => {
    const container = newContainer('svc-abort-dl');
    assertAllSucceeded(await collect(swift.upload(container, [{ source: join(src, 'big-1.bin'), objectName: 'big' }])));
    const out = join(root, 'abort-dl');
    for (const resume of [true, false]) {
      const controller = new AbortController();
      await assert.rejects(async () => {
        for await (const _ of swift.download(container, ['big'], {
          outputDir: out,
          resume,
          signal: controller.signal,
          onProgress: (e) => {
            if (e.bytesDone > 8 * MiB) controller.abort();
          },
        })) void _;
      }, { name: 'AbortError' });
      const left = resume ? ['.big.swiftclient-partial', '.big.swiftclient-partial.json'] : [];
      assert.deepEqual((await fsp.readdir(out)).sort(), left);
    }
  });
});
