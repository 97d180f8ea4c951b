// SwiftService.delete against the local Swift: bulk deletes through the
// bulk middleware (counted through a proxy), per-item deletes, containers
// with large objects, and per-item failures inside a bulk answer.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ClientException, Connection } from '../../src/index.js';
import { SwiftService, type DeleteObjectResult, type DeleteResult } from '../../src/service/index.js';
import { connect, unique } from '../helpers/env.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { collect, randomFile, scratchDir } from '../helpers/service-files.js';

const MiB = 1 << 20;

let conn: Connection;
let proxy: FaultProxy;
let swift: SwiftService;
let direct: SwiftService;
let root: string;

before(async () => {
  conn = connect();
  const [, token] = await conn.getAuth();
  proxy = await FaultProxy.start();
  swift = new SwiftService(new Connection({ preauthUrl: proxy.storageUrl(), preauthToken: token }));
  direct = new SwiftService(conn);
  root = await scratchDir('svc-delete');
});

after(async () => {
  await swift.close();
  await proxy.close();
  await conn.close();
  await fsp.rm(root, { recursive: true, force: true });
});

async function fill(container: string, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `obj-${String(i).padStart(5, '0')}`);
  const uploads = names.map((name) => ({ source: Buffer.from(name), objectName: name }));
  // leaveSegments: no HEAD before each PUT (nothing to overwrite here)
  const results = await collect(direct.upload(container, uploads, { objectThreads: 20, leaveSegments: true }));
  assert.deepEqual(results.filter((r) => !r.success).map((r) => r.error?.message), []);
  return names;
}

function deletedObjects(results: DeleteResult[]): DeleteObjectResult[] {
  return results.filter((r): r is DeleteObjectResult => r.action === 'delete_object');
}

async function exists(container: string): Promise<boolean> {
  try {
    await conn.headContainer(container);
    return true;
  } catch (err) {
    if (err instanceof ClientException && err.httpStatus === 404) return false;
    throw err;
  }
}

