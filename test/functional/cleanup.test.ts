// Orphan cleanup against the local Swift, in the second test account (so
// that the account-wide scan for manifests stays small): a planted mix of
// live SLO/DLO segments, a nested cross-container manifest, a custom segment
// container, a manifest with a missing segment, and orphans old and fresh.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Connection } from '../../src/index.js';
import { SwiftService, type CleanupResult } from '../../src/service/index.js';
import { connect, SWIFT, unique } from '../helpers/env.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { startScratchService, type ScratchService } from '../helpers/scratch-service.js';
import { collect, randomFile } from '../helpers/service-files.js';
import { cleanEnv, ours } from '../cli/helpers.js';

const MiB = 1 << 20;

let t: ScratchService;
let root: string;
let conn: Connection;
let swift: SwiftService;
let containers: string[];

before(async () => {
  t = await startScratchService('cleanup', { conn: connect({ user: SWIFT.user2, key: SWIFT.key2 }), deleteOptions: { leaveSegments: true } });
  ({ root, conn, swift, containers } = t);
});

after(async () => {
  await t.close();
});

function segName(obj: string, index: number): string {
  return `${obj}/slo/1700000000.000000/3000/1000/${String(index).padStart(8, '0')}`;
}

function paths(results: CleanupResult[], action: CleanupResult['action'], status?: string): string[] {
  return results
    .filter((r) => r.action === action && (status === undefined || r.status === status))
    .map((r) => `${r.container}/${r.object}`)
    .sort();
}

