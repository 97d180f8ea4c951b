// Temp URLs, form posts, ACLs, versioning, symlinks and expiring objects
// against the local Swift's real middlewares (tempurl, formpost,
// versioned_writes / object_versioning, symlink). Anonymous requests go
// through plain fetch, never through the Connection.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientException, type Connection } from '../../src/index.js';
import {
  clearObjectExpiry,
  createSymlink,
  deleteObjectVersion,
  disableVersioning,
  enableVersioning,
  expiryHeaders,
  generateFormPost,
  generateTempUrl,
  getAccountTempUrlKeys,
  getContainerAcl,
  getContainerTempUrlKeys,
  getObjectExpiry,
  getObjectVersion,
  getVersionsLocation,
  headObjectVersion,
  isVersioningEnabled,
  listLegacyVersions,
  listVersions,
  readSymlink,
  removeAccountTempUrlKey,
  removeContainerTempUrlKey,
  removeVersionsLocation,
  restoreObjectVersion,
  setAccountTempUrlKey,
  setContainerAcl,
  setContainerTempUrlKey,
  setObjectExpiry,
  setVersionsLocation,
  tempUrlFor,
  type TempUrlDigest,
  type TempUrlOptions,
} from '../../src/extras.js';
import { SWIFT, connect, purgeContainer, unique } from '../helpers/env.js';

let conn: Connection;
let origin: string;
/** `/v1/AUTH_test`, unquoted. */
let accountPath: string;
const created: string[] = [];
const versioned: string[] = [];

async function newContainer(label: string): Promise<string> {
  const name = unique(`extras-${label}`);
  created.push(name);
  await conn.putContainer(name);
  return name;
}

/** Disables versioning, deletes every version, then the container. */
async function purgeVersioned(name: string): Promise<void> {
  try {
    await disableVersioning(conn, name);
    const [, versions] = await listVersions(conn, name, { fullListing: true });
    for (const v of versions) {
      if (v.name && v.version_id) await deleteObjectVersion(conn, name, v.name, v.version_id).catch(() => undefined);
    }
  } catch {
    // already gone
  }
  await purgeContainer(conn, name);
}

before(async () => {
  conn = connect();
  const [url] = await conn.getAuth();
  const parsed = new URL(url);
  origin = parsed.origin;
  accountPath = decodeURIComponent(parsed.pathname).replace(/\/+$/, '');
});

after(async () => {
  for (const name of versioned) await purgeVersioned(name);
  for (const name of created) await purgeContainer(conn, name);
  await conn.close();
});

