// Stream uploads with a journal against the local Swift: a generator's upload
// SIGKILLed half-way and run again with the same journal and the same bytes
// reads past the stored segments and sends only the rest, through a proxy
// that counts the bytes; different bytes with the old journal give the new
// content and leave no stale segment behind; without a journal a stream
// starts afresh.
//
// 48 MiB in 8 MiB segments, one segment thread: one segment at most is in
// flight when the process dies, so the bound is remainder + one segment.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { UploadResult, UploadSegmentResult } from '../../src/service/index.js';
import { ours, oursCommand } from '../cli/helpers.js';
import { runAndKill, transferAndKill } from '../helpers/kill-child.js';
import { fileMd5, objectMd5, startProxiedSwift, type ProxiedSwift } from '../helpers/proxied-swift.js';
import { collect, randomFile } from '../helpers/service-files.js';

const MiB = 1 << 20;
const SIZE = 48 * MiB + 54321;
const SEGMENT = 8 * MiB;
// Segments, not the note of an overwrite (see retired-segments.ts).
const SEGMENT_PUT = /_segments\/(?!\.swiftclient-retired\/)/;
const MANIFEST_PUT = /multipart-manifest=put/;

let t: ProxiedSwift;
let big: string;

before(async () => {
  t = await startProxiedSwift('resume-journal');
  big = join(t.root, 'big.bin');
  await randomFile(big, SIZE);
});

after(async () => {
  await t.close();
});

/** A file's bytes through a generator (no stable identity, as stdin). */
async function* generated(path: string): AsyncGenerator<Buffer> {
  for await (const chunk of (await fsp.open(path)).createReadStream({ highWaterMark: MiB })) yield chunk as Buffer;
}

/** Uploads `path` from a generator in a child SIGKILLed after half the bytes went out; returns the segment bytes sent. */
async function killedUpload(container: string, path: string, journal: string | undefined): Promise<number> {
  t.proxy.reset();
  const job = {
    op: 'upload',
    storageUrl: t.storageUrl,
    token: t.token,
    container,
    objects: [{ generate: path, objectName: 'stream.bin', options: journal === undefined ? {} : { journal } }],
    options: { segmentSize: SEGMENT, useSlo: true, segmentThreads: 1 },
  };
  const outcome = await transferAndKill(job, t.proxy, (p) => p.sent('PUT', SEGMENT_PUT) >= SIZE / 2);
  assert.ok(outcome.killed, `the child finished before half was sent: ${outcome.stderr}`);
  await assert.rejects(t.conn.headObject(container, 'stream.bin'), 'no manifest was written before the kill');
  return t.proxy.sent('PUT', SEGMENT_PUT);
}

/** Uploads `path` from a generator through the proxy, with `journal` if given. */
async function uploadAgain(container: string, path: string, journal: string | undefined): Promise<UploadResult[]> {
  t.proxy.reset();
  const swift = t.viaProxy();
  const options = journal === undefined ? {} : { journal };
  const results = await collect(swift.upload(container, [{ source: generated(path), objectName: 'stream.bin', options }], { segmentSize: SEGMENT, useSlo: true }));
  await swift.close();
  assert.deepEqual(results.filter((r) => !r.success).map((r) => r.error?.message), []);
  return results;
}

function segmentsOf(results: UploadResult[], status?: string): number[] {
  return results
    .filter((r): r is UploadSegmentResult => r.action === 'upload_segment' && (status === undefined || r.status === status))
    .map((r) => r.segmentIndex)
    .sort((a, b) => a - b);
}

/** The names in the segment container, and those the object's manifest uses: equal when nothing leaked. */
async function segmentNames(container: string): Promise<{ stored: string[]; used: string[] }> {
  const [, listing] = await t.conn.getContainer(`${container}_segments`, { fullListing: true });
  const [, manifest] = await t.conn.getObject(container, 'stream.bin', { queryString: 'multipart-manifest=get' });
  const used = (JSON.parse(manifest.toString()) as Array<{ name: string }>).map((e) => e.name.slice(e.name.indexOf('/', 1) + 1));
  return { stored: listing.map((e) => e.name as string).sort(), used: used.sort() };
}