describe('cleanup', () => {
  test('dry-run lists exactly the orphans and the broken manifest; the real run deletes exactly the old orphans', async () => {
    const c = unique('clean');
    const segs = `${c}_segments`;
    const x = `${c}-x`;
    const custom = `${c}-custom`;
    containers.push(c, segs, x, custom);
    const file = join(root, 'f.bin');
    await randomFile(file, 2 * MiB + 100);
    const ok = async (results: AsyncIterable<{ success: boolean; error?: Error | undefined }>) =>
      assert.deepEqual((await collect(results)).filter((r) => !r.success).map((r) => r.error?.message), []);
    // Live: an SLO and a DLO in <c>_segments, an SLO in x whose segments are in a custom container,
    // an SLO in c that nests x's SLO, and an SLO with a segment deleted behind its back.
    await ok(swift.upload(c, [{ source: file, objectName: 'slo' }], { segmentSize: MiB, useSlo: true }));
    await ok(swift.upload(c, [{ source: file, objectName: 'dlo' }], { segmentSize: MiB, useDlo: true }));
    await ok(swift.upload(x, [{ source: file, objectName: 'inner' }], { segmentSize: MiB, useSlo: true, segmentContainer: custom }));
    await conn.putObject(c, 'nested', JSON.stringify([{ path: `/${x}/inner`, etag: null, size_bytes: null }]), { queryString: 'multipart-manifest=put' });
    await ok(swift.upload(c, [{ source: file, objectName: 'broken' }], { segmentSize: MiB, useSlo: true }));
    const [, listing] = await conn.getContainer(segs, { prefix: 'broken/', fullListing: true });
    const missing = `${segs}/${listing[1]?.name as string}`;
    await conn.deleteObject(segs, listing[1]?.name as string);
    await conn.putObject(custom, 'readme.txt', 'not a segment: never a candidate in a custom container');

    const plant = (container: string, obj: string) => conn.putObject(container, obj, 'x'.repeat(1000));
    const old = [`${segs}/${segName('gone', 0)}`, `${segs}/${segName('gone', 1)}`, `${custom}/${segName('lost', 0)}`];
    for (const p of old) await plant(p.slice(0, p.indexOf('/')), p.slice(p.indexOf('/') + 1));
    // A cutoff between the two plantings (the server stamps each PUT when it arrives): no timing involved.
    const cutoff = new Date();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fresh = [`${segs}/${segName('running', 0)}`, `${custom}/${segName('running', 0)}`];
    for (const p of fresh) await plant(p.slice(0, p.indexOf('/')), p.slice(p.indexOf('/') + 1));

    const both = async (options: { dryRun?: boolean; olderThan: Date }) => [...(await collect(swift.cleanup(c, options))), ...(await collect(swift.cleanup(x, options)))];
    const dry = await both({ dryRun: true, olderThan: cutoff });
    assert.deepEqual(dry.filter((r) => !r.success), []);
    assert.deepEqual(paths(dry, 'orphan_segment', 'dry-run'), old.sort());
    assert.deepEqual(paths(dry, 'orphan_segment', 'too-recent'), fresh.sort());
    const broken = dry.filter((r) => r.action === 'broken_manifest');
    assert.deepEqual([...new Set(broken.map((r) => `${r.container}/${r.object}`))], [`${c}/broken`]);
    assert.deepEqual(broken[0]?.action === 'broken_manifest' && broken[0].missing, [missing]);
    for (const p of [...old, ...fresh]) await conn.headObject(p.slice(0, p.indexOf('/')), p.slice(p.indexOf('/') + 1));

    // The command line: with no grace period, every orphan would go; --dry-run deletes nothing.
    const env = cleanEnv({ ST_AUTH: SWIFT.authUrl, ST_USER: SWIFT.user2, ST_KEY: SWIFT.key2 });
    const cli = await ours(['cleanup', c, '--dry-run', '--older-than', '0s'], { env });
    assert.equal(cli.code, 0, cli.stderr);
    const lines = cli.stdout.trim().split('\n').sort();
    const expected = [
      `broken manifest ${c}/broken: missing ${missing}`,
      ...[...old, ...fresh].filter((p) => p.startsWith(segs)).map((p) => `orphan segment ${p} (1000 bytes): would be deleted`),
    ].sort();
    assert.deepEqual(lines, expected);
    for (const p of [...old, ...fresh]) await conn.headObject(p.slice(0, p.indexOf('/')), p.slice(p.indexOf('/') + 1));

    const real = await both({ olderThan: cutoff });
    assert.deepEqual(paths(real, 'orphan_segment', 'deleted'), old.sort());
    assert.deepEqual(paths(real, 'orphan_segment', 'too-recent'), fresh.sort());
    for (const p of old) await assert.rejects(conn.headObject(p.slice(0, p.indexOf('/')), p.slice(p.indexOf('/') + 1)), { httpStatus: 404 });
    for (const p of fresh) await conn.headObject(p.slice(0, p.indexOf('/')), p.slice(p.indexOf('/') + 1));
    // The live objects are whole.
    const want = await fsp.readFile(file);
    for (const [container, obj] of [[c, 'slo'], [c, 'dlo'], [x, 'inner'], [c, 'nested']] as const) {
      const [, body] = await conn.getObject(container, obj);
      assert.ok(body.equals(want), `${container}/${obj}`);
    }
  });

  test('a container that does not exist (nor its _segments) is an error, in the library and on the command line', async () => {
    const missing = unique('cleanup-missing');
    await assert.rejects(collect(swift.cleanup(missing, { dryRun: true })), (err: unknown) => err instanceof Error && err.name === 'SwiftError' && err.message.startsWith(`Container '${missing}' not found`));
    const env = cleanEnv({ ST_AUTH: SWIFT.authUrl, ST_USER: SWIFT.user2, ST_KEY: SWIFT.key2 });
    const cli = await ours(['cleanup', missing, '--dry-run'], { env });
    assert.equal(cli.code, 1);
    assert.equal(cli.stdout, '');
    assert.match(cli.stderr, new RegExp(`^Container '${missing}' not found[^\\n]*\\n$`));
    // A container that exists but holds nothing is no error.
    const empty = unique('cleanup-empty');
    await conn.putContainer(empty);
    containers.push(empty);
    // The first test's broken manifest lives in another container: not reported for this one.
    assert.deepEqual(await collect(swift.cleanup(empty, { dryRun: true })), []);
  });

  test('a container deleted while the account is scanned is passed over, not a failure of the whole cleanup', async () => {
    const c = unique('clean-vanish');
    const segs = `${c}_segments`;
    const gone = `${c}-gone`;
    containers.push(c, segs);
    for (const container of [c, segs, gone]) await conn.putContainer(container);
    await conn.putObject(gone, segName('inside', 0), 'x'.repeat(1000));
    await conn.putObject(segs, segName('orphan', 0), 'x'.repeat(1000));
    const cutoff = new Date(Date.now() + 60_000);
    // The real Swift answers the listing of `gone` with 404: the proxy deletes it just before forwarding.
    const proxy = await FaultProxy.start();
    const [storageUrl, token] = await conn.getAuth();
    const proxied = new Connection({ preauthUrl: proxy.storageUrl(new URL(storageUrl).pathname.split('/')[2]), preauthToken: token, retries: 0 });
    const service = new SwiftService(proxied);
    try {
      proxy.add({
        method: 'GET',
        path: new RegExp(`/${gone}\\?`),
        before: async () => {
          await conn.deleteObject(gone, segName('inside', 0));
          await conn.deleteContainer(gone);
        },
        fault: { type: 'forward' },
      });
      const results = await collect(service.cleanup(c, { dryRun: true, olderThan: cutoff }));
      assert.deepEqual(results.filter((r) => !r.success).map((r) => r.error?.message), []);
      assert.deepEqual(paths(results, 'orphan_segment', 'dry-run'), [`${segs}/${segName('orphan', 0)}`]);
      assert.deepEqual(proxy.seen('GET', new RegExp(`/${gone}\\?`)).map((r) => r.status), [404], 'the scan met the deleted container');
    } finally {
      await service.close();
      await proxied.close();
      await proxy.close();
    }
  });
});