/** An anonymous request to a path (already encoded) on the proxy. */
function anon(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${origin}${pathAndQuery}`, { redirect: 'manual', ...init });
}

async function bodyOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

describe('temp URLs through the tempurl middleware', () => {
  let container: string;
  const key = `key-${randomBytes(8).toString('hex')}`;
  const key2 = `key2-${randomBytes(8).toString('hex')}`;
  const data = Buffer.from('temp url payload');

  before(async () => {
    container = await newContainer('tempurl');
    await setContainerTempUrlKey(conn, container, key);
    await setContainerTempUrlKey(conn, container, key2, { secondary: true });
    await conn.putObject(container, 'obj.txt', data);
  });

  const sign = (obj: string, seconds: number | string, method: string, options: TempUrlOptions = {}, signKey = key): string =>
    generateTempUrl(`${accountPath}/${container}/${obj}`, seconds, signKey, method, options);

  test('the container keys are set and read back', async () => {
    assert.deepEqual(await getContainerTempUrlKeys(conn, container), { key, key2 });
  });

  for (const digest of ['sha1', 'sha256', 'sha512'] as const satisfies readonly TempUrlDigest[]) {
    test(`GET, HEAD and PUT work with ${digest}; a URL is bound to its method`, async () => {
      const get = await anon(sign('obj.txt', 60, 'GET', { digest }));
      assert.equal(get.status, 200);
      assert.deepEqual(await bodyOf(get), data);

      const head = await anon(sign('obj.txt', 60, 'HEAD', { digest }), { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(data.length));

      const uploaded = Buffer.from(`uploaded with ${digest}`);
      const put = await anon(sign(`put-${digest}.txt`, 60, 'PUT', { digest }), { method: 'PUT', body: uploaded });
      assert.equal(put.status, 201, await put.text());
      const [, stored] = await conn.getObject(container, `put-${digest}.txt`);
      assert.deepEqual(stored, uploaded);

      // The GET URL does not allow a PUT, nor the PUT URL a GET.
      const wrongPut = await anon(sign('obj.txt', 60, 'GET', { digest }), { method: 'PUT', body: 'x' });
      assert.equal(wrongPut.status, 401);
      await wrongPut.arrayBuffer();
      const wrongGet = await anon(sign(`put-${digest}.txt`, 60, 'PUT', { digest }));
      assert.equal(wrongGet.status, 401);
      await wrongGet.arrayBuffer();
    });
  }

  test('the secondary key signs too; a wrong key is refused', async () => {
    const ok = await anon(sign('obj.txt', 60, 'GET', {}, key2));
    assert.equal(ok.status, 200);
    assert.deepEqual(await bodyOf(ok), data);
    const bad = await anon(sign('obj.txt', 60, 'GET', {}, 'not-the-key'));
    assert.equal(bad.status, 401);
    await bad.arrayBuffer();
  });

  test('an ISO 8601 expiry in the URL is accepted', async () => {
    const url = sign('obj.txt', 60, 'GET', { iso8601: true, digest: 'sha512' });
    assert.match(url, /temp_url_expires=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const res = await anon(url);
    assert.equal(res.status, 200);
    assert.deepEqual(await bodyOf(res), data);
  });

  test('a prefix URL opens the objects under the prefix and nothing else', async () => {
    await conn.putObject(container, 'pre/a', 'A');
    await conn.putObject(container, 'pre/b', 'B');
    await conn.putObject(container, 'other', 'O');
    const signed = sign('pre/', 60, 'GET', { prefix: true });
    const query = signed.slice(signed.indexOf('?'));
    assert.match(query, /&temp_url_prefix=pre\/$/);
    for (const [name, body] of [
      ['pre/a', 'A'],
      ['pre/b', 'B'],
    ]) {
      const res = await anon(`${accountPath}/${container}/${name}${query}`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), body);
    }
    const outside = await anon(`${accountPath}/${container}/other${query}`);
    assert.equal(outside.status, 401);
    await outside.arrayBuffer();
  });

  test('an IP range that includes 127.0.0.1 works, one that excludes it is refused', async () => {
    for (const ipRange of ['127.0.0.1', '127.0.0.0/8']) {
      const res = await anon(sign('obj.txt', 60, 'GET', { ipRange }));
      assert.equal(res.status, 200, ipRange);
      assert.deepEqual(await bodyOf(res), data);
    }
    const excluded = await anon(sign('obj.txt', 60, 'GET', { ipRange: '10.0.0.0/8' }));
    assert.equal(excluded.status, 401);
    await excluded.arrayBuffer();
  });

  test('tempUrlFor encodes names that need quoting and signs the real name', async () => {
    const name = 'dir/a file ✓ 100%.txt';
    await conn.putObject(container, name, 'quoted');
    const url = await tempUrlFor(conn, container, name, '1m', key, 'GET', { digest: 'sha512' });
    assert.ok(url.startsWith(`${origin}/v1/AUTH_test/${container}/dir/a%20file%20%E2%9C%93%20100%25.txt?temp_url_sig=sha512:`), url);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'quoted');

    const prefixUrl = await tempUrlFor(conn, container, 'dir/a ', 60, key, 'GET', { prefix: true });
    const prefixQuery = prefixUrl.slice(prefixUrl.indexOf('?'));
    const viaPrefix = await anon(`/v1/AUTH_test/${container}/dir/a%20file%20%E2%9C%93%20100%25.txt${prefixQuery}`);
    assert.equal(viaPrefix.status, 200);
    assert.equal(await viaPrefix.text(), 'quoted');
  });

  test('a URL stops working once it has expired', async () => {
    // 6 s: room for a loaded machine to use it before it expires
    const url = sign('obj.txt', 6, 'GET');
    const expires = Number(new URLSearchParams(url.slice(url.indexOf('?'))).get('temp_url_expires'));
    const fresh = await anon(url);
    assert.equal(fresh.status, 200);
    await fresh.arrayBuffer();
    // Swift refuses once its clock is past `expires`.
    await sleep(Math.max(0, (expires + 1.1) * 1000 - Date.now()));
    const stale = await anon(url);
    assert.equal(stale.status, 401);
    await stale.arrayBuffer();
  });

  test('removing the container key revokes its URLs', async () => {
    const c2 = await newContainer('revoke');
    const k = randomBytes(6).toString('hex');
    await setContainerTempUrlKey(conn, c2, k);
    await conn.putObject(c2, 'o', 'x');
    const url = generateTempUrl(`${accountPath}/${c2}/o`, 60, k, 'GET');
    const before = await anon(url);
    assert.equal(before.status, 200);
    await before.arrayBuffer();
    await removeContainerTempUrlKey(conn, c2);
    assert.deepEqual(await getContainerTempUrlKeys(conn, c2), { key: undefined, key2: undefined });
    const afterRemoval = await anon(url);
    assert.equal(afterRemoval.status, 401);
    await afterRemoval.arrayBuffer();
  });

  test('an account key signs URLs for every container of the account (and is restored after)', async () => {
    const previous = await getAccountTempUrlKeys(conn);
    const accountKey = `acct-${randomBytes(8).toString('hex')}`;
    await setAccountTempUrlKey(conn, accountKey, { secondary: true });
    try {
      assert.equal((await getAccountTempUrlKeys(conn)).key2, accountKey);
      const res = await anon(sign('obj.txt', 60, 'GET', {}, accountKey));
      assert.equal(res.status, 200);
      assert.deepEqual(await bodyOf(res), data);
    } finally {
      if (previous.key2 !== undefined) await setAccountTempUrlKey(conn, previous.key2, { secondary: true });
      else await removeAccountTempUrlKey(conn, { secondary: true });
    }
    assert.equal((await getAccountTempUrlKeys(conn)).key2, previous.key2);
  });
});

describe('form posts through the formpost middleware', () => {
  let container: string;
  const key = `form-${randomBytes(8).toString('hex')}`;
  const fileA = randomBytes(3000);
  const fileB = Buffer.from('second file\n');

  before(async () => {
    container = await newContainer('formpost');
    await setContainerTempUrlKey(conn, container, key);
  });

  function multipart(fields: Array<[string, string]>, files: Array<[string, Buffer]>): FormData {
    const form = new FormData();
    // The formpost middleware reads the signed fields before any file.
    for (const [name, value] of fields) form.append(name, value);
    files.forEach(([filename, bytes], i) => form.append(`file${i + 1}`, new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }), filename));
    return form;
  }

  for (const [digest, signatureEncoding] of [
    ['sha256', 'hex'],
    ['sha512', 'base64'],
    ['sha1', 'hex'],
  ] as const) {
    test(`two files upload in one POST (${digest}, ${signatureEncoding} signature)`, async () => {
      const prefix = `uploads-${digest}/`;
      const form = generateFormPost({ path: `${accountPath}/${container}/${prefix}`, key, seconds: 60, maxFileSize: 10_000, maxFileCount: 2, digest, signatureEncoding });
      const res = await anon(form.action, { method: 'POST', body: multipart(form.fields, [['a.bin', fileA], ['b.txt', fileB]]) });
      const text = await res.text();
      assert.equal(res.status, 201, text);
      const [, a] = await conn.getObject(container, `${prefix}a.bin`);
      const [, b] = await conn.getObject(container, `${prefix}b.txt`);
      assert.deepEqual(a, fileA);
      assert.deepEqual(b, fileB);
    });
  }

  test('with a redirect the browser is sent on with the status', async () => {
    const redirect = 'https://example.com/done?x=1';
    const form = generateFormPost({ path: `${accountPath}/${container}/redir/`, key, seconds: '1m', maxFileSize: 100, maxFileCount: 1, redirect });
    const res = await anon(form.action, { method: 'POST', body: multipart(form.fields, [['one.txt', fileB]]) });
    await res.arrayBuffer();
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${redirect}&status=201&message=`);
    const [, stored] = await conn.getObject(container, 'redir/one.txt');
    assert.deepEqual(stored, fileB);
  });

  test('a tampered form, too many files and an expired form are refused', async () => {
    const good = generateFormPost({ path: `${accountPath}/${container}/bad/`, key, seconds: 60, maxFileSize: 100, maxFileCount: 1 });
    const tampered = good.fields.map(([n, v]): [string, string] => (n === 'max_file_size' ? [n, '1000000'] : [n, v]));
    const r1 = await anon(good.action, { method: 'POST', body: multipart(tampered, [['t.txt', fileB]]) });
    assert.equal(r1.status, 401);
    assert.match(await r1.text(), /Invalid Signature/);

    const r2 = await anon(good.action, { method: 'POST', body: multipart(good.fields, [['x.txt', fileB], ['y.txt', fileB]]) });
    assert.equal(r2.status, 400);
    assert.match(await r2.text(), /Max File Count Exceeded/);

    const expired = generateFormPost({ path: `${accountPath}/${container}/bad/`, key, seconds: Math.floor(Date.now() / 1000) - 5, absolute: true, maxFileSize: 100, maxFileCount: 1 });
    const r3 = await anon(expired.action, { method: 'POST', body: multipart(expired.fields, [['z.txt', fileB]]) });
    assert.equal(r3.status, 401);
    assert.match(await r3.text(), /Form Expired/);
    // Files are stored one by one: only the one before the count ran out exists.
    const [, listing] = await conn.getContainer(container, { prefix: 'bad/' });
    assert.deepEqual(
      listing.map((entry) => entry.name),
      ['bad/x.txt'],
    );
  });
});