describe('stream uploads with a journal', () => {
  test('a generator upload SIGKILLed half-way, run again with its journal, sends only the rest (+ at most one segment)', async () => {
    const container = t.newContainer('journal-resume');
    const journal = join(t.root, 'resume.journal');
    const sentBefore = await killedUpload(container, big, journal);
    assert.ok((await fsp.readFile(journal, 'utf8')).split('\n').length >= 3, 'the journal recorded segments');

    const results = await uploadAgain(container, big, journal);
    const segmentBytes = t.proxy.sent('PUT', SEGMENT_PUT);
    const manifestBytes = t.proxy.sent('PUT', MANIFEST_PUT);
    const remainder = SIZE - sentBefore;
    // The measured numbers, for the report.
    console.log(`journal: first run sent ${sentBefore} of ${SIZE}; second run sent ${segmentBytes} segment bytes + ${manifestBytes} manifest bytes (remainder ${remainder})`);
    assert.ok(segmentBytes <= remainder + SEGMENT, `second run sent ${segmentBytes} segment bytes; remainder ${remainder} + one segment ${SEGMENT}`);
    const reused = segmentsOf(results, 'reused');
    assert.ok(reused.length >= 3, `${reused.length} segments reused`);
    assert.deepEqual(reused, reused.map((_, i) => i), 'the stored run from the start is reused');
    assert.ok(manifestBytes > 0 && manifestBytes < 16 * 1024, `manifest ${manifestBytes} bytes`);
    // One listing of the journal's segment prefix; no HEAD per segment.
    const lists = t.proxy.requests.filter((r) => r.method === 'GET' && r.url.includes('_segments?') && r.url.includes('prefix='));
    assert.ok(lists.length >= 1 && lists.length <= 2, `${lists.length} listings`);
    assert.equal(t.proxy.requests.filter((r) => r.method === 'HEAD' && SEGMENT_PUT.test(r.url)).length, 0);

    assert.equal(await objectMd5(t.conn, container, 'stream.bin'), await fileMd5(big));
    await assert.rejects(fsp.stat(journal), 'the journal is removed once the object is written');
    const { stored, used } = await segmentNames(container);
    assert.deepEqual(stored, used, 'no segment left beside the manifest');
  });

  test('different bytes with the old journal: the matching start is reused, the rest sent afresh, stale segments deleted', async () => {
    const container = t.newContainer('journal-stale');
    const journal = join(t.root, 'stale.journal');
    await killedUpload(container, big, journal);
    // The same bytes up to segment 2, then different ones, and shorter.
    const changed = join(t.root, 'changed.bin');
    await fsp.copyFile(big, changed);
    const handle = await fsp.open(changed, 'r+');
    await handle.write(Buffer.from('different'), 0, 9, 2 * SEGMENT + 100);
    await handle.truncate(SIZE - 3 * MiB);
    await handle.close();

    const results = await uploadAgain(container, changed, journal);
    assert.deepEqual(segmentsOf(results, 'reused'), [0, 1], 'the pieces before the change are reused');
    assert.equal(t.proxy.sent('PUT', SEGMENT_PUT), SIZE - 3 * MiB - 2 * SEGMENT, 'everything from the change on is sent');
    assert.equal(await objectMd5(t.conn, container, 'stream.bin'), await fileMd5(changed));
    const { stored, used } = await segmentNames(container);
    assert.deepEqual(stored, used, 'the stale segments are deleted');
    await assert.rejects(fsp.stat(journal));
  });

  test('entirely different input with the old journal restarts: nothing reused, the new content stored', async () => {
    const container = t.newContainer('journal-other');
    const journal = join(t.root, 'other.journal');
    await killedUpload(container, big, journal);
    const other = join(t.root, 'other.bin');
    await randomFile(other, 3 * SEGMENT + 7);
    const results = await uploadAgain(container, other, journal);
    assert.deepEqual(segmentsOf(results, 'reused'), []);
    assert.equal(t.proxy.sent('PUT', SEGMENT_PUT), 3 * SEGMENT + 7);
    assert.equal(await objectMd5(t.conn, container, 'stream.bin'), await fileMd5(other));
    const { stored, used } = await segmentNames(container);
    assert.deepEqual(stored, used, 'the stale segments are deleted');
  });

  test('without a journal a stream starts afresh: every segment sent, none of the killed run reused', async () => {
    const container = t.newContainer('journal-none');
    await killedUpload(container, big, undefined);
    const results = await uploadAgain(container, big, undefined);
    assert.deepEqual(segmentsOf(results, 'reused'), []);
    assert.equal(t.proxy.sent('PUT', SEGMENT_PUT), SIZE);
    assert.equal(await objectMd5(t.conn, container, 'stream.bin'), await fileMd5(big));
  });

  test('two streams of one call cannot share a journal', async () => {
    const swift = t.viaProxy();
    try {
      const objects = [
        { source: generated(big), objectName: 'a' },
        { source: generated(big), objectName: 'b' },
      ];
      await assert.rejects(collect(swift.upload(t.newContainer('journal-two'), objects, { journal: join(t.root, 'shared.journal') })), /its own journal/);
    } finally {
      await swift.close();
    }
  });

  test('CLI: `upload -` from stdin SIGKILLed half-way, run again with --journal, sends only the rest (+ at most one segment)', async () => {
    const container = t.newContainer('journal-cli');
    const journal = join(t.root, 'cli.journal');
    const args = ['--os-storage-url', t.storageUrl, '--os-auth-token', t.token, 'upload', container, '-', '--object-name', 'stream.bin'];
    const flags = ['-S', String(SEGMENT), '--segment-threads', '1', '--journal', journal];
    t.proxy.reset();
    const cli = oursCommand([...args, ...flags]);
    const outcome = await runAndKill(cli.command, cli.args, t.proxy, (p) => p.sent('PUT', SEGMENT_PUT) >= SIZE / 2, { stdin: big, env: cli.env });
    assert.ok(outcome.killed, `the CLI finished before half was sent: ${outcome.stderr}`);
    const sentBefore = t.proxy.sent('PUT', SEGMENT_PUT);

    t.proxy.reset();
    const again = await ours([...args, ...flags], { input: await fsp.readFile(big) });
    assert.equal(again.code, 0, again.stderr);
    const segmentBytes = t.proxy.sent('PUT', SEGMENT_PUT);
    const remainder = SIZE - sentBefore;
    console.log(`CLI journal: first run sent ${sentBefore} of ${SIZE}; second run sent ${segmentBytes} segment bytes + ${t.proxy.sent('PUT', MANIFEST_PUT)} manifest bytes (remainder ${remainder})`);
    assert.ok(segmentBytes <= remainder + SEGMENT, `second run sent ${segmentBytes}; remainder ${remainder} + one segment`);
    assert.equal(await objectMd5(t.conn, container, 'stream.bin'), await fileMd5(big));
    await assert.rejects(fsp.stat(journal));

    const refused = await ours(['upload', container, big, '--journal', journal]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /--journal can only be used with uploads from stdin/);
  });
});
