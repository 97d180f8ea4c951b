// Resumable segmented uploads against the local Swift: an upload SIGKILLed
// half-way (ours, or python's `swift upload`) and run again sends only what
// was not stored, through a proxy that counts the bytes; a changed file never
// reuses a stale segment.
//
// The issue's test uses a 600 MiB file in 64 MiB segments (KILL_TEST full:
// SWIFTCLIENT_KILL_TEST_SIZE=full); 96 MiB in 8 MiB segments otherwise keeps
// the suite fast on two shared cores, with the same assertion: bytes sent by
// the second run <= unsent remainder + one segment + the manifest. One
// segment thread, so that one segment at most is in flight when the process
// dies (with N threads, up to N partial segments).
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { SwiftService, UploadOptions, UploadResult, UploadSegmentResult } from '../../src/service/index.js';
import { runAndKill, transferAndKill } from '../helpers/kill-child.js';
import { KILL_TEST, killTestTurn } from '../helpers/kill-size.js';
import { fileMd5, objectMd5 as md5Of, startProxiedSwift, type ProxiedSwift } from '../helpers/proxied-swift.js';
import { MTIME_TO_THE_MS } from '../helpers/runtime.js';
import { collect, randomFile } from '../helpers/service-files.js';

const MiB = 1 << 20;
const SIZE = KILL_TEST.size + 12345;
const SEGMENT = KILL_TEST.segment;

let t: ProxiedSwift;
let root: string;
let storageUrl: string;
let token: string;

const newContainer = (prefix: string): string => t.newContainer(prefix);
const objectMd5 = (container: string, obj: string): Promise<string> => md5Of(t.conn, container, obj);
const viaProxy = () => t.viaProxy();

// Segments, not the note of an overwrite (see retired-segments.ts).
const SEGMENT_PUT = /_segments\/(?!\.swiftclient-retired\/)/;
const MANIFEST_PUT = /multipart-manifest=put/;

const endTurn = await killTestTurn();

before(async () => {
  t = await startProxiedSwift('resume-up');
  ({ root, storageUrl, token } = t);
});

after(async () => {
  try {
    await t.close();
  } finally {
    await endTurn();
  }
});

/** Runs the second upload through the proxy and checks the bound on what it re-sent. */
async function resumeAndCheck(container: string, obj: string, path: string, sentBefore: number, useSlo: boolean): Promise<UploadResult[]> {
  t.proxy.reset();
  const swift = viaProxy();
  const t0 = Date.now();
  const results = await collect(swift.upload(container, [{ source: path, objectName: obj }], { segmentSize: SEGMENT, useSlo }));
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  await swift.close();
  assert.deepEqual(results.filter((r) => !r.success).map((r) => r.error?.message), []);
  const segmentBytes = t.proxy.sent('PUT', SEGMENT_PUT);
  const manifestBytes = useSlo ? t.proxy.sent('PUT', MANIFEST_PUT) : 0;
  const remainder = SIZE - sentBefore;
  // The measured numbers, for the report.
  console.log(`${useSlo ? 'SLO' : 'DLO'} ${obj}: first run sent ${sentBefore} of ${SIZE}; second run sent ${segmentBytes} segment bytes + ${manifestBytes} manifest bytes in ${seconds} s (remainder ${remainder}, bound ${remainder + SEGMENT})`);
  assert.ok(segmentBytes <= remainder + SEGMENT, `second run sent ${segmentBytes} segment bytes; remainder ${remainder} + one segment ${SEGMENT}`);
  assert.ok(segmentBytes < SIZE / 2 + SEGMENT, 'most of the first run was reused');
  // One listing of the segment prefix, no HEAD per segment.
  const lists = t.proxy.requests.filter((r) => r.method === 'GET' && r.url.includes('_segments?') && r.url.includes('prefix='));
  assert.ok(lists.length >= 1 && lists.length <= 2, `${lists.length} listings`); // the second is the empty page that ends it
  // Then a HEAD of the segment after the listed run (a listing may lag behind the last writes): one that is missing, at most.
  const heads = t.proxy.requests.filter((r) => r.method === 'HEAD' && SEGMENT_PUT.test(r.url));
  assert.ok(heads.filter((r) => r.status === 404).length <= 1, `${heads.length} HEADs`);
  const reused = results.filter((r): r is UploadSegmentResult => r.action === 'upload_segment' && r.status === 'reused');
  // Every segment wholly sent before the kill, but the last one (its PUT may not have been answered).
  assert.ok(reused.length >= Math.floor(SIZE / 2 / SEGMENT) - 1, `${reused.length} segments reused`);
  assert.equal(await objectMd5(container, obj), await fileMd5(path));
  return results;
}