describe('container ACLs', () => {
  test('a public read ACL opens objects to anonymous GETs until removed; a write ACL lets another user upload', async () => {
    const container = await newContainer('acl');
    await conn.putObject(container, 'pub.txt', 'public');
    const path = `${accountPath}/${container}/pub.txt`;
    const denied = await anon(path);
    assert.equal(denied.status, 401);
    await denied.arrayBuffer();

    await setContainerAcl(conn, container, { read: ['.r:*', '.rlistings'], write: `${SWIFT.user3}` });
    assert.deepEqual(await getContainerAcl(conn, container), { read: ['.r:*', '.rlistings'], write: [SWIFT.user3] });
    const open = await anon(path);
    assert.equal(open.status, 200);
    assert.equal(await open.text(), 'public');

    const other = connect({ user: SWIFT.user3, key: SWIFT.key3 });
    try {
      await other.putObject(container, 'from-tester3.txt', 'hi');
    } finally {
      await other.close();
    }
    const [, fromOther] = await conn.getObject(container, 'from-tester3.txt');
    assert.equal(fromOther.toString(), 'hi');

    await setContainerAcl(conn, container, { read: null });
    assert.deepEqual(await getContainerAcl(conn, container), { read: [], write: [SWIFT.user3] });
    const closed = await anon(path);
    assert.equal(closed.status, 401);
    await closed.arrayBuffer();
  });
});

