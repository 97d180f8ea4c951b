// SwiftService stat, post, copy, list, download skip-identical, progress, and
// uploads of files that change while read and of special files, against the
// local Swift.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, symlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Connection } from '../../src/index.js';
import { SwiftService, SwiftError } from '../../src/service/index.js';
import { connect, unique } from '../helpers/env.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { collect, randomFile, scratchDir } from '../helpers/service-files.js';

let conn: Connection;
let swift: SwiftService;
let root: string;
let container: string;
const names = ['a/1.txt', 'a/2.txt', 'b/3.txt', 'big'];

before(async () => {
  conn = connect();
  swift = new SwiftService(conn);
  root = await scratchDir('svc-misc');
  container = unique('svc-misc');
  const big = join(root, 'big');
  await randomFile(big, 3 * (1 << 20) + 1);
  const uploads = [
    ...names.slice(0, 3).map((name) => ({ source: Buffer.from(`contents of ${name}`), objectName: name })),
    { source: big, objectName: 'big' },
  ];
  const results = await collect(swift.upload(container, uploads, { segmentSize: 1 << 20, meta: ['Color: blue'] }));
  assert.deepEqual(results.filter((r) => !r.success), []);
  assert.equal(results.filter((r) => r.action === 'upload_object').length, names.length);
});

after(async () => {
  for (const c of [container, `${container}_segments`, `${container}-copies`]) for await (const _ of swift.delete(c)) void _;
  await conn.close();
  await fsp.rm(root, { recursive: true, force: true });
});

describe('SwiftService stat, post, copy, list', () => {
  test('stat of the account, a container and objects', async () => {
    const [account] = await collect(swift.stat());
    assert.equal(account?.action, 'stat_account');
    assert.equal(account?.success, true);
    assert.equal(account?.items?.[0]?.[0], 'Account');
    const [cont] = await collect(swift.stat(container));
    assert.equal(cont?.headers?.['x-container-object-count'], '4');
    const objects = await collect(swift.stat(container, ['a/1.txt', 'missing']));
    assert.deepEqual(objects.map((r) => [r.object, r.success]).sort(), [['a/1.txt', true], ['missing', false]]);
    assert.equal(objects.find((r) => r.object === 'a/1.txt')?.headers?.['x-object-meta-color'], 'blue');
    const [gone] = await collect(swift.stat(unique('no-such-container')));
    assert.ok(gone?.error instanceof SwiftError && /not found/.test(gone.error.message));
  });

  test('post metadata to a container and to objects', async () => {
    const [cont] = await collect(swift.post(container, undefined, { meta: { Owner: 'me' }, readAcl: '.r:*' }));
    assert.equal(cont?.success, true);
    const h = await conn.headContainer(container);
    assert.equal(h['x-container-meta-owner'], 'me');
    assert.equal(h['x-container-read'], '.r:*');
    const posted = await collect(swift.post(container, ['a/1.txt', { objectName: 'a/2.txt', options: { meta: ['Size: L'] } }], { meta: ['Color: red'] }));
    assert.deepEqual(posted.map((r) => [r.object, r.success]).sort(), [['a/1.txt', true], ['a/2.txt', true]]);
    assert.equal((await conn.headObject(container, 'a/2.txt'))['x-object-meta-size'], 'L');
    assert.equal((await conn.headObject(container, 'a/1.txt'))['x-object-meta-color'], 'red');
  });

  test('copy objects to another container (created first)', async () => {
    const target = `${container}-copies`;
    const results = await collect(swift.copy(container, ['a/1.txt', 'b/3.txt'], { destination: `/${target}` }));
    assert.deepEqual(results.map((r) => [r.action, r.success]).sort(), [['copy_object', true], ['copy_object', true], ['create_container', true]]);
    assert.equal((await conn.getObject(target, 'b/3.txt'))[1].toString(), 'contents of b/3.txt');
    await assert.rejects(collect(swift.copy(container, ['a/1.txt', 'b/3.txt'], { destination: `/${target}/one` })), SwiftError);
  });

  test('list a container by pages, with a prefix and a delimiter', async () => {
    const pages = await collect(swift.list(container, { delimiter: '/' }));
    assert.deepEqual(pages.flatMap((p) => p.listing.map((e) => ('subdir' in e && e.subdir) || e.name)), ['a/', 'b/', 'big']);
    const [aOnly] = await collect(swift.list(container, { prefix: 'a/' }));
    assert.deepEqual(aOnly?.listing.map((e) => e.name), ['a/1.txt', 'a/2.txt']);
    const accounts = await collect(swift.list(undefined, { prefix: container, long: true }));
    assert.ok(accounts[0]?.listing.some((e) => e.name === container && 'meta' in e));
  });
});

