// Pure parts of the native surface: entry and record parsing, metadata
// maps, the page-end rule and the progress reporter.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { accountInfo, ClientException, containerInfo, metaHeaders, objectInfo, readMeta, toListedContainer, toListObjectsEntry } from '../../src/index.js';
import { swiftDate } from '../../src/native/dates.js';
import { isLastPage } from '../../src/native/pages.js';
import { progressReporter, type TransferProgress } from '../../src/native/progress.js';

describe('listing entries', () => {
  test('objects, subdirs, symlink, SLO (its ETag unquoted) and version fields', () => {
    const base = { name: 'a', bytes: 3, hash: 'h', content_type: 'text/plain', last_modified: '2024-05-01T10:20:30.123450' };
    assert.deepEqual(toListObjectsEntry(base), {
      kind: 'object',
      name: 'a',
      bytes: 3,
      hash: 'h',
      contentType: 'text/plain',
      lastModified: new Date('2024-05-01T10:20:30.123Z'),
    });
    assert.deepEqual(toListObjectsEntry({ subdir: 'dir/' }), { kind: 'subdir', name: 'dir/' });
    const rich = toListObjectsEntry({
      ...base,
      symlink_path: '/v1/AUTH_t/c/o',
      symlink_etag: 'e',
      symlink_bytes: 9,
      slo_etag: '"s"',
      version_id: '1.2',
      is_latest: false,
    });
    assert.equal(rich.kind, 'object');
    if (rich.kind === 'object') {
      assert.deepEqual(
        [rich.symlinkPath, rich.symlinkEtag, rich.symlinkBytes, rich.sloEtag, rich.versionId, rich.isLatest],
        ['/v1/AUTH_t/c/o', 'e', 9, 's', '1.2', false],
      );
    }
  });

  test('containers, with and without last_modified', () => {
    assert.deepEqual(toListedContainer({ name: 'c', count: 2, bytes: 10 }), { name: 'c', count: 2, bytes: 10 });
    assert.deepEqual(toListedContainer({ name: 'c', count: 0, bytes: 0, last_modified: '2024-01-02T03:04:05.000000' }), {
      name: 'c',
      count: 0,
      bytes: 0,
      lastModified: new Date('2024-01-02T03:04:05Z'),
    });
  });

  test('dates: listing ISO without zone is UTC; HTTP dates; absent is invalid', () => {
    for (const [raw, iso] of [
      ['2024-05-01T10:20:30', '2024-05-01T10:20:30.000Z'],
      ['2024-05-01T10:20:30.5', '2024-05-01T10:20:30.500Z'],
      ['Wed, 01 May 2024 10:20:30 GMT', '2024-05-01T10:20:30.000Z'],
    ] as const) {
      assert.equal(swiftDate(raw).toISOString(), iso, raw);
    }
    assert.ok(Number.isNaN(swiftDate(undefined).getTime()));
  });

  test('page end: empty, or shorter than the limit asked for', () => {
    const table: Array<[number, number | undefined, boolean]> = [
      [0, undefined, true],
      [5, undefined, false],
      [0, 10, true],
      [9, 10, true],
      [10, 10, false],
    ];
    for (const [length, limit, last] of table) assert.equal(isLastPage(new Array(length).fill(0), limit), last, `${length}/${limit}`);
  });
});