describe('object versioning', () => {
  test('new-style versioning keeps the old version, reads it by id and restores it', async () => {
    const container = unique('extras-versions');
    versioned.push(container);
    await conn.putContainer(container);
    assert.equal(await isVersioningEnabled(conn, container), false);
    await enableVersioning(conn, container);
    assert.equal(await isVersioningEnabled(conn, container), true);

    await conn.putObject(container, 'doc', 'version one');
    await conn.putObject(container, 'doc', 'version two');
    const [, versions] = await listVersions(conn, container, { fullListing: true });
    const docs = versions.filter((v) => v.name === 'doc');
    assert.equal(docs.length, 2);
    const latest = docs.find((v) => v.is_latest);
    const old = docs.find((v) => !v.is_latest);
    assert.ok(latest?.version_id && old?.version_id);

    const [oldHeaders, oldBody] = await getObjectVersion(conn, container, 'doc', old.version_id);
    assert.equal(oldBody.toString(), 'version one');
    assert.equal(oldHeaders['x-object-version-id'], old.version_id);
    assert.equal((await headObjectVersion(conn, container, 'doc', latest.version_id))['content-length'], String('version two'.length));

    // Paging by versionMarker walks both versions one at a time.
    const [, page1] = await listVersions(conn, container, { limit: 1 });
    const [, page2] = await listVersions(conn, container, { limit: 1, marker: 'doc', versionMarker: page1[0]?.version_id as string });
    assert.deepEqual([page1[0]?.version_id, page2[0]?.version_id], [latest.version_id, old.version_id]);

    const etag = await restoreObjectVersion(conn, container, 'doc', old.version_id);
    assert.equal(etag, old.hash);
    const [, current] = await conn.getObject(container, 'doc');
    assert.equal(current.toString(), 'version one');

    await deleteObjectVersion(conn, container, 'doc', latest.version_id);
    await assert.rejects(getObjectVersion(conn, container, 'doc', latest.version_id), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);
  });

  test('legacy X-History-Location archives the old copy on overwrite and delete', async () => {
    const container = await newContainer('history');
    const archive = await newContainer('history-archive');
    await setVersionsLocation(conn, container, archive, { mode: 'history' });
    assert.deepEqual(await getVersionsLocation(conn, container), { mode: 'history', location: archive });

    await conn.putObject(container, 'report ✓', 'draft 1');
    await conn.putObject(container, 'report ✓', 'draft 2');
    const [, afterOverwrite] = await listLegacyVersions(conn, archive, 'report ✓');
    assert.equal(afterOverwrite.length, 1);
    const [, archived] = await conn.getObject(archive, afterOverwrite[0]?.name as string);
    assert.equal(archived.toString(), 'draft 1');

    await conn.deleteObject(container, 'report ✓');
    await assert.rejects(conn.getObject(container, 'report ✓'), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);
    // History mode archives the last copy and then a delete marker.
    const [, afterDelete] = await listLegacyVersions(conn, archive, 'report ✓');
    assert.deepEqual(
      afterDelete.map((entry) => entry.content_type),
      ['application/octet-stream', 'application/octet-stream', 'application/x-deleted;swift_versions_deleted=1'],
    );
    const [, last] = await conn.getObject(archive, afterDelete[1]?.name as string);
    assert.equal(last.toString(), 'draft 2');

    await removeVersionsLocation(conn, container);
    assert.equal(await getVersionsLocation(conn, container), undefined);
  });

  test('legacy X-Versions-Location (stack) brings the previous copy back on delete', async () => {
    const container = await newContainer('stack');
    const archive = await newContainer('stack-archive');
    await setVersionsLocation(conn, container, archive);
    assert.deepEqual(await getVersionsLocation(conn, container), { mode: 'stack', location: archive });
    await conn.putObject(container, 'o', 'first');
    await conn.putObject(container, 'o', 'second');
    await conn.deleteObject(container, 'o');
    const [, current] = await conn.getObject(container, 'o');
    assert.equal(current.toString(), 'first');
  });
});

