// Mirror sync against the local Swift: a tree with Unicode names and a
// segmented file, synced up and back down, with additions, changes,
// deletions, an interrupted run finished by the next, and second runs that
// transfer nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseSyncLocation } from '../../src/index.js';
import { SwiftService, type SyncResult } from '../../src/service/index.js';
import { cleanEnv, ours, TEMPAUTH } from '../cli/helpers.js';
import { unique } from '../helpers/env.js';
import { transferAndKill } from '../helpers/kill-child.js';
import { fileMd5, startProxiedSwift } from '../helpers/proxied-swift.js';
import { startScratchService, type ScratchService } from '../helpers/scratch-service.js';
import { assertSameTree, collect, randomFile } from '../helpers/service-files.js';

const MiB = 1 << 20;
let t: ScratchService;
let root: string;
let swift: SwiftService;
let containers: string[];

before(async () => {
  t = await startScratchService('sync', { defaults: { segmentSize: MiB } });
  ({ root, swift, containers } = t);
});

after(async () => {
  await t.close();
});

async function tree(dir: string): Promise<void> {
  await fsp.mkdir(join(dir, 'café', 'deeper'), { recursive: true });
  await fsp.writeFile(join(dir, 'café', 'naïve.txt'), 'déjà vu\n');
  await fsp.writeFile(join(dir, 'café', 'deeper', '日本語.txt'), randomBytes(3000));
  await fsp.writeFile(join(dir, 'empty.txt'), '');
  await fsp.writeFile(join(dir, 'keep.txt'), 'keep');
  await randomFile(join(dir, 'big.bin'), 3 * MiB + 17);
}

function ops(results: SyncResult[]): string[] {
  return results
    .filter((r) => ['upload_object', 'download_object', 'delete_object', 'delete_file'].includes(r.action))
    .map((r) => `${r.action} ${r.object}`)
    .sort();
}

function failures(results: SyncResult[]): string[] {
  return results.filter((r) => !r.success).map((r) => `${r.action} ${r.object}: ${r.error?.message}`);
}