describe('SwiftService.delete', () => {
  test('200 named objects go through the bulk middleware and the container ends up empty', async () => {
    const container = unique('svc-bulk');
    let started = Date.now();
    const names = await fill(container, 200);
    console.log(`# filled 200 in ${Date.now() - started} ms`);
    proxy.reset();
    started = Date.now();
    const results = await collect(swift.delete(container, names));
    console.log(`# bulk-deleted 200 in ${Date.now() - started} ms`);
    const deleted = deletedObjects(results);
    assert.equal(deleted.length, 200);
    assert.deepEqual(deleted.filter((r) => !r.success).map((r) => r.error?.message), []);
    assert.ok(deleted.every((r) => r.bulkDelete === true));
    assert.deepEqual(new Set(deleted.map((r) => r.object)), new Set(names));
    // python's batching: one page of up to max_deletes_per_request, split over objectThreads (10) requests
    const posts = proxy.seen('POST', /\?bulk-delete$/);
    assert.equal(posts.length, 10);
    assert.equal(posts[0]?.headers.accept, 'application/json');
    assert.equal(posts[0]?.headers['content-type'], 'text/plain');
    assert.equal(proxy.seen('DELETE').length, 0);
    const [headers, listing] = await conn.getContainer(container);
    assert.deepEqual(listing, []);
    assert.equal(headers['x-container-object-count'], '0');
    const gone = await collect(swift.delete(container));
    assert.deepEqual(gone.map((r) => [r.action, r.success]), [['delete_container', true]]);
    assert.equal(await exists(container), false);
  });

  test('a container with SLO and DLO manifests: plain objects in bulk, manifests with their segments', async () => {
    const container = unique('svc-bulk-lo');
    await fill(container, 30);
    const file = join(root, 'lo.bin');
    await randomFile(file, 3 * MiB + 3);
    const uploads = await collect(
      swift.upload(container, [{ source: file, objectName: 'slo' }, { source: file, objectName: 'dlo', options: { useDlo: true } }], { segmentSize: MiB }),
    );
    assert.deepEqual(uploads.filter((r) => !r.success), []);
    assert.deepEqual(uploads.filter((r) => r.action === 'upload_object').map((r) => r.object).sort(), ['dlo', 'slo']);
    const [, segments] = await conn.getContainer(`${container}_segments`);
    assert.equal(segments.length, 8);
    proxy.reset();
    const results = await collect(swift.delete(container));
    assert.deepEqual(results.filter((r) => !r.success).map((r) => r.error?.message), []);
    const deleted = deletedObjects(results);
    assert.equal(deleted.length, 32);
    assert.deepEqual(deleted.filter((r) => !r.bulkDelete).map((r) => r.object).sort(), ['dlo', 'slo']);
    assert.equal(deleted.find((r) => r.object === 'dlo')?.dloSegmentsDeleted, true);
    assert.equal(results.filter((r) => r.action === 'delete_segment').length, 4, "the DLO's segments, one by one");
    assert.equal(proxy.seen('DELETE', /\/slo\?multipart-manifest=delete$/).length, 1);
    assert.equal(results.at(-1)?.action, 'delete_container');
    assert.equal(await exists(container), false);
    const [, left] = await conn.getContainer(`${container}_segments`);
    assert.deepEqual(left, [], 'no segment left behind');
    await conn.deleteContainer(`${container}_segments`);
  });

  test('a few objects are deleted one by one (no bulk request)', async () => {
    const container = unique('svc-few');
    const names = await fill(container, 5);
    proxy.reset();
    const results = deletedObjects(await collect(swift.delete(container, [...names, 'never-there'])));
    assert.equal(results.length, 6);
    assert.ok(results.every((r) => !r.bulkDelete));
    assert.deepEqual(results.filter((r) => !r.success).map((r) => [r.object, (r.error as ClientException).httpStatus]), [['never-there', 404]]);
    assert.equal(proxy.seen('POST').length, 0);
    assert.equal(proxy.seen('HEAD').length, 6);
    assert.equal(proxy.seen('DELETE').length, 6);
    await conn.deleteContainer(container);
  });

  test('emptying a container whose SLO keeps its segments beside it: the segments gone with the manifest count as deleted', async () => {
    const container = unique('svc-slo-inside');
    await conn.putContainer(container);
    const segments = ['seg/1', 'seg/2', 'seg/3'];
    const etags = await Promise.all(segments.map((name) => conn.putObject(container, name, Buffer.alloc(MiB, name.length))));
    const manifest = segments.map((name, i) => ({ path: `/${container}/${name}`, etag: etags[i], size_bytes: MiB }));
    await conn.putObject(container, 'big', JSON.stringify(manifest), { queryString: 'multipart-manifest=put' });
    await conn.putObject(container, 'plain', 'x');
    // Five objects, deleted one by one and all at once; the segments' DELETEs
    // are held back until the manifest's delete (which takes them) is answered.
    proxy.reset();
    const manifestDeleted = proxy.answered('DELETE', /\/big(\?|$)/);
    proxy.add({ method: 'DELETE', path: /\/seg\/\d$/, times: 3, before: () => manifestDeleted, fault: { type: 'forward' } });
    const results = await collect(swift.delete(container));
    const failed = results.filter((r) => !r.success).map((r) => `${r.action} ${r.object ?? ''}: ${r.error?.message}`);
    assert.deepEqual(failed, []);
    assert.deepEqual(deletedObjects(results).map((r) => r.object).sort(), ['big', 'plain', ...segments]);
    assert.deepEqual(deletedObjects(results).filter((r) => r.status === 'already-deleted').map((r) => r.object).sort(), segments);
    assert.ok(results.some((r) => r.action === 'delete_container' && r.success));
    await assert.rejects(conn.headContainer(container), (e: ClientException) => e.httpStatus === 404);
  });

  test("per-item failures in the bulk middleware's 200 answer are reported per object", async () => {
    const container = unique('svc-bulk-fail');
    const names = await fill(container, 25);
    proxy.reset();
    const answer = {
      'Number Not Found': 0,
      'Response Status': '400 Bad Request',
      'Response Body': '',
      'Number Deleted': 1,
      Errors: [[`/${container}/${names[0]}`, '409 Conflict']],
    };
    proxy.add({
      method: 'POST',
      path: /bulk-delete/,
      times: Infinity,
      fault: { type: 'status', status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) },
    });
    const results = deletedObjects(await collect(swift.delete(container, names, { leaveSegments: true })));
    assert.equal(results.length, 25);
    const failed = results.filter((r) => !r.success);
    assert.deepEqual(failed.map((r) => r.object), [names[0]]);
    assert.match(failed[0]?.error?.message ?? '', /409 Conflict/);
    proxy.reset();
    // A bulk answer with a failing status and no per-item errors fails its whole batch.
    proxy.add({
      method: 'POST',
      path: /bulk-delete/,
      times: Infinity,
      fault: { type: 'status', status: 200, body: JSON.stringify({ 'Response Status': '502 Bad Gateway', 'Response Body': 'oops', Errors: [] }) },
    });
    const batch = deletedObjects(await collect(swift.delete(container, names, { leaveSegments: true })));
    assert.equal(batch.length, names.length);
    assert.ok(batch.every((r) => !r.success && /502 Bad Gateway: oops/.test(r.error?.message ?? '')));
    proxy.reset();
    const cleanup = await collect(swift.delete(container));
    assert.deepEqual(cleanup.filter((r) => !r.success), []);
    assert.ok(cleanup.some((r) => r.action === 'delete_container'));
  });
});