describe('symlinks', () => {
  test('a symlink resolves to its target and reports the target with symlink=get', async () => {
    const container = await newContainer('symlink');
    const targets = await newContainer('symlink-targets');
    const targetName = 'tärget file.txt';
    const targetEtag = await conn.putObject(targets, targetName, 'the target bytes');

    await createSymlink(conn, container, 'link', { container: targets, object: targetName });
    const [headers, body] = await conn.getObject(container, 'link');
    assert.equal(body.toString(), 'the target bytes');
    assert.equal(headers['content-location'], `/v1/AUTH_test/${targets}/t%C3%A4rget%20file.txt`);
    assert.equal((await conn.headObject(container, 'link'))['content-length'], '16');

    const info = await readSymlink(conn, container, 'link');
    assert.equal(info.container, targets);
    assert.equal(info.object, targetName);
    assert.equal(info.headers['content-type'], 'application/symlink');
    assert.equal(info.headers['content-length'], '0');

    // A static link pins the target's ETag.
    await createSymlink(conn, container, 'static', { container: targets, object: targetName, etag: targetEtag, account: 'AUTH_test' });
    const pinned = await readSymlink(conn, container, 'static');
    assert.equal(pinned.etag, targetEtag);
    assert.equal(pinned.bytes, 16);
    assert.equal(pinned.account, 'AUTH_test');
    await conn.putObject(targets, targetName, 'changed');
    await assert.rejects(conn.getObject(container, 'static'), (err: unknown) => err instanceof ClientException && err.httpStatus === 409);
    const [, followed] = await conn.getObject(container, 'link');
    assert.equal(followed.toString(), 'changed');

    await assert.rejects(readSymlink(conn, targets, targetName), /is not a symlink/);
    await assert.rejects(createSymlink(conn, container, 'bad', { container: targets, object: 'x', etag: 'ffffffffffffffffffffffffffffffff' }), (err: unknown) => err instanceof ClientException && err.httpStatus === 409);
  });
});