describe('metadata maps', () => {
  test('names become lower-case prefixed headers per level', () => {
    assert.deepEqual(metaHeaders({ Owner: 'ünï', 'x-Y_z.1': '' }, 'object'), { 'x-object-meta-owner': 'ünï', 'x-object-meta-x-y_z.1': '' });
    assert.deepEqual(metaHeaders({ a: '1' }, 'container'), { 'x-container-meta-a': '1' });
    assert.deepEqual(metaHeaders({ a: '1' }, 'account'), { 'x-account-meta-a': '1' });
    assert.deepEqual(metaHeaders(undefined, 'object'), {});
  });

  test('refused: non-token names, non-string values, control characters, non-objects', () => {
    const bad: unknown[] = [{ 'a b': 'x' }, { 'ü': 'x' }, { '': 'x' }, { 'a:b': 'x' }, { a: 1 }, { a: 'x\r\ny' }, { a: '\ud800' }, [['a', 'b']], new Map([['a', 'b']]), 'a=b'];
    for (const meta of bad) {
      assert.throws(
        () => metaHeaders(meta as Record<string, string>, 'object'),
        (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT',
        JSON.stringify(meta),
      );
    }
  });

  test('readMeta strips the prefix and leaves out temp URL keys', () => {
    const headers = { 'x-container-meta-owner': 'ünï', 'x-container-meta-temp-url-key': 'secret', 'x-container-meta-temp-url-key-2': 's2', 'x-object-meta-other': 'no' };
    assert.deepEqual(readMeta(headers, 'container'), { owner: 'ünï' });
  });
});

describe('info records', () => {
  test('objectInfo: etag quotes stripped, numbers, dates, manifests, expiry, symlink', () => {
    const info = objectInfo({
      'content-length': '12',
      etag: '"abc"',
      'last-modified': 'Wed, 01 May 2024 10:20:30 GMT',
      'content-type': 'text/plain',
      'x-object-meta-owner': 'me',
      'x-static-large-object': 'True',
      'x-delete-at': '1714558830',
      'x-timestamp': '1714558830.12345',
    });
    assert.equal(info.contentLength, 12);
    assert.equal(info.etag, 'abc');
    assert.equal(info.lastModified.toISOString(), '2024-05-01T10:20:30.000Z');
    assert.deepEqual(info.meta, { owner: 'me' });
    assert.deepEqual(info.manifest, { kind: 'slo' });
    assert.equal(info.deleteAt?.getTime(), 1714558830000);
    assert.equal(info.timestamp?.getTime(), 1714558830123);
    assert.deepEqual(objectInfo({ 'x-object-manifest': 'segs/a/b/' }).manifest, { kind: 'dlo', container: 'segs', prefix: 'a/b/' });
    assert.equal(objectInfo({}).manifest, undefined);
    const link = objectInfo({ 'x-symlink-target': 'c/%C3%BC', 'x-symlink-target-account': 'AUTH_x' }).symlink;
    assert.deepEqual([link?.container, link?.object, link?.account], ['c', 'ü', 'AUTH_x']);
  });

  test('containerInfo: counts, quotas, ACLs, versioning, key presence without the keys', () => {
    const info = containerInfo({
      'x-container-object-count': '3',
      'x-container-bytes-used': '30',
      'x-container-meta-quota-bytes': '100',
      'x-container-read': '.r:*, .rlistings',
      'x-storage-policy': 'gold',
      'x-versions-enabled': 'True',
      'x-history-location': 'arch%20ive',
      'x-container-meta-temp-url-key-2': 'k2',
      'x-container-sync-key': 'sk',
      'x-container-sync-to': '//realm/c/AUTH_x/c',
    });
    assert.deepEqual(
      [info.objectCount, info.bytesUsed, info.quotaBytes, info.quotaCount, info.readAcl, info.writeAcl, info.storagePolicy, info.versionsEnabled],
      [3, 30, 100, undefined, ['.r:*', '.rlistings'], [], 'gold', true],
    );
    assert.deepEqual(info.legacyVersioning, { mode: 'history', location: 'arch ive' });
    assert.deepEqual([info.tempUrlKeySet, info.tempUrlKey2Set, info.syncKeySet, info.syncTo], [false, true, true, '//realm/c/AUTH_x/c']);
    assert.deepEqual(info.meta, { 'quota-bytes': '100' });
  });

  test('accountInfo: counts, quota, policies, key presence', () => {
    const info = accountInfo({
      'x-account-container-count': '2',
      'x-account-object-count': '5',
      'x-account-bytes-used': '50',
      'x-account-meta-quota-bytes': '1000',
      'x-account-meta-temp-url-key': 'k',
      'x-account-storage-policy-gold-container-count': '2',
      'x-account-storage-policy-gold-object-count': '5',
      'x-account-storage-policy-gold-bytes-used': '50',
      'x-account-storage-policy-silver-object-count': '0',
      'x-account-storage-policy-silver-bytes-used': '0',
    });
    assert.deepEqual([info.containerCount, info.objectCount, info.bytesUsed, info.quotaBytes], [2, 5, 50, 1000]);
    assert.deepEqual([info.tempUrlKeySet, info.tempUrlKey2Set], [true, false]);
    assert.deepEqual(info.policies, {
      gold: { containerCount: 2, objectCount: 5, bytesUsed: 50 },
      silver: { containerCount: undefined, objectCount: 0, bytesUsed: 0 },
    });
    assert.deepEqual(info.meta, { 'quota-bytes': '1000' });
  });
});

describe('progress reporter', () => {
  test('starts at 0, reports only forward, keeps the total', () => {
    const events: TransferProgress[] = [];
    const report = progressReporter((p) => events.push(p), 10);
    for (const bytes of [4, 8, 0, 4, 8, 10, 10]) report?.(bytes);
    assert.deepEqual(
      events.map((e) => e.bytes),
      [0, 4, 8, 10],
    );
    assert.ok(events.every((e) => e.total === 10));
    assert.equal(progressReporter(undefined, 10), undefined);
  });
});