describe('sync', () => {
  test('parseSyncLocation: swift://container[/prefix] or a local path', () => {
    assert.deepEqual(parseSyncLocation('swift://c'), { kind: 'swift', container: 'c', prefix: '' });
    assert.deepEqual(parseSyncLocation('swift://c/a/b/'), { kind: 'swift', container: 'c', prefix: 'a/b/' });
    assert.deepEqual(parseSyncLocation('./dir'), { kind: 'local', path: './dir' });
    assert.throws(() => parseSyncLocation('swift:///x'), /No container/);
  });

  test('up and down with additions, changes and deletions (Unicode names, a segmented file); second runs transfer nothing', async () => {
    const c = unique('sync');
    containers.push(c, `${c}_segments`);
    const src = join(root, 'src');
    await tree(src);
    const remote = `swift://${c}/backup`;

    let results = await collect(swift.sync(src, remote));
    assert.deepEqual(failures(results), []);
    assert.deepEqual(ops(results), ['backup/big.bin', 'backup/café/deeper/日本語.txt', 'backup/café/naïve.txt', 'backup/empty.txt', 'backup/keep.txt'].map((n) => `upload_object ${n}`).sort());
    assert.deepEqual(await collect(swift.sync(src, remote, { dryRun: true })), [], 'nothing left to do');
    assert.deepEqual(ops(await collect(swift.sync(src, remote))), []);

    // Down into an empty directory: the same tree; again: nothing.
    const back = join(root, 'back');
    results = await collect(swift.sync(remote, back));
    assert.deepEqual(failures(results), []);
    await assertSameTree(src, back);
    assert.deepEqual(ops(await collect(swift.sync(remote, back))), []);

    // Changes at the source: one file grows, one changes in place (same size), one is new, one goes.
    await fsp.appendFile(join(src, 'keep.txt'), '!');
    await fsp.writeFile(join(src, 'café', 'naïve.txt'), 'DÉJÀ VU\n');
    await fsp.writeFile(join(src, 'new ☃.txt'), 'snow');
    await fsp.rm(join(src, 'empty.txt'));
    const plan = await collect(swift.sync(src, remote, { dryRun: true }));
    assert.deepEqual(
      plan.map((s) => (s.action === 'sync_plan' ? `${s.operation} ${s.object} ${s.reason}` : s.action)).sort(),
      ['upload backup/café/naïve.txt content', 'upload backup/keep.txt size', 'upload backup/new ☃.txt new'],
      'without delete, nothing is deleted',
    );
    results = await collect(swift.sync(src, remote, { delete: true }));
    assert.deepEqual(failures(results), []);
    assert.deepEqual(ops(results), ['delete_object backup/empty.txt', 'upload_object backup/café/naïve.txt', 'upload_object backup/keep.txt', 'upload_object backup/new ☃.txt']);
    assert.deepEqual(ops(await collect(swift.sync(src, remote, { delete: true }))), []);

    // Down again, deleting the local file the container no longer has.
    results = await collect(swift.sync(remote, back, { delete: true }));
    assert.deepEqual(failures(results), []);
    assert.deepEqual(ops(results), ['delete_file backup/empty.txt', 'download_object backup/café/naïve.txt', 'download_object backup/keep.txt', 'download_object backup/new ☃.txt']);
    await assertSameTree(src, back);

    // The command line prints the plan; a synced tree has none.
    const env = cleanEnv(TEMPAUTH);
    await fsp.writeFile(join(src, 'cli.txt'), 'cli');
    const dry = await ours(['sync', '--dry-run', src, remote], { env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, `upload ${join(src, 'cli.txt')} -> ${c}/backup/cli.txt (new)\n`);
    const real = await ours(['sync', '-S', '1M', src, remote], { env });
    assert.equal(real.code, 0, real.stderr);
    assert.equal(real.stdout, `uploaded ${join(src, 'cli.txt')} -> ${c}/backup/cli.txt\n`);
    assert.equal((await ours(['sync', '--dry-run', src, remote], { env })).stdout, '');
  });

  test('a missing source (directory or container) is an error, and the destination is left alone even with delete', async () => {
    const c = unique('sync-nosrc');
    containers.push(c);
    await t.conn.putContainer(c);
    await t.conn.putObject(c, 'p/kept.txt', 'kept');
    const missingDir = join(root, 'no-such-dir');
    await assert.rejects(collect(swift.sync(missingDir, `swift://${c}/p`, { delete: true })), {
      name: 'SwiftError',
      message: `Local directory ${JSON.stringify(missingDir)} not found`,
    });
    assert.equal((await t.conn.getObject(c, 'p/kept.txt'))[1].toString(), 'kept');

    const dest = join(root, 'nosrc-dest');
    await fsp.mkdir(dest, { recursive: true });
    await fsp.writeFile(join(dest, 'kept.txt'), 'kept');
    const missingContainer = unique('sync-missing');
    await assert.rejects(collect(swift.sync(`swift://${missingContainer}`, dest, { delete: true })), {
      name: 'SwiftError',
      message: `Container '${missingContainer}' not found`,
    });
    assert.deepEqual(await fsp.readdir(dest), ['kept.txt']);

    // The command line: one line, exit status 1, nothing deleted.
    const cli = await ours(['sync', '--delete', missingDir, `swift://${c}/p`], { env: cleanEnv(TEMPAUTH) });
    assert.equal(cli.code, 1);
    assert.equal(cli.stderr, `Local directory ${JSON.stringify(missingDir)} not found\n`);
    assert.equal(cli.stdout, '');
    assert.equal((await t.conn.getObject(c, 'p/kept.txt'))[1].toString(), 'kept');
    // A missing destination is fine: it is created.
    assert.deepEqual(failures(await collect(swift.sync(`swift://${c}/p`, join(root, 'nosrc-new')))), []);
    assert.deepEqual(await fsp.readdir(join(root, 'nosrc-new')), ['kept.txt']);
  });

  test('an interrupted sync is finished by the next run', async () => {
    const c = unique('sync-int');
    containers.push(c, `${c}_segments`);
    const src = join(root, 'int-src');
    await fsp.mkdir(src, { recursive: true });
    for (let i = 0; i < 30; i += 1) await fsp.writeFile(join(src, `f${i}.txt`), randomBytes(1000 + i));
    await randomFile(join(src, 'big.bin'), 4 * MiB);
    const controller = new AbortController();
    let uploaded = 0;
    await assert.rejects(async () => {
      for await (const r of swift.sync(src, `swift://${c}`, { signal: controller.signal, objectThreads: 2, segmentThreads: 1 })) {
        if (r.action === 'upload_object' && r.success && ++uploaded === 5) controller.abort();
      }
    }, { name: 'AbortError' });
    const before = await collect(swift.sync(src, `swift://${c}`, { dryRun: true }));
    assert.ok(before.length > 0 && before.length < 31, `${before.length} left after the interruption`);
    const results = await collect(swift.sync(src, `swift://${c}`));
    assert.deepEqual(failures(results), []);
    // An upload cut off by the abort may still land on the server (or reach its
    // listing) after the dry run looked: the next run may find one fewer to send.
    const sent = ops(results).length;
    assert.ok(sent >= 1 && sent <= before.length, `only what was left is sent: ${sent} of ${before.length}`);
    assert.deepEqual(await collect(swift.sync(src, `swift://${c}`, { dryRun: true })), []);
    const back = join(root, 'int-back');
    assert.deepEqual(failures(await collect(swift.sync(`swift://${c}`, back))), []);
    await assertSameTree(src, back);
  });

  test('a download killed mid-way leaves partial files that the next sync down resumes, and that no sync transfers or deletes', async () => {
    const p = await startProxiedSwift('sync-kill');
    try {
      const c = p.newContainer('sync-kill');
      const big = join(p.root, 'big.bin');
      const size = 3 * MiB + 5;
      await randomFile(big, size);
      assert.deepEqual(failures(await collect(swift.upload(c, [{ source: big, objectName: 'big.bin' }], { useSlo: true }))), []);
      const dir = join(p.root, 'mirror');
      const job = { op: 'download', storageUrl: p.storageUrl, token: p.token, container: c, objects: ['big.bin'], options: { outputDir: dir, segmentThreads: 1 } };
      const outcome = await transferAndKill(job, p.proxy, (x) => x.received('GET', /_segments\//) >= MiB);
      assert.ok(outcome.killed, outcome.stderr);
      const before = p.proxy.received('GET', /_segments\//);
      assert.deepEqual((await fsp.readdir(dir)).sort(), ['.big.bin.swiftclient-partial', '.big.bin.swiftclient-partial.json', '.big.bin.swiftclient-partial.lock']);

      // The download's own files are not the directory's content: nothing to upload, nothing to delete.
      assert.deepEqual(await collect(swift.sync(dir, `swift://${p.newContainer('sync-kill-up')}`, { dryRun: true })), []);
      const uploaded = await collect(swift.upload(p.newContainer('sync-kill-upload'), [dir]));
      assert.deepEqual(uploaded.filter((r) => r.action === 'upload_object').map((r) => (r as { object?: string }).object), [], 'upload of the directory sends no partial file (nor a marker)');
      const plan = await collect(swift.sync(`swift://${c}`, dir, { dryRun: true, delete: true }));
      assert.deepEqual(plan.map((s) => `${(s as { operation: string }).operation} ${s.object}`), ['download big.bin']);

      p.proxy.reset();
      const service = p.viaProxy();
      const results = await collect(service.sync(`swift://${c}`, dir, { delete: true })).finally(() => service.close());
      assert.deepEqual(failures(results), []);
      const again = p.proxy.received('GET', /_segments\//);
      assert.ok(again <= size - before + MiB, `received ${again} again; ${before} before the kill`);
      assert.deepEqual(await fsp.readdir(dir), ['big.bin']);
      assert.equal(await fileMd5(join(dir, 'big.bin')), await fileMd5(big));
    } finally {
      await p.close();
    }
  });
});