describe('expiring objects', () => {
  test('X-Delete-After / X-Delete-At make objects disappear at once, before the expirer runs; clearing keeps one', async () => {
    const container = await newContainer('expiry');
    // 10 s lifetimes, each object read (or cleared) right after it is
    // written: room for a loaded machine.
    const t0 = Date.now();
    await conn.putObject(container, 'after', 'a', { headers: expiryHeaders({ deleteAfter: 10 }) });
    const t1 = Date.now();
    const deleteAt = await getObjectExpiry(conn, container, 'after');
    assert.ok(deleteAt, 'X-Delete-At is set');
    // whole seconds: from the second the PUT was sent to the one it was answered in
    assert.ok(deleteAt.getTime() >= Math.floor(t0 / 1000) * 1000 + 10_000 && deleteAt.getTime() <= t1 + 10_000, deleteAt.toISOString());
    const [, before] = await conn.getObject(container, 'after');
    assert.equal(before.toString(), 'a');

    await conn.putObject(container, 'at', 'b');
    await setObjectExpiry(conn, container, 'at', { deleteAt: new Date(Date.now() + 10_000) });
    await conn.putObject(container, 'kept', 'c');
    await setObjectExpiry(conn, container, 'kept', { deleteAfter: 10 });
    assert.ok(await getObjectExpiry(conn, container, 'kept'));
    await clearObjectExpiry(conn, container, 'kept');
    assert.equal(await getObjectExpiry(conn, container, 'kept'), undefined);

    // Just past X-Delete-At: reads 404 although the entries are still listed
    // (the expirer, every 10 s, has not removed them yet, or just did).
    const latest = Math.max(deleteAt.getTime(), (await getObjectExpiry(conn, container, 'at'))?.getTime() ?? 0);
    await sleep(Math.max(0, latest + 1100 - Date.now()));
    for (const name of ['after', 'at']) {
      await assert.rejects(conn.getObject(container, name), (err: unknown) => err instanceof ClientException && err.httpStatus === 404, name);
    }
    const [, kept] = await conn.getObject(container, 'kept');
    assert.equal(kept.toString(), 'c');
  });
});
