// Resumable, verified downloads against the local Swift: a download SIGKILLed
// half-way and run again fetches only the rest, through a proxy that counts
// the bytes; an object replaced between the runs is downloaded whole; a
// segment corrupted behind its manifest's back is a ChecksumError naming it,
// and only that segment is fetched again.
//
// The test uses 600 MiB in 64 MiB segments (KILL_TEST full:
// SWIFTCLIENT_KILL_TEST_SIZE=full); 96 MiB in 8 MiB segments otherwise keeps
// the suite fast on two shared cores, with the same assertion: bytes
// received by the second run <= remainder + one segment (+ the manifest or
// listing). One segment thread, so that one segment at most is in flight
// when the process dies.
import assert from 'node:assert/strict';
import { promises as fsp, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { ChecksumError, Connection } from '../../src/index.js';
import { SwiftService, type DownloadObjectResult } from '../../src/service/index.js';
import type { ByteProxy } from '../helpers/byte-proxy.js';
import { transferAndKill } from '../helpers/kill-child.js';
import { KILL_TEST, killTestTurn } from '../helpers/kill-size.js';
import { fileMd5, startProxiedSwift, type ProxiedSwift } from '../helpers/proxied-swift.js';
import { collect, randomFile } from '../helpers/service-files.js';

const MiB = 1 << 20;
const SIZE = KILL_TEST.size + 4321;
const SEGMENT = KILL_TEST.segment;

let t: ProxiedSwift;
let root: string;
let conn: Connection;
let swift: SwiftService;
let proxy: ByteProxy;
let storageUrl: string;
let token: string;
let big: string;

const newContainer = (prefix: string): string => t.newContainer(prefix);
const viaProxy = (): SwiftService => t.viaProxy({ retries: 0 });

async function upload(container: string, path: string, obj: string, options: { segmentSize?: number; useSlo?: boolean }): Promise<void> {
  const results = await collect(swift.upload(container, [{ source: path, objectName: obj }], options));
  assert.deepEqual(results.filter((r) => !r.success).map((r) => r.error?.message), []);
}

const SEGMENT_GET = /_segments\//;

const endTurn = await killTestTurn();

before(async () => {
  t = await startProxiedSwift('resume-down');
  ({ root, conn, proxy, storageUrl, token } = t);
  swift = new SwiftService(conn);
  big = join(root, 'big.bin');
  await randomFile(big, SIZE);
});

after(async () => {
  try {
    await swift.close();
    await t.close();
  } finally {
    await endTurn();
  }
});

/** Bytes the state file beside `outFile` records of segments in progress (0 while it records none). */
function recordedInProgress(outFile: string): number {
  try {
    const state = JSON.parse(readFileSync(join(dirname(outFile), `.${basename(outFile)}.swiftclient-partial.json`), 'utf8')) as { segments?: Record<string, number> };
    return Object.values(state.segments ?? {}).reduce((a, b) => a + b, 0);
  } catch {
    return 0; // not written yet, or replaced while read
  }
}

/**
 * Downloads `obj` in a child killed after half the object came through the
 * proxy; with `inProgress`, only once its state file also records at least
 * that many bytes of segments begun and not finished.
 */
async function killedDownload(
  container: string,
  obj: string,
  outFile: string,
  segmented: boolean,
  o: { segmentThreads?: number; inProgress?: number; size?: number } = {},
): Promise<number> {
  proxy.reset();
  const job = { op: 'download', storageUrl, token, container, objects: [obj], options: { outFile, segmentThreads: o.segmentThreads ?? 1 } };
  const half = (p: ByteProxy): boolean => p.received('GET') >= (o.size ?? SIZE) / 2;
  const outcome = o.inProgress
    ? await transferAndKill(job, proxy, (p) => half(p) && recordedInProgress(outFile) >= (o.inProgress ?? 0), { pollMs: 2 })
    : await transferAndKill(job, proxy, half);
  assert.ok(outcome.killed, `the child finished before half was received: ${outcome.stderr}`);
  await assert.rejects(fsp.stat(outFile), 'nothing at the final path');
  // The killed child's lock is left behind: the next run must take it over by itself.
  await fsp.stat(join(dirname(outFile), `.${basename(outFile)}.swiftclient-partial.lock`));
  // Object bytes: a large object's come from its segments (the manifest or listing is not part of them).
  return segmented ? proxy.received('GET', SEGMENT_GET) : proxy.received('GET');
}

/** Runs the download again through the proxy; returns its result and the bytes received. */
async function downloadAgain(container: string, obj: string, outFile: string): Promise<{ result: DownloadObjectResult; received: number; seconds: string }> {
  proxy.reset();
  const service = viaProxy();
  const t0 = Date.now();
  const [result] = await collect(service.download(container, [obj], { outFile }));
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  await service.close();
  assert.ok(result?.success, result?.error?.message);
  return { result, received: proxy.received('GET'), seconds };
}

describe('resumable downloads', () => {
  // Each test's object (three replicas on tmpfs, 1.8 GiB at full size) and files go when it ends.
  afterEach(async () => {
    await t.deleteContainers();
    for (const name of await fsp.readdir(root)) if (name !== 'big.bin') await fsp.rm(join(root, name), { force: true });
  });
  for (const kind of ['SLO', 'DLO', 'plain'] as const) {
    test(`${kind}: a download SIGKILLed half-way, run again, receives only the rest (+ at most one segment)`, async () => {
      const container = newContainer(`rdown-${kind.toLowerCase()}`);
      await upload(container, big, 'big.bin', kind === 'plain' ? {} : { segmentSize: SEGMENT, useSlo: kind === 'SLO' });
      const out = join(root, `out-${kind}.bin`);
      const before = await killedDownload(container, 'big.bin', out, kind !== 'plain');
      const onDisk = (await fsp.stat(join(root, `.out-${kind}.bin.swiftclient-partial`))).size;
      const { result, received, seconds } = await downloadAgain(container, 'big.bin', out);
      const remainder = SIZE - before;
      const overhead = kind === 'plain' ? 0 : received - proxy.received('GET', SEGMENT_GET);
      console.log(`${kind}: first run received ${before} of ${SIZE}; second run received ${received} in ${seconds} s (${overhead} of them manifest or listing; remainder ${remainder}, bound ${remainder + SEGMENT})`);
      if (kind === 'plain') {
        // No segments: the second run asks for exactly the bytes the partial file lacks. (What the proxy had
        // passed on but the killed process had not yet written, socket and stream buffers, is asked for again.)
        assert.equal(received, SIZE - (result.reusedBytes ?? 0));
      } else {
        assert.ok(received - overhead <= remainder + SEGMENT, `received ${received}, remainder ${remainder}`);
      }
      assert.ok(overhead < 64 * 1024);
      if (kind === 'plain') {
        // Every byte the killed run wrote is kept. What it had not written yet sat in socket buffers,
        // which on loopback grow to tcp_rmem's maximum (32 MiB here) when a loaded child reads slowly.
        assert.equal(result.reusedBytes, onDisk);
        assert.ok(onDisk > 0, `nothing on disk when killed after ${before}`);
      } else assert.ok((result.reusedBytes ?? 0) >= before - SEGMENT, `reused ${result.reusedBytes}`);
      if (kind === 'plain') {
        const ranged = proxy.requests.filter((r) => r.method === 'GET' && r.range !== undefined);
        assert.equal(ranged.length, 1, 'one ranged GET continues the file');
      }
      assert.equal(await fileMd5(out), await fileMd5(big));
      assert.deepEqual((await fsp.readdir(root)).filter((n) => n.includes('swiftclient-partial')), [], 'no partial file left');
    });
  }

/**
 * What the killed run had written of each segment: the bytes from the
 * segment's start on that are already the source's, up to the first byte
 * that differs (a write can end inside a 4 KiB block; a random byte that
 * happens to be zero can count a few bytes too many, never too few).
 */
async function writtenPerSegment(partial: string, source: string): Promise<number[]> {
  const [a, b] = await Promise.all([fsp.open(partial, 'r'), fsp.open(source, 'r')]);
  const block = 4096;
  const [x, y] = [Buffer.alloc(block), Buffer.alloc(block)];
  const written: number[] = [];
  try {
    for (let start = 0; start < SIZE; start += SEGMENT) {
      const end = Math.min(start + SEGMENT, SIZE);
      let at = start;
      for (; at < end; at += block) {
        const n = Math.min(block, end - at);
        await Promise.all([a.read(x, 0, n, at), b.read(y, 0, n, at)]);
        if (!x.subarray(0, n).equals(y.subarray(0, n))) {
          let same = 0;
          while (x[same] === y[same]) same++;
          at += same;
          break;
        }
      }
      written.push(Math.min(at, end) - start);
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
  return written;
}

  test('SLO, 4 segment threads: the second run continues each segment where the killed run recorded it written', async () => {
    const container = newContainer('rdown-threads');
    await upload(container, big, 'big.bin', { segmentSize: SEGMENT, useSlo: true });
    const out = join(root, 'out-threads.bin');
    // Killed while the state file records 2 MiB of segments in progress: those are continued, not fetched again.
    const before = await killedDownload(container, 'big.bin', out, true, { segmentThreads: 4, inProgress: 2 * MiB });
    const written = await writtenPerSegment(join(root, '.out-threads.bin.swiftclient-partial'), big);
    const state = JSON.parse(await fsp.readFile(join(root, '.out-threads.bin.swiftclient-partial.json'), 'utf8')) as { segments: Record<string, number> };
    const segmentBytes = (i: number): number => Math.min(SEGMENT, SIZE - i * SEGMENT);
    for (const [index, bytes] of Object.entries(state.segments)) {
      assert.ok(bytes <= (written[Number(index)] ?? 0), `segment ${index}: ${bytes} bytes recorded, ${written[Number(index)]} written`);
    }
    // Kept by the second run, at least: every whole segment, and what the state file records of the others.
    const keepable = written.reduce((sum, w, i) => sum + (w === segmentBytes(i) ? w : (state.segments[String(i)] ?? 0)), 0);
    proxy.reset();
    const service = viaProxy();
    const [result] = await collect(service.download(container, ['big.bin'], { outFile: out, segmentThreads: 4 }));
    await service.close();
    assert.ok(result?.success, result?.error?.message);
    const received = proxy.received('GET', SEGMENT_GET);
    const wrote = written.reduce((a, b) => a + b, 0);
    const continued = proxy.requests.filter((r) => r.method === 'GET' && SEGMENT_GET.test(r.url) && r.range !== undefined);
    // Not kept: what the killed run wrote after its last save (every few ms), and what it never wrote (socket
    // and stream buffers, up to a segment per thread on loopback; the bound is checked with one thread).
    console.log(`4 threads: first run received ${before} of ${SIZE}, wrote ${wrote}, recorded ${keepable}; second run received ${received}, reused ${result.reusedBytes}, ${continued.length} segments continued`);
    assert.ok(continued.length >= 1, 'a segment in progress is continued with a ranged GET');
    assert.ok((result.reusedBytes ?? 0) >= keepable, `reused ${result.reusedBytes} < ${keepable}`);
    assert.equal(received, SIZE - (result.reusedBytes ?? 0), 'only the bytes not kept are fetched');
    assert.equal(await fileMd5(out), await fileMd5(big));
    assert.deepEqual((await fsp.readdir(root)).filter((n) => n.includes('swiftclient-partial')), [], 'no partial file left');
  });

  // 32 MiB in 4 MiB segments at any kill-test size: what is checked here does not depend on it.
  for (const checksum of [true, false]) {
  test(`SLO${checksum ? '' : ', checksum: false'}: bytes of a segment in progress damaged after the kill are caught by its MD5, and that segment is fetched again whole`, async () => {
    const container = newContainer('rdown-damaged-seg');
    const [size, segmentSize] = [32 * MiB, 4 * MiB];
    const source = join(root, 'damaged-seg-src.bin');
    await randomFile(source, size);
    await upload(container, source, 'src.bin', { segmentSize, useSlo: true });
    const out = join(root, 'out-damaged-seg.bin');
    await killedDownload(container, 'src.bin', out, true, { segmentThreads: 4, inProgress: MiB, size });
    const partial = join(root, '.out-damaged-seg.bin.swiftclient-partial');
    const state = JSON.parse(await fsp.readFile(`${partial}.json`, 'utf8')) as { segments: Record<string, number> };
    const [index, kept] = Object.entries(state.segments).sort((a, b) => b[1] - a[1])[0] as [string, number];
    // Inside what the state file says is written: the resumed segment's MD5 cannot match.
    const handle = await fsp.open(partial, 'r+');
    await handle.write(Buffer.alloc(4096, 0x5a), 0, 4096, Number(index) * segmentSize + Math.floor(kept / 2));
    await handle.close();
    proxy.reset();
    const service = viaProxy();
    // Continued bytes are checked whatever `checksum` says: they are only trusted with the whole segment's MD5.
    const [result] = await collect(service.download(container, ['src.bin'], { outFile: out, segmentThreads: 4, checksum }));
    await service.close();
    assert.ok(result?.success, result?.error?.message);
    const name = `${String(index).padStart(8, '0')}`;
    const gets = proxy.requests.filter((r) => r.method === 'GET' && SEGMENT_GET.test(r.url) && r.url.split('?')[0]?.endsWith(`/${name}`));
    assert.deepEqual(gets.map((r) => r.range !== undefined), [true, false], `segment ${index}: continued, then fetched whole`);
    assert.equal(await fileMd5(out), await fileMd5(source));
  });
  }

  for (const kind of ['SLO', 'plain'] as const) {
    test(`${kind}: an object replaced between the runs is downloaded whole and right`, async () => {
      const container = newContainer(`rdown-repl-${kind.toLowerCase()}`);
      const options = kind === 'plain' ? {} : { segmentSize: SEGMENT, useSlo: true };
      await upload(container, big, 'big.bin', options);
      const out = join(root, `replaced-${kind}.bin`);
      await killedDownload(container, 'big.bin', out, kind !== 'plain');
      const other = join(root, `other-${kind}.bin`);
      await randomFile(other, SIZE);
      await upload(container, other, 'big.bin', options);
      const { received } = await downloadAgain(container, 'big.bin', out);
      assert.ok(received >= SIZE, `received ${received}`);
      assert.equal(await fileMd5(out), await fileMd5(other));
    });
  }

  test('plain: a partial file damaged after the kill (a power cut can leave unwritten pages as zeros) is started over, not a ChecksumError on every run', async () => {
    const container = newContainer('rdown-damaged');
    const path = join(root, 'damaged-src.bin');
    await randomFile(path, 6 * MiB + 5);
    await upload(container, path, 'obj.bin', {});
    const out = join(root, 'damaged.bin');
    const partial = join(root, '.damaged.bin.swiftclient-partial');
    const job = { op: 'download', storageUrl, token, container, objects: ['obj.bin'], options: { outFile: out } };
    // Killed once the child has written 1 MiB (the proxy runs ahead of it by what socket buffers hold).
    const outcome = await transferAndKill(job, proxy, () => (statSync(partial, { throwIfNoEntry: false })?.size ?? 0) >= MiB, { pollMs: 2 });
    assert.ok(outcome.killed, `the child finished before it wrote 1 MiB: ${outcome.stderr}`);
    const handle = await fsp.open(partial, 'r+');
    await handle.write(Buffer.alloc(4096), 0, 4096, 8192);
    await handle.close();
    const { result, received } = await downloadAgain(container, 'obj.bin', out);
    assert.equal(result.reusedBytes ?? 0, 0, 'nothing kept of the damaged partial file');
    assert.ok(received >= 6 * MiB + 5, `the whole object is fetched again: ${received}`);
    assert.equal(await fileMd5(out), await fileMd5(path));
    assert.deepEqual((await fsp.readdir(root)).filter((n) => n.includes('swiftclient-partial')), [], 'no partial file left');
  });
});

describe('verified large-object downloads', () => {
  test('a segment overwritten behind the manifest is a ChecksumError naming it; only that segment is fetched again', async () => {
    const container = newContainer('rdown-corrupt');
    const path = join(root, 'five.bin');
    await randomFile(path, 5 * MiB);
    await upload(container, path, 'five.bin', { segmentSize: MiB, useSlo: true });
    const [, manifest] = await conn.getObject(container, 'five.bin', { queryString: 'multipart-manifest=get' });
    const segments = (JSON.parse(manifest.toString()) as Array<{ name: string }>).map((e) => e.name.replace(/^\//, ''));
    const bad = segments[2] as string;
    const [badContainer, badName] = [bad.slice(0, bad.indexOf('/')), bad.slice(bad.indexOf('/') + 1)];
    const [, original] = await conn.getObject(badContainer, badName);
    await conn.putObject(badContainer, badName, Buffer.alloc(MiB, 7));

    const out = join(root, 'five-out.bin');
    const service = new SwiftService(new Connection({ preauthUrl: storageUrl, preauthToken: token, retries: 0 }), { segmentThreads: 3 });
    try {
      const segmentGets = (name: string) => proxy.requests.filter((r) => r.method === 'GET' && decodeURIComponent(r.url.split('?')[0] as string).endsWith(name)).length;
      proxy.reset();
      const [failed] = await collect(service.download(container, ['five.bin'], { outFile: out }));
      assert.equal(failed?.success, false);
      assert.ok(failed?.error instanceof ChecksumError, String(failed?.error));
      assert.equal((failed.error as ChecksumError).code, 'CHECKSUM');
      assert.match(failed.error.message, new RegExp(`Segment 2 .*${badName.replace(/[.]/g, '\\.')}`));
      assert.equal(segmentGets(badName), 2, 'the bad segment is fetched twice (one retry)');
      await assert.rejects(fsp.stat(out));

      proxy.reset();
      const [again] = await collect(service.download(container, ['five.bin'], { outFile: out }));
      assert.ok(again?.error instanceof ChecksumError);
      assert.deepEqual(segments.map((s) => segmentGets(s.slice(s.indexOf('/') + 1))), [0, 0, 2, 0, 0], 'only the bad segment is fetched again');

      await conn.putObject(badContainer, badName, original);
      proxy.reset();
      const [fixed] = await collect(service.download(container, ['five.bin'], { outFile: out }));
      assert.ok(fixed?.success, fixed?.error?.message);
      assert.deepEqual(segments.map((s) => segmentGets(s.slice(s.indexOf('/') + 1))), [0, 0, 1, 0, 0]);
      assert.equal(await fileMd5(out), await fileMd5(path));
    } finally {
      await service.close();
    }
  });

  test('an SLO with byte ranges, inline data and a ranged nested SLO is downloaded, ranges with Range GETs', async () => {
    const container = newContainer('rdown-ranges');
    const seg = [Buffer.alloc(MiB, 1), Buffer.alloc(MiB, 2), Buffer.alloc(MiB, 3)].map((b, i) => {
      b.write(`segment ${i} starts here`, 0);
      b.write(`segment ${i} ends here`, MiB - 30);
      return b;
    });
    await conn.putContainer(container);
    for (const [i, b] of seg.entries()) await conn.putObject(container, `seg${i}`, b);
    const inner = [{ path: `/${container}/seg1`, range: '100-' }, { data: Buffer.from('inline one').toString('base64') }, { path: `/${container}/seg2` }];
    await conn.putObject(container, 'inner', JSON.stringify(inner), { queryString: 'multipart-manifest=put' });
    const outer = [
      { path: `/${container}/seg0`, range: '10-20009' },
      { data: Buffer.from('and two').toString('base64') },
      { path: `/${container}/inner`, range: `${MiB - 200}-${MiB + 500}` },
      { path: `/${container}/seg2`, range: '-77' },
      { path: `/${container}/seg1` },
    ];
    await conn.putObject(container, 'ranged', JSON.stringify(outer), { queryString: 'multipart-manifest=put' });
    const innerBytes = Buffer.concat([seg[1]!.subarray(100), Buffer.from('inline one'), seg[2]!]);
    const want = Buffer.concat([seg[0]!.subarray(10, 20010), Buffer.from('and two'), innerBytes.subarray(MiB - 200, MiB + 501), seg[2]!.subarray(MiB - 77), seg[1]!]);
    const [, served] = await conn.getObject(container, 'ranged');
    assert.ok(served.equals(want), 'the expected bytes are what Swift serves');

    const out = join(root, 'ranged.bin');
    const service = viaProxy();
    try {
      proxy.reset();
      const [result] = await collect(service.download(container, ['ranged'], { outFile: out }));
      assert.ok(result?.success, result?.error?.message);
      assert.ok((await fsp.readFile(out)).equals(want));
      const gets = proxy.requests.filter((r) => r.method === 'GET' && !r.url.includes('multipart-manifest'));
      const ranges = gets.map((r) => `${decodeURIComponent(r.url.split('?')[0] as string).split('/').at(-1)} ${r.range ?? 'whole'}`).sort();
      // inner's range covers the end of seg1 (from 100) and the start of seg2 after the inline bytes
      const innerSeg2End = MiB + 500 - (MiB - 100) - 'inline one'.length;
      assert.deepEqual(ranges, ['seg0 bytes=10-20009', `seg1 bytes=${MiB - 100}-${MiB - 1}`, 'seg1 whole', `seg2 bytes=0-${innerSeg2End}`, `seg2 bytes=${MiB - 77}-${MiB - 1}`].sort());
    } finally {
      await service.close();
    }
  });
});