describe('resumable segmented uploads', () => {
  let big: string;
  before(async () => {
    big = join(root, 'big.bin');
    await randomFile(big, SIZE);
  });
  // Three replicas of each test's object on tmpfs: 1.8 GiB at full size.
  afterEach(() => t.deleteContainers());

  for (const useSlo of [true, false]) {
    test(`${useSlo ? 'SLO' : 'DLO'}: a run SIGKILLed half-way, run again, sends only the rest (+ at most one segment)`, async () => {
      const container = newContainer(useSlo ? 'resume-slo' : 'resume-dlo');
      t.proxy.reset();
      const job = {
        op: 'upload',
        storageUrl,
        token,
        container,
        objects: [{ source: big, objectName: 'big.bin' }],
        options: { segmentSize: SEGMENT, useSlo, segmentThreads: 1 },
      };
      const outcome = await transferAndKill(job, t.proxy, (p) => p.sent('PUT', SEGMENT_PUT) >= SIZE / 2);
      assert.ok(outcome.killed, `the child finished before half was sent: ${outcome.stderr}`);
      const sentBefore = t.proxy.sent('PUT', SEGMENT_PUT);
      await assert.rejects(t.conn.headObject(container, 'big.bin'), 'no manifest was written before the kill');
      await resumeAndCheck(container, 'big.bin', big, sentBefore, useSlo);
    });
  }

  // Segment names hold the file's mtime as python prints it; Deno sees mtimes
  // only to the millisecond, so its names never match python's (see RUNTIMES.md).
  test("python's `swift upload` SIGKILLed half-way is finished by ours, sending only the rest", { skip: MTIME_TO_THE_MS && 'Deno sees file mtimes only to the millisecond' }, async () => {
    const container = newContainer('resume-py');
    t.proxy.reset();
    const args = ['--os-storage-url', storageUrl, '--os-auth-token', token, 'upload', '-S', String(SEGMENT), '--use-slo', '--segment-threads', '1', '--object-name', 'py.bin', container, big];
    const outcome = await runAndKill('/usr/bin/swift', args, t.proxy, (p) => p.sent('PUT', SEGMENT_PUT) >= SIZE / 2);
    assert.ok(outcome.killed, `python finished before half was sent: ${outcome.stderr}`);
    await resumeAndCheck(container, 'py.bin', big, t.proxy.sent('PUT', SEGMENT_PUT), true);
  });
});

describe('resume never reuses a stale segment', () => {
  test('a re-upload of the same file sends no segment; a byte changed in place (same mtime and size) re-sends only its segment', async () => {
    const container = newContainer('resume-stale');
    const path = join(root, 'stale.bin');
    const size = 5 * MiB + 7;
    await randomFile(path, size);
    // A whole-second mtime, so that it can be set back exactly after the change.
    const mtime = 1_700_000_000;
    await fsp.utimes(path, mtime, mtime);
    const swift = viaProxy();
    try {
      const upload = () => collect(swift.upload(container, [{ source: path, objectName: 'stale.bin' }], { segmentSize: MiB, segmentThreads: 3 }));
      assert.deepEqual((await upload()).filter((r) => !r.success), []);

      t.proxy.reset();
      assert.deepEqual((await upload()).filter((r) => !r.success), []);
      assert.equal(t.proxy.sent('PUT', SEGMENT_PUT), 0, 'nothing re-sent for an identical file');

      const handle = await fsp.open(path, 'r+');
      await handle.write(Buffer.from('changed!'), 0, 8, 2 * MiB + 100);
      await handle.close();
      await fsp.utimes(path, mtime, mtime);
      t.proxy.reset();
      const results = await upload();
      assert.deepEqual(results.filter((r) => !r.success), []);
      const puts = t.proxy.requests.filter((r) => r.method === 'PUT' && SEGMENT_PUT.test(r.url));
      assert.deepEqual(puts.map((r) => decodeURIComponent(r.url).slice(-8)), ['00000002']);
      assert.equal(await objectMd5(container, 'stale.bin'), await fileMd5(path));
    } finally {
      await swift.close();
    }
  });

  test('a file whose mtime changed starts afresh (its segment names differ)', async () => {
    const container = newContainer('resume-touch');
    const path = join(root, 'touch.bin');
    await randomFile(path, 3 * MiB);
    const swift = viaProxy();
    try {
      const upload = () => collect(swift.upload(container, [{ source: path, objectName: 't.bin' }], { segmentSize: MiB }));
      await upload();
      await fsp.utimes(path, new Date(), new Date(Date.now() + 5000));
      t.proxy.reset();
      assert.deepEqual((await upload()).filter((r) => !r.success), []);
      assert.equal(t.proxy.sent('PUT', SEGMENT_PUT), 3 * MiB);
      assert.equal(await objectMd5(container, 't.bin'), await fileMd5(path));
    } finally {
      await swift.close();
    }
  });
});

