// Interoperability with python-swiftclient's `swift` CLI (/usr/bin/swift):
// large objects it uploads (SLO with --use-slo, DLO by default with -S) are
// downloaded, recognised (changed, skip-identical) and deleted by
// SwiftService, and the ones SwiftService uploads are downloaded, recognised
// and deleted by python. Segment names and SLO manifests match python's
// byte for byte.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Connection } from '../../src/index.js';
import { SwiftService, type UploadObjectResult, type UploadResult } from '../../src/service/index.js';
import { connect, unique } from '../helpers/env.js';
import { MTIME_TO_THE_MS } from '../helpers/runtime.js';
import { assertSameFile, collect, randomFile, scratchDir, swiftCli } from '../helpers/service-files.js';

const MiB = 1 << 20;
const SIZE = 10 * MiB + 123;
const SEGMENT = 4 * MiB;

let conn: Connection;
let swift: SwiftService;
let root: string;
let file: string;
const containers: string[] = [];

function container(prefix: string): string {
  const name = unique(prefix);
  containers.push(name, `${name}_segments`);
  return name;
}

function uploadsOf(results: UploadResult[]): UploadObjectResult[] {
  assert.deepEqual(results.filter((r) => !r.success).map((r) => r.error?.message), []);
  return results.filter((r): r is UploadObjectResult => r.action === 'upload_object');
}

async function listing(name: string): Promise<string[]> {
  const [, entries] = await conn.getContainer(name, { fullListing: true });
  return entries.map((e) => e.name as string);
}

before(async () => {
  conn = connect();
  swift = new SwiftService(conn);
  root = await scratchDir('svc-interop');
  file = join(root, 'data.bin');
  await randomFile(file, SIZE);
});

after(async () => {
  for (const name of containers) {
    for await (const _ of swift.delete(name, undefined, { leaveSegments: true })) void _;
  }
  await conn.close();
  await fsp.rm(root, { recursive: true, force: true });
});

// Byte-for-byte equality with python needs its microsecond mtimes.
const onlyMs = MTIME_TO_THE_MS && 'this runtime stats files to the millisecond: python sees other mtimes, so other segment names';

describe('interop with python-swiftclient', { skip: onlyMs }, () => {
  test('SLO and DLO uploaded by `swift upload` are downloaded, recognised and deleted by SwiftService', async () => {
    const c = container('interop-py');
    await swiftCli(['upload', '--use-slo', '-S', String(SEGMENT), '--object-name', 'slo', c, file]);
    await swiftCli(['upload', '-S', String(SEGMENT), '--object-name', 'dlo', c, file]);
    assert.equal((await conn.headObject(c, 'slo'))['x-static-large-object'], 'True');
    assert.ok((await conn.headObject(c, 'dlo'))['x-object-manifest']);

    const out = join(root, 'from-py');
    const downloads = await collect(swift.download(c, ['slo', 'dlo'], { outputDir: out }));
    assert.equal(downloads.length, 2);
    assert.ok(downloads.every((d) => d.success && d.bytes === SIZE));
    await assertSameFile(file, join(out, 'slo'));
    await assertSameFile(file, join(out, 'dlo'));

    // python's mtime and size: `changed` sees nothing to do; its segment MD5s: neither does skipIdentical
    const sources = [
      { source: file, objectName: 'slo' },
      { source: file, objectName: 'dlo', options: { useDlo: true } },
    ];
    const changed = uploadsOf(await collect(swift.upload(c, sources, { segmentSize: SEGMENT, changed: true })));
    assert.deepEqual(changed.map((u) => u.status), ['skipped-changed', 'skipped-changed']);
    const identical = uploadsOf(await collect(swift.upload(c, sources, { segmentSize: SEGMENT, skipIdentical: true })));
    assert.deepEqual(identical.map((u) => u.status), ['skipped-identical', 'skipped-identical']);

    const segments = await listing(`${c}_segments`);
    assert.equal(segments.length, 6);
    const deleted = await collect(swift.delete(c));
    assert.deepEqual(deleted.filter((r) => !r.success).map((r) => r.error?.message), []);
    assert.deepEqual(await listing(`${c}_segments`), [], "both manifests' segments are gone");
  });

  test('SLO and DLO uploaded by SwiftService are downloaded, recognised and deleted by `swift`', async () => {
    const ours = container('interop-ts');
    const theirs = container('interop-ref');
    const results = await collect(
      swift.upload(ours, [
        { source: file, objectName: 'slo' },
        { source: file, objectName: 'dlo', options: { useDlo: true } },
      ], { segmentSize: SEGMENT }),
    );
    assert.equal(uploadsOf(results).length, 2);

    // The same file through python: the same segment names, the same SLO manifest.
    await swiftCli(['upload', '--use-slo', '-S', String(SEGMENT), '--object-name', 'slo', theirs, file]);
    await swiftCli(['upload', '-S', String(SEGMENT), '--object-name', 'dlo', theirs, file]);
    assert.deepEqual(await listing(`${ours}_segments`), await listing(`${theirs}_segments`));
    const raw = async (c: string): Promise<string> =>
      (await conn.getObject(c, 'slo', { queryString: 'multipart-manifest=get&format=raw' }))[1].toString().replaceAll(`/${c}_segments/`, '/SEGMENTS/');
    assert.equal(await raw(ours), await raw(theirs));
    for (const name of ['slo', 'dlo']) {
      const [a, b] = await Promise.all([conn.headObject(ours, name), conn.headObject(theirs, name)]);
      assert.equal(a['x-object-meta-mtime'], b['x-object-meta-mtime']);
      if (name === 'dlo') assert.equal(a['x-object-manifest']?.replace(ours, 'C'), b['x-object-manifest']?.replace(theirs, 'C'));
    }

    const out = join(root, 'from-ts');
    await fsp.mkdir(out);
    await swiftCli(['download', ours, 'slo', 'dlo'], out);
    await assertSameFile(file, join(out, 'slo'));
    await assertSameFile(file, join(out, 'dlo'));

    // python's --changed finds our objects unchanged: nothing is rewritten
    const before = await conn.headObject(ours, 'slo');
    await swiftCli(['upload', '--changed', '--use-slo', '-S', String(SEGMENT), '--object-name', 'slo', ours, file]);
    assert.equal((await conn.headObject(ours, 'slo'))['x-timestamp'], before['x-timestamp']);

    await swiftCli(['delete', ours, 'slo', 'dlo']);
    assert.deepEqual(await listing(ours), []);
    assert.deepEqual(await listing(`${ours}_segments`), [], "python removes our manifests' segments too");
  });
});
