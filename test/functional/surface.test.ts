// Public options that only a user would otherwise notice: each set once,
// with what the server (or the proxy in front of it) then holds or saw.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fsp, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Connection, Session, v1 } from '../../src/index.js';
import { SwiftService } from '../../src/service/index.js';
import { SWIFT, connect, purgeContainer, unique } from '../helpers/env.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { collect, randomFile, scratchDir } from '../helpers/service-files.js';

const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

let conn: Connection;
let storageUrl: string;
let token: string;
let proxy: FaultProxy;
let root: string;
const container = unique('surface');
const made: string[] = [container];

before(async () => {
  conn = connect();
  [storageUrl, token] = await conn.getAuth();
  await conn.putContainer(container);
  proxy = await FaultProxy.start();
  root = await scratchDir('surface');
});

after(async () => {
  for (const c of made) await purgeContainer(conn, c);
  await conn.close();
  await proxy.close();
  await fsp.rm(root, { recursive: true, force: true });
});

/** A SwiftService whose requests go through the fault proxy. */
function serviceViaProxy(): SwiftService {
  return new SwiftService(new Connection({ preauthUrl: proxy.storageUrl(), preauthToken: token, retries: 0 }));
}

describe('Connection options', () => {
  test('forceAuthRetry: a retry after a 503 logs in again first; without it the token is kept', async () => {
    for (const force of [true, false]) {
      proxy.reset();
      const c = new Connection({
        authUrl: `${proxy.origin}/auth/v1.0`, user: SWIFT.user, key: SWIFT.key,
        preauthUrl: proxy.storageUrl(), retries: 1, startingBackoff: 0.01, forceAuthRetry: force,
      });
      proxy.failWith(503, 1, { method: 'PUT' });
      await c.putObject(container, `force-${force}`, `forced ${force}`);
      await c.close();
      assert.equal(proxy.seen('PUT').length, 2);
      assert.equal(proxy.seen('GET', '/auth/v1.0').length, force ? 2 : 1, `forceAuthRetry ${force}`);
      assert.equal((await conn.getObject(container, `force-${force}`))[1].toString(), `forced ${force}`);
    }
  });

  test('osOptions.authToken is used as the token (no credentials at all)', async () => {
    const c = new Connection({ preauthUrl: storageUrl, osOptions: { authToken: token } });
    await c.putObject(container, 'by-auth-token', 'with osOptions.authToken');
    assert.equal(c.token, token);
    await c.close();
    assert.equal((await conn.getObject(container, 'by-auth-token'))[1].toString(), 'with osOptions.authToken');
  });

  test('v1.Password in a Session logs in to tempauth', async () => {
    const session = new Session({ auth: new v1.Password({ authUrl: SWIFT.authUrl, username: SWIFT.user, password: SWIFT.key }) });
    const c = new Connection({ session });
    await c.putObject(container, 'by-v1-session', 'via v1.Password');
    assert.equal((await c.getAuth())[0], storageUrl);
    await c.close();
    await session.close();
    assert.equal((await conn.getObject(container, 'by-v1-session'))[1].toString(), 'via v1.Password');
  });
});