describe('an overwrite killed before it deleted the old segments', () => {
  afterEach(() => t.deleteContainers());

  /** Stored names in `container`'s segment container, sorted. */
  async function segmentNames(container: string): Promise<string[]> {
    const [, listing] = await t.conn.getContainer(`${container}_segments`, { fullListing: true });
    return listing.map((e) => String(e.name)).sort();
  }

  /**
   * Uploads a first version of `path` as `obj`, then a second (another size:
   * other segment names) in a child killed once `at` was stored: the note of
   * the old segments, or the new manifest (whose answer never reaches the
   * child). Returns the first version's segment names and its MD5.
   */
  async function killedOverwrite(container: string, path: string, options: { segmentSize: number; useSlo: boolean }, at: 'note' | 'manifest'): Promise<{ old: string[]; oldMd5: string }> {
    await randomFile(path, 4 * MiB + 7);
    const first = viaProxy();
    assert.deepEqual((await collect(first.upload(container, [{ source: path, objectName: 'obj' }], options))).filter((r) => !r.success), []);
    await first.close();
    const old = await segmentNames(container);
    assert.equal(old.length, 5);
    const oldMd5 = await fileMd5(path);
    await randomFile(path, 4 * MiB + 9);
    let stored = false;
    let release: () => void = () => undefined;
    const matches = (r: { method: string; url: string }): boolean => {
      if (r.method !== 'PUT') return false;
      if (at === 'note') return r.url.includes('/.swiftclient-retired/');
      // The object's own PUT: not a segment's, nor the note's (whose name ends with the object's too).
      return !r.url.includes('_segments/') && (options.useSlo ? MANIFEST_PUT.test(r.url) : r.url.split('?')[0]?.endsWith(`/${container}/obj`) === true);
    };
    t.proxy.reset();
    t.proxy.hold = (r) => {
      if (stored || !matches(r)) return undefined;
      stored = true;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const job = { op: 'upload', storageUrl, token, container, objects: [{ source: path, objectName: 'obj' }], options: { ...options, segmentThreads: 2 } };
    try {
      const outcome = await transferAndKill(job, t.proxy, () => stored, { pollMs: 5 });
      assert.ok(outcome.killed, `the child finished: ${outcome.stderr}`);
    } finally {
      t.proxy.hold = undefined;
      release();
    }
    return { old, oldMd5 };
  }

  /** Runs the upload again (`changed`: as `upload --changed` would); returns its results. */
  async function again(container: string, path: string, options: { segmentSize: number; useSlo: boolean; changed?: boolean }): Promise<UploadResult[]> {
    t.proxy.reset();
    const swift = viaProxy();
    const results = await collect(swift.upload(container, [{ source: path, objectName: 'obj' }], options));
    await swift.close();
    assert.deepEqual(results.filter((r) => !r.success).map((r) => r.error?.message), []);
    assert.deepEqual(t.proxy.requests.filter((r) => r.method === 'PUT' && SEGMENT_PUT.test(r.url)), [], 'every new segment is reused');
    return results;
  }

  const cases = [
    { useSlo: true, changed: false },
    { useSlo: false, changed: false },
    { useSlo: true, changed: true },
  ];
  for (const { useSlo, changed } of cases) {
    const kind = useSlo ? 'SLO' : 'DLO';
    test(`${kind}: killed after the new manifest, the old segments are noted, and the re-run${changed ? ' with `changed` (which skips the object)' : ''} deletes them`, async () => {
      const container = newContainer(`retire-${kind.toLowerCase()}`);
      const path = join(root, `retire-${kind}.bin`);
      const options = { segmentSize: MiB, useSlo };
      const { old } = await killedOverwrite(container, path, options, 'manifest');
      assert.equal(await objectMd5(container, 'obj'), await fileMd5(path), 'the new manifest was stored');
      const left = await segmentNames(container);
      const note = `.swiftclient-retired/${container}/obj`;
      assert.ok(old.every((n) => left.includes(n)), 'the old segments are still there');
      const [, body] = await t.conn.getObject(`${container}_segments`, note);
      assert.deepEqual((JSON.parse(body.toString()) as { segments: string[] }).segments.sort(), old.map((n) => `${container}_segments/${n}`));

      const results = await again(container, path, { ...options, changed });
      if (changed) assert.equal(results.find((r) => r.action === 'upload_object')?.status, 'skipped-changed');
      const now = await segmentNames(container);
      assert.deepEqual(now.filter((n) => old.includes(n) || n === note), [], 'old segments and the note are gone');
      assert.equal(now.length, 5, 'the new segments stay');
      assert.equal(await objectMd5(container, 'obj'), await fileMd5(path));
    });
  }

  test('SLO: killed after the note, before the new manifest: the object is the old one, and the re-run drops the stale note', async () => {
    const container = newContainer('retire-early');
    const path = join(root, 'retire-early.bin');
    const options = { segmentSize: MiB, useSlo: true };
    const { old, oldMd5 } = await killedOverwrite(container, path, options, 'note');
    assert.equal(await objectMd5(container, 'obj'), oldMd5, 'the old object is whole');
    await again(container, path, options);
    const now = await segmentNames(container);
    assert.deepEqual(now.filter((n) => old.includes(n) || n.startsWith('.swiftclient-retired/')), [], 'old segments and the note are gone');
    assert.equal(now.length, 5);
    assert.equal(await objectMd5(container, 'obj'), await fileMd5(path));
  });

  /** A 3 MiB file stored as the SLO `obj` of 1 MiB segments in a new container; `upload` runs it again with more options. */
  async function storedSlo(name: string): Promise<{ container: string; path: string; swift: SwiftService; upload: (o?: UploadOptions) => Promise<UploadResult[]> }> {
    const container = newContainer(name);
    const path = join(root, `${name}.bin`);
    await randomFile(path, 3 * MiB);
    const swift = viaProxy();
    const upload = (o: UploadOptions = {}): Promise<UploadResult[]> => collect(swift.upload(container, [{ source: path, objectName: 'obj' }], { segmentSize: MiB, useSlo: true, ...o }));
    assert.deepEqual((await upload()).filter((r) => !r.success), []);
    return { container, path, swift, upload };
  }

  test('a refused manifest removes its note: a later leaveSegments run and a changed run delete nothing a copy still uses', async () => {
    const { container, path, swift, upload } = await storedSlo('retire-refused');
    try {
      // A second manifest using the same segments.
      const [, manifest] = await t.conn.getObject(container, 'obj', { queryString: 'multipart-manifest=get' });
      const entries = (JSON.parse(manifest.toString()) as Array<{ name: string; hash: string; bytes: number }>).map((e) => ({ path: e.name, etag: e.hash, size_bytes: e.bytes }));
      await t.conn.putObject(container, 'backup', JSON.stringify(entries), { queryString: 'multipart-manifest=put' });
      await fsp.utimes(path, new Date(), new Date(Date.now() + 5000));
      // Swift refuses the new manifest (metadata too long): nothing is replaced, and the note goes.
      const [refused] = (await upload({ meta: { big: 'x'.repeat(300) } })).filter((r) => r.action === 'upload_object');
      assert.equal(refused?.success, false);
      assert.ok(!(await segmentNames(container)).some((n) => n.startsWith('.swiftclient-retired/')), 'no note left');
      assert.deepEqual((await upload({ leaveSegments: true })).filter((r) => !r.success), []);
      const results = await upload({ changed: true });
      assert.equal(results.find((r) => r.action === 'upload_object')?.status, 'skipped-changed');
      assert.deepEqual(results.filter((r) => r.action === 'delete_segment'), []);
      // A segment gone would make this GET fail (409).
      assert.equal((await t.conn.getObject(container, 'backup'))[1].length, 3 * MiB, 'the copy is whole');
    } finally {
      await swift.close();
    }
  });

  test("a note naming another object's data is not acted on", async () => {
    const { container, path, swift, upload } = await storedSlo('retire-planted');
    await t.conn.putObject(container, 'victim', 'keep me');
    await t.conn.putObject(`${container}_segments`, 'victim', 'keep me too');
    const [, manifest] = await t.conn.getObject(container, 'obj', { queryString: 'multipart-manifest=get' });
    const current = (JSON.parse(manifest.toString()) as Array<{ name: string }>).map((e) => e.name.replace(/^\//, ''));
    const { manifestId } = await import('../../src/service/retired-segments.js');
    const planted = { container, object: 'obj', replacedBy: manifestId({ sloPaths: current }), segments: [`${container}/victim`, `${container}_segments/victim`] };
    await t.conn.putObject(`${container}_segments`, `.swiftclient-retired/${container}/obj`, JSON.stringify(planted));
    await fsp.utimes(path, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual((await upload()).filter((r) => !r.success), []);
    await swift.close();
    assert.equal((await t.conn.getObject(container, 'victim'))[1].toString(), 'keep me');
    assert.equal((await t.conn.getObject(`${container}_segments`, 'victim'))[1].toString(), 'keep me too');
  });
});
