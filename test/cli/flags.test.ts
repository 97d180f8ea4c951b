// CLI flags no other test sets, each run by our CLI and by python's `swift`
// (each on its own containers) with what the server or the disk then holds.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Connection } from '../../src/index.js';
import { connect, purgeContainer, unique } from '../helpers/env.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { cleanEnv, ours, python, withContainer, type RunResult } from './helpers.js';

let conn: Connection;
let work: string;
const prefix = unique('cli-flags');
const made: string[] = [];

function names(label: string): [string, string] {
  const pair: [string, string] = [`${prefix}-${label}-ours`, `${prefix}-${label}-py`];
  made.push(...pair, ...pair.map((c) => `${c}_segments`));
  return pair;
}

/** Runs the same arguments (`{c}` = the container) with ours on c[0] and python on c[1], from `cwd`. */
async function both(c: [string, string], args: string[], cwd: [string, string] = [work, work], env?: NodeJS.ProcessEnv): Promise<[RunResult, RunResult]> {
  return Promise.all([
    ours(withContainer(args, c[0]), { cwd: cwd[0], ...(env ? { env } : {}) }),
    python(withContainer(args, c[1]), { cwd: cwd[1], ...(env ? { env } : {}) }),
  ]);
}

function ok(r: [RunResult, RunResult], what: string): void {
  assert.equal(r[0].code, 0, `ours ${what}: ${r[0].stderr}`);
  assert.equal(r[1].code, 0, `python ${what}: ${r[1].stderr}`);
}

async function count(container: string): Promise<number> {
  return conn.getContainer(container).then(([, listing]) => listing.length, () => -1);
}

before(() => {
  conn = connect();
  work = mkdtempSync(join(tmpdir(), 'swiftclient-flags-'));
  writeFileSync(join(work, 'big.bin'), Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251)));
  writeFileSync(join(work, 'dated.txt'), 'dated');
  utimesSync(join(work, 'dated.txt'), 1_500_000_000, 1_500_000_000);
});

after(async () => {
  for (const c of made) await purgeContainer(conn, c);
  await conn.close();
  rmSync(work, { recursive: true, force: true });
});