describe('SwiftService options', () => {
  test('capabilities are read once and cached; refreshCache reads /info again', async () => {
    const swift = serviceViaProxy();
    proxy.reset();
    const first = await swift.capabilities();
    assert.equal(first.success, true, String(first.error));
    assert.ok(first.capabilities?.swift);
    await swift.capabilities();
    assert.equal(proxy.seen('GET', '/info').length, 1);
    const refreshed = await swift.capabilities(undefined, { refreshCache: true });
    assert.deepEqual(refreshed.capabilities?.swift, first.capabilities?.swift);
    assert.equal(proxy.seen('GET', '/info').length, 2);
    await swift.close();
  });

  test('versionId: stat, download and delete one version of an object', async () => {
    const versioned = unique('surface-versions');
    made.push(versioned);
    await conn.putContainer(versioned, { headers: { 'x-versions-enabled': 'true' } });
    await conn.putObject(versioned, 'doc', 'one');
    await conn.putObject(versioned, 'doc', 'two');
    const [, versions] = await conn.getContainer(versioned, { queryString: 'versions' });
    const old = versions.find((v) => v.is_latest === false)?.version_id as string;
    assert.ok(old);
    const swift = new SwiftService(conn);
    const [stat] = await collect(swift.stat(versioned, ['doc'], { versionId: old }));
    assert.equal(stat?.headers?.etag, md5('one'));
    const out = join(root, 'versions');
    const [down] = await collect(swift.download(versioned, ['doc'], { versionId: old, outputDir: out }));
    assert.equal(down?.success, true, String(down?.error));
    assert.equal(await fsp.readFile(join(out, 'doc'), 'utf8'), 'one');
    const [deleted] = await collect(swift.delete(versioned, ['doc'], { versionId: old }));
    assert.equal(deleted?.success, true, String(deleted?.error));
    const [, left] = await conn.getContainer(versioned, { queryString: 'versions' });
    assert.deepEqual(left.map((v) => v.version_id === old), [false], 'only the newest version is left');
    assert.equal((await conn.getObject(versioned, 'doc'))[1].toString(), 'two');
    for await (const r of swift.delete(versioned, undefined, { versions: true })) assert.ok(r.success, String(r.error));
  });

  test('segmentContainer: the segments go where it says, not to <container>_segments', async () => {
    const file = join(root, 'segmented.bin');
    await randomFile(file, 2500);
    const custom = unique('surface-custom-segments');
    made.push(custom);
    const swift = new SwiftService(conn);
    const results = await collect(swift.upload(container, [{ source: file, objectName: 'segmented' }], { segmentSize: 1000, segmentContainer: custom }));
    assert.deepEqual(results.filter((r) => !r.success), []);
    const [, segments] = await conn.getContainer(custom);
    assert.equal(segments.length, 3);
    assert.ok(segments.every((s) => (s.name as string).startsWith('segmented/')));
    await assert.rejects(conn.headContainer(`${container}_segments`), { httpStatus: 404 });
    assert.ok((await conn.getObject(container, 'segmented'))[1].equals(await fsp.readFile(file)));
  });

  test("ignoreMtime: the downloaded file keeps today's mtime, not X-Object-Meta-Mtime", async () => {
    const file = join(root, 'dated.txt');
    await fsp.writeFile(file, 'dated');
    utimesSync(file, 1_500_000_000, 1_500_000_000);
    const swift = new SwiftService(conn);
    await collect(swift.upload(container, [{ source: file, objectName: 'dated' }]));
    assert.equal((await conn.headObject(container, 'dated'))['x-object-meta-mtime'], '1500000000.000000');
    const kept = join(root, 'kept-mtime');
    const fresh = join(root, 'fresh-mtime');
    await collect(swift.download(container, ['dated'], { outputDir: kept }));
    const startedS = Math.floor(Date.now() / 1000);
    await collect(swift.download(container, ['dated'], { outputDir: fresh, ignoreMtime: true }));
    assert.equal(statSync(join(kept, 'dated')).mtimeMs, 1_500_000_000_000);
    assert.ok(statSync(join(fresh, 'dated')).mtimeMs >= startedS * 1000);
  });

  test('shuffle: the objects of a container are fetched in another order than listed', async () => {
    const many = unique('surface-shuffle');
    made.push(many);
    await conn.putContainer(many);
    const names = Array.from({ length: 20 }, (_, i) => `o${String(i).padStart(2, '0')}`);
    for (const name of names) await conn.putObject(many, name, name);
    const swift = new SwiftService(new Connection({ preauthUrl: proxy.storageUrl(), preauthToken: token }), { objectThreads: 1 });
    const order = async (shuffle: boolean): Promise<string[]> => {
      proxy.reset();
      const out = join(root, `shuffle-${shuffle}`);
      const results = await collect(swift.download(many, undefined, { outputDir: out, shuffle }));
      assert.deepEqual(results.filter((r) => !r.success), []);
      assert.deepEqual((await fsp.readdir(out)).sort(), names);
      return proxy.seen('GET').map((r) => r.path.slice(r.path.lastIndexOf('/') + 1)).filter((n) => names.includes(n));
    };
    assert.deepEqual(await order(false), names);
    // 20 objects: the listed order comes back by chance once in 20! tries
    const shuffled = await order(true);
    assert.deepEqual([...shuffled].sort(), names);
    assert.notDeepEqual(shuffled, names);
    await swift.close();
  });
});