describe('SwiftService download skip-identical', () => {
  test('a second download with skipIdentical fetches no object body', async () => {
    const out = join(root, 'dl');
    const first = await collect(swift.download(container, undefined, { outputDir: out, prefix: 'a/', removePrefix: true }));
    assert.deepEqual(first.map((r) => r.path).sort(), [join(out, '1.txt'), join(out, '2.txt')]);
    assert.equal(await fsp.readFile(join(out, '1.txt'), 'utf8'), 'contents of a/1.txt');
    await collect(swift.download(container, ['big'], { outputDir: out }));

    const proxy = await FaultProxy.start();
    const [, token] = await conn.getAuth();
    const viaProxy = new SwiftService(new Connection({ preauthUrl: proxy.storageUrl(), preauthToken: token }));
    try {
      const again = await collect(viaProxy.download(container, undefined, { outputDir: out, prefix: 'a/', removePrefix: true, skipIdentical: true }));
      assert.deepEqual(again.map((r) => [r.success, r.status]), [[true, 'skipped-identical'], [true, 'skipped-identical']]);
      const big = await collect(viaProxy.download(container, ['big'], { outputDir: out, skipIdentical: true }));
      assert.deepEqual(big.map((r) => [r.success, r.status]), [[true, 'skipped-identical']]);
      // The listing (two pages: the second is empty), then each object's GET asks for the manifest, not the data.
      const gets = proxy.seen('GET').map((r) => r.path.slice(r.path.indexOf(container) + container.length).replace(/&.*$/, ''));
      assert.deepEqual(gets.sort(), ['/a/1.txt?multipart-manifest=get', '/a/2.txt?multipart-manifest=get', '/big?multipart-manifest=get', '?format=json', '?format=json']);
      assert.ok(proxy.seen('GET').reduce((sum, r) => sum + r.responseBytes, 0) < 10_000);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });
});

describe('SwiftService progress', () => {
  test('a stream source failing before the results are read is that upload\'s failed result, never the end of the process', async () => {
    const boom = new Error('boom');
    const early = new Readable({ read() {} });
    process.nextTick(() => early.destroy(boom));
    const results = swift.upload(container, [{ source: early, objectName: 'early-failing' }]);
    // Only a 'close' listener of the test's own: the 'error' before it is the upload's to hold.
    await new Promise((resolve) => early.on('close', resolve));
    const failed = (await collect(results)).filter((r) => !r.success);
    assert.deepEqual(failed.map((r) => [r.action, r.object, r.error?.message]), [['upload_object', 'early-failing', 'boom']]);
    await assert.rejects(conn.headObject(container, 'early-failing'), /404/);
  });

  test('a part re-sent after a retry: its bytes are taken off, then progress climbs again to the total', async () => {
    const data = Buffer.alloc(1 << 20, 5);
    const proxy = await FaultProxy.start();
    const [, token] = await conn.getAuth();
    const viaProxy = new SwiftService(new Connection({ preauthUrl: proxy.storageUrl(), preauthToken: token, retries: 1, startingBackoff: 0.01 }));
    try {
      proxy.add({ method: 'PUT', path: /\/resent$/, fault: { type: 'resetRequest', afterBytes: 256 * 1024 } });
      const done: number[] = [];
      const results = await collect(
        viaProxy.upload(container, [{ source: data, objectName: 'resent' }], { skipContainerPut: true, onProgress: (e) => done.push(e.bytesDone) }),
      );
      assert.deepEqual(results.map((r) => [r.action, r.success, r.error?.message]), [['upload_object', true, undefined]]);
      assert.equal(proxy.seen('PUT').length, 2, 'one retry');
      const drop = done.findIndex((n, i) => i > 0 && n < (done[i - 1] as number));
      assert.ok(drop > 0, `progress never went back: ${done.join(', ')}`);
      assert.equal(done[drop], 0, `the whole part starts again: ${done.join(', ')}`);
      assert.equal(done.at(-1), data.length);
      assert.ok(done.every((n) => n <= data.length), 'no byte counted twice');
      assert.ok((await conn.getObject(container, 'resent'))[1].equals(data));
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });
});

describe('SwiftService uploads of a file that changes while it is read', () => {
  for (const [kind, segmentSize] of [['one PUT', 0], ['SLO segments', 1 << 20]] as const) {
    test(`${kind}: written to meanwhile, the upload fails naming the file and stores nothing; a re-run stores the new bytes`, async () => {
      const MiB = 1 << 20;
      const name = `changing-${segmentSize}`;
      const file = join(root, name);
      await randomFile(file, 8 * MiB);
      await conn.putObject(container, name, 'previous version');
      let written = false;
      // Once the first MiB is read, the last MiB is rewritten in place (same size): the bytes sent after it are the new ones.
      const onProgress = (e: { bytesDone: number }): void => {
        if (written || e.bytesDone < MiB) return;
        written = true;
        const fd = openSync(file, 'r+');
        writeSync(fd, Buffer.alloc(MiB, 9), 0, MiB, 7 * MiB);
        closeSync(fd);
      };
      const options = { segmentSize, useSlo: true, segmentThreads: 1, onProgress };
      const results = await collect(swift.upload(container, [{ source: file, objectName: name }], options));
      assert.ok(written);
      const failed = results.filter((r) => r.action === 'upload_object');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]?.success, false, 'a mix of two versions was stored');
      assert.ok(failed[0]?.error instanceof SwiftError, String(failed[0]?.error));
      assert.match(failed[0].error.message, new RegExp(`Local file "${file}" changed while it was being uploaded`));
      assert.equal((await conn.getObject(container, name))[1].toString(), 'previous version');
      const [, segments] = await conn.getContainer(`${container}_segments`, { prefix: `${name}/` });
      assert.deepEqual(segments, [], 'the segments sent were removed');

      const again = await collect(swift.upload(container, [{ source: file, objectName: name }], { segmentSize, useSlo: true }));
      assert.deepEqual(again.filter((r) => !r.success).map((r) => r.error?.message), []);
      assert.ok((await conn.getObject(container, name))[1].equals(await fsp.readFile(file)));
    });
  }
});