describe('CLI flags', { concurrency: true }, () => {
  test('-a/--all with --prefix: every container of that prefix downloaded into <container>/<object>', async () => {
    const [a, b] = [`${prefix}-all-a`, `${prefix}-all-b`];
    made.push(a, b);
    for (const c of [a, b]) {
      await conn.putContainer(c);
      await conn.putObject(c, `${prefix}-obj`, c);
      await conn.putObject(c, 'other', 'not under the prefix');
    }
    const dirs: [string, string] = [mkdtempSync(join(work, 'all-ours-')), mkdtempSync(join(work, 'all-py-'))];
    // ours through a proxy, to see which containers it lists: as python, only those of the prefix
    const proxy = await FaultProxy.start();
    const [, token] = await conn.getAuth();
    const viaProxy = cleanEnv({ OS_STORAGE_URL: proxy.storageUrl(), OS_AUTH_TOKEN: token });
    const r = await Promise.all([ours(['download', '-a', '--prefix', prefix], { cwd: dirs[0], env: viaProxy }), python(['download', '--all', '--prefix', prefix], { cwd: dirs[1] })]);
    await proxy.close();
    ok(r, 'download --all');
    const listed = proxy.seen('GET', /format=json/).map((req) => decodeURIComponent(req.path.replace(/^\/v1\/AUTH_test\/?/, '').replace(/\?.*$/, '')));
    assert.deepEqual([...new Set(listed)].sort(), ['', a, b], 'the account (by prefix) and the two containers');
    for (const dir of dirs) {
      for (const c of [a, b]) assert.equal(readFileSync(join(dir, c, `${prefix}-obj`), 'utf8'), c);
      assert.throws(() => statSync(join(dir, a, 'other')));
    }
    assert.deepEqual(r[0].stdout.split('\n').filter(Boolean).map((l) => l.replace(/ \[.*$/, '')).sort(), r[1].stdout.split('\n').filter(Boolean).map((l) => l.replace(/ \[.*$/, '')).sort());
  });

  test('--version-id: that version is downloaded, and deleted', async () => {
    const c = names('version');
    for (const x of c) {
      await conn.putContainer(x, { headers: { 'x-versions-enabled': 'true' } });
      await conn.putObject(x, 'doc', 'one');
      await conn.putObject(x, 'doc', 'two');
    }
    const oldOf = async (x: string): Promise<string> => (await conn.getContainer(x, { queryString: 'versions' }))[1].find((v) => v.is_latest === false)?.version_id as string;
    const old = await Promise.all(c.map(oldOf));
    const down = await Promise.all([
      ours(['download', c[0], 'doc', '--version-id', old[0], '-o', 'v-ours.txt'], { cwd: work }),
      python(['download', c[1], 'doc', '--version-id', old[1], '-o', 'v-py.txt'], { cwd: work }),
    ]);
    ok(down, 'download --version-id');
    assert.equal(readFileSync(join(work, 'v-ours.txt'), 'utf8'), 'one');
    assert.equal(readFileSync(join(work, 'v-py.txt'), 'utf8'), 'one');
    const del = await Promise.all([ours(['delete', c[0], 'doc', '--version-id', old[0]]), python(['delete', c[1], 'doc', '--version-id', old[1]])]);
    ok(del, 'delete --version-id');
    for (const x of c) {
      const [, left] = await conn.getContainer(x, { queryString: 'versions' });
      assert.deepEqual(left.map((v) => v.is_latest), [true], x);
      assert.equal((await conn.getObject(x, 'doc'))[1].toString(), 'two');
      await conn.deleteObject(x, 'doc', { queryString: `version-id=${left[0]?.version_id}` });
      await conn.deleteObject(x, 'doc').catch(() => undefined);
    }
    for (const x of c) {
      const [, rest] = await conn.getContainer(x, { queryString: 'versions' });
      for (const v of rest) await conn.deleteObject(x, v.name as string, { queryString: `version-id=${v.version_id}` });
    }
  });

  test('-C: segments go to the container named, not <container>_segments', async () => {
    const c = names('segcont');
    const custom: [string, string] = [`${c[0]}-custom`, `${c[1]}-custom`];
    made.push(...custom);
    const r = await Promise.all([
      ours(['upload', c[0], 'big.bin', '-S', '1000', '-C', custom[0]], { cwd: work }),
      python(['upload', c[1], 'big.bin', '-S', '1000', '-C', custom[1]], { cwd: work }),
    ]);
    ok(r, 'upload -C');
    for (const [i, x] of c.entries()) {
      assert.equal(await count(custom[i] as string), 3);
      assert.equal(await count(`${x}_segments`), -1, 'no default segment container');
      assert.ok((await conn.getObject(x, 'big.bin'))[1].equals(readFileSync(join(work, 'big.bin'))));
    }
  });

  test('--leave-segments: an overwrite and a delete leave the old segments', async () => {
    const c = names('leave');
    ok(await both(c, ['upload', '{c}', 'big.bin', '-S', '1000']), 'first upload');
    // a new segment size makes new segment names: the old three would be orphans
    ok(await both(c, ['upload', '{c}', 'big.bin', '-S', '1250', '--leave-segments']), 'overwrite');
    for (const x of c) assert.equal(await count(`${x}_segments`), 5, x);
    ok(await both(c, ['delete', '{c}', 'big.bin', '--leave-segments']), 'delete');
    for (const x of c) {
      assert.equal(await count(x), 0);
      assert.equal(await count(`${x}_segments`), 5, x);
    }
  });

  test('--ignore-mtime: the file keeps the time of the download, not X-Object-Meta-Mtime', async () => {
    const c = names('mtime');
    ok(await both(c, ['upload', '{c}', 'dated.txt']), 'upload');
    const dirs: [string, string] = [mkdtempSync(join(work, 'mtime-ours-')), mkdtempSync(join(work, 'mtime-py-'))];
    const started = Math.floor(Date.now() / 1000) * 1000;
    ok(await both(c, ['download', '{c}', 'dated.txt', '--ignore-mtime'], dirs), 'download --ignore-mtime');
    for (const dir of dirs) assert.ok(statSync(join(dir, 'dated.txt')).mtimeMs >= started, dir);
    mkdirSync(join(dirs[0], 'kept'));
    mkdirSync(join(dirs[1], 'kept'));
    ok(await both(c, ['download', '{c}', '-D', 'kept'], dirs), 'download');
    for (const dir of dirs) assert.equal(statSync(join(dir, 'kept', 'dated.txt')).mtimeMs, 1_500_000_000_000, dir);
  });

  test('--ignore-checksum: a download whose ETag does not match its bytes fails, and succeeds with the flag', async () => {
    const c = names('checksum');
    for (const x of c) {
      await conn.putContainer(x);
      await conn.putObject(x, 'obj', 'the real bytes');
    }
    const proxy = await FaultProxy.start();
    try {
      proxy.add({ method: 'GET', path: /\/obj$/, times: Infinity, fault: { type: 'replaceHeaders', headers: { etag: '0123456789abcdef0123456789abcdef' } } });
      const [, token] = await conn.getAuth();
      const env = cleanEnv({ OS_STORAGE_URL: proxy.storageUrl(), OS_AUTH_TOKEN: token });
      const dirs: [string, string] = [mkdtempSync(join(work, 'sum-ours-')), mkdtempSync(join(work, 'sum-py-'))];
      const checked = await both(c, ['download', '{c}', 'obj'], dirs, env);
      assert.equal(checked[0].code, 1, checked[0].stderr);
      assert.equal(checked[1].code, 1, checked[1].stderr);
      assert.match(checked[0].stderr, /received data has MD5 \w+ but the ETag is 0123456789abcdef0123456789abcdef/);
      assert.match(checked[1].stderr, /md5sum != etag/);
      // ours leaves no file (python leaves the one it wrote)
      assert.throws(() => statSync(join(dirs[0], 'obj')));
      ok(await both(c, ['download', '{c}', 'obj', '--ignore-checksum'], dirs, env), 'download --ignore-checksum');
      for (const dir of dirs) assert.equal(readFileSync(join(dir, 'obj'), 'utf8'), 'the real bytes');
    } finally {
      await proxy.close();
    }
  });

  test('bash_completion: the commands and flags python offers (in their dash spellings), each one our CLI takes', async () => {
    for (const args of [[], ['upload'], ['download'], ['delete']]) {
      const r = await Promise.all([ours(['bash_completion', ...args]), python(['bash_completion', ...args])]);
      ok(r, `bash_completion ${args.join(' ')}`);
      const offered = new Set(r[0].stdout.trim().split(/\s+/));
      // python also lists the --os_* underscore spellings (which our CLI takes but does not offer) and -h/--help everywhere
      const missing = r[1].stdout.trim().split(/\s+/).filter((w) => !offered.has(w) && !w.startsWith('--os_') && w !== '-h' && w !== '--help');
      assert.deepEqual(missing, [], `bash_completion ${args.join(' ')}`);
    }
  });
});