describe('SwiftService uploads of special files', () => {
  test('a FIFO, a link to it and a socket in a tree: each a SwiftError naming it, never a wait for a writer; the files go up', async () => {
    const tree = join(root, 'special');
    await fsp.mkdir(join(tree, 'sub'), { recursive: true });
    await fsp.writeFile(join(tree, 'a.txt'), 'a');
    execFileSync('mkfifo', [join(tree, 'fifo')]);
    symlinkSync('fifo', join(tree, 'link-to-fifo'));
    symlinkSync('..', join(tree, 'sub', 'loop'));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(tree, 'sock'), resolve));
    const bound = setTimeout(() => {
      // Releases an open() stuck on the FIFO, so that the failure is reported rather than the run hanging.
      closeSync(openSync(join(tree, 'fifo'), constants.O_WRONLY | constants.O_NONBLOCK));
    }, 60_000);
    try {
      const results = await collect(swift.upload(container, [tree], { objectThreads: 2 }));
      const byName = new Map(results.filter((r) => r.action === 'upload_object').map((r) => [r.object, r]));
      assert.deepEqual([...byName.keys()].sort(), ['a.txt', 'fifo', 'link-to-fifo', 'sock'].map((n) => `${tree.replace(/^\/+/, '')}/${n}`));
      for (const [object, result] of byName) {
        if (object.endsWith('a.txt')) {
          assert.equal(result.success, true, result.error?.message);
          continue;
        }
        assert.equal(result.success, false, object);
        assert.ok(result.error instanceof SwiftError, `${object}: ${String(result.error)}`);
        const kind = object.endsWith('sock') ? 'a socket' : 'a FIFO';
        assert.match(result.error.message, new RegExp(`^Local file "${result.path}" is ${kind}, not a regular file: not uploaded`));
      }
    } finally {
      clearTimeout(bound);
      server.close();
    }
  });
});
