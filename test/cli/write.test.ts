// upload, download, delete, post and copy: the same command run by our CLI
// and by python-swiftclient's `swift` (each on its own container) must leave
// the server in the same state, and print the same lines.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Connection } from '../../src/index.js';
import { connect, purgeContainer, unique } from '../helpers/env.js';
import { ours, python, withContainer, type RunResult } from './helpers.js';

let conn: Connection;
let work: string;
const made: string[] = [];
const prefix = unique('cli-write');

function name(label: string): string {
  const n = `${prefix}-${label}`;
  made.push(n, `${n}_segments`);
  return n;
}

/** A local tree: files with fixed mtimes, a nested directory, an empty directory. */
function makeTree(root: string): void {
  mkdirSync(join(root, 'tree/sub'), { recursive: true });
  mkdirSync(join(root, 'tree/empty'), { recursive: true });
  writeFileSync(join(root, 'tree/a.txt'), 'hello\n');
  writeFileSync(join(root, 'tree/sub/b.bin'), Buffer.alloc(2500, 7));
  writeFileSync(join(root, 'big.bin'), Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251)));
  for (const file of ['tree/a.txt', 'tree/sub/b.bin', 'big.bin']) utimesSync(join(root, file), 1700000000, 1700000000);
}

before(async () => {
  conn = connect();
  work = mkdtempSync(join(tmpdir(), 'swiftclient-cli-'));
  makeTree(work);
});

after(async () => {
  for (const c of made) await purgeContainer(conn, c);
  await conn.close();
  rmSync(work, { recursive: true, force: true });
});

interface ObjectState {
  bytes: number | undefined;
  hash: string | undefined;
  type: string | undefined;
  meta: Record<string, string>;
}

/** What a container holds: every object with size, hash, type and the headers a user set. */
async function snapshot(container: string, withHeaders = true): Promise<Record<string, ObjectState>> {
  const [, listing] = await conn.getContainer(container, { fullListing: true });
  const out: Record<string, ObjectState> = {};
  for (const entry of listing) {
    const objName = entry.name as string;
    const meta: Record<string, string> = {};
    let hash = entry.hash;
    if (withHeaders) {
      const h = await conn.headObject(container, objName);
      // a stored SLO manifest holds the segments' upload times: compare the SLO's own ETag instead
      if (h['x-static-large-object']) hash = h.etag;
      for (const [k, v] of Object.entries(h)) {
        if (k.startsWith('x-object-meta-') || k === 'x-static-large-object' || k === 'x-object-manifest' || k === 'content-disposition') {
          meta[k] = k === 'x-object-manifest' ? v.replace(container, '<c>') : v;
        }
      }
    }
    out[objName] = { bytes: entry.bytes, hash, type: entry.content_type, meta };
  }
  return out;
}

/** Our CLI on one container and swift on another, the same arguments otherwise (`{c}` is the container). */
async function pair(label: string, args: string[], options: { cwd?: string; input?: Buffer; pyArgs?: string[] } = {}): Promise<{ c: [string, string]; r: [RunResult, RunResult] }> {
  const a = name(`${label}-ours`);
  const b = name(`${label}-py`);
  const r = await Promise.all([
    ours(withContainer(args, a), { cwd: options.cwd ?? work, ...(options.input ? { input: options.input } : {}) }),
    python(withContainer(options.pyArgs ?? args, b), { cwd: options.cwd ?? work, ...(options.input ? { input: options.input } : {}) }),
  ]);
  return { c: [a, b], r };
}

/**
 * Output lines, sorted (objects finish in any order), with the container
 * name, transaction ids and python's `b'...'` around response excerpts
 * (our errors show the excerpt as text) normalised.
 */
function lines(text: string, c: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      line
        .replaceAll(c, '<c>')
        .replace(/tx[0-9a-f]{21}-[0-9a-f]{10}/g, '<txn>')
        .replace(/\[first 60 chars of response\] b'(.*)'( \(txn|$)/, '[first 60 chars of response] $1$2'),
    )
    .sort();
}

function ok(r: [RunResult, RunResult]): void {
  assert.equal(r[0].code, 0, `ours: ${r[0].stderr}`);
  assert.equal(r[1].code, 0, `python: ${r[1].stderr}`);
}

function sameLines(res: { c: [string, string]; r: [RunResult, RunResult] }): void {
  assert.deepEqual(lines(res.r[0].stdout, res.c[0]), lines(res.r[1].stdout, res.c[1]));
  assert.deepEqual(lines(res.r[0].stderr, res.c[0]), lines(res.r[1].stderr, res.c[1]));
}

describe('upload', { concurrency: true }, () => {
  test('a directory tree with metadata and headers, then --skip-identical / --changed', async () => {
    const args = ['upload', '{c}', 'tree', 'big.bin', '-m', 'Color:Blue', '-H', 'Content-Disposition: inline'];
    const first = await pair('tree', args);
    ok(first.r);
    sameLines(first);
    const [a, b] = first.c;
    assert.deepEqual(await snapshot(a), await snapshot(b));
    assert.deepEqual(Object.keys(await snapshot(a, false)).sort(), ['big.bin', 'tree/a.txt', 'tree/empty', 'tree/sub/b.bin']);
    // Again with each skip flag, the same on both sides: the same lines, and
    // the same objects left alone (their X-Timestamp unchanged).
    const stamps = async (c: string): Promise<Record<string, string | undefined>> => {
      const out: Record<string, string | undefined> = {};
      for (const obj of Object.keys(await snapshot(c, false))) out[obj] = (await conn.headObject(c, obj))['x-timestamp'];
      return out;
    };
    for (const flag of ['--changed', '--skip-identical']) {
      const before = await Promise.all([stamps(a), stamps(b)]);
      const again = await Promise.all([
        ours(withContainer(['upload', '{c}', 'tree', flag], a), { cwd: work }),
        python(withContainer(['upload', '{c}', 'tree', flag], b), { cwd: work }),
      ]);
      ok(again);
      assert.deepEqual(lines(again[0].stdout, a), lines(again[1].stdout, b), flag);
      const after = await Promise.all([stamps(a), stamps(b)]);
      const rewritten = (i: 0 | 1): string[] => Object.keys(after[i]).filter((obj) => after[i][obj] !== before[i][obj]);
      assert.deepEqual(rewritten(0), rewritten(1), `${flag}: python rewrote ${rewritten(1).join(', ') || 'nothing'}`);
      assert.deepEqual(rewritten(0).filter((obj) => obj !== 'tree/empty'), [], `${flag}: files left alone`);
    }
  });

  test('--object-name, -q, stdin', async () => {
    const renamed = await pair('rename', ['-q', 'upload', '{c}', 'tree', '--object-name', 'renamed']);
    ok(renamed.r);
    assert.equal(renamed.r[0].stdout, '');
    assert.deepEqual(await snapshot(renamed.c[0], false), await snapshot(renamed.c[1], false));
    assert.ok((await snapshot(renamed.c[0], false))['renamed/sub/b.bin']);
    const data = Buffer.from('from standard input\n'.repeat(100));
    const stdin = await pair('stdin', ['upload', '{c}', '-', '--object-name', 'in.txt'], { input: data });
    ok(stdin.r);
    sameLines(stdin);
    const [, body] = await conn.getObject(stdin.c[0], 'in.txt');
    assert.deepEqual(body, data);
  });

  test('segmented: --use-slo, and --use-dlo against python 4.1 (DLO by default)', async () => {
    const slo = await pair('slo', ['upload', '{c}', 'big.bin', '-S', '1000', '--use-slo']);
    ok(slo.r);
    sameLines(slo);
    assert.deepEqual(await snapshot(slo.c[0]), await snapshot(slo.c[1]));
    assert.deepEqual(await snapshot(`${slo.c[0]}_segments`), await snapshot(`${slo.c[1]}_segments`));
    const dlo = await pair('dlo', ['upload', '{c}', 'big.bin', '-S', '1K', '--use-dlo'], { pyArgs: ['upload', '{c}', 'big.bin', '-S', '1K'] });
    ok(dlo.r);
    sameLines(dlo);
    assert.deepEqual(await snapshot(dlo.c[0]), await snapshot(dlo.c[1]));
    assert.equal((await conn.headObject(dlo.c[0], 'big.bin'))['x-object-manifest']?.startsWith(`${dlo.c[0]}_segments/big.bin/`), true);
    const [, got] = await conn.getObject(dlo.c[0], 'big.bin');
    assert.deepEqual(got, readFileSync(join(work, 'big.bin')));
  });
});

function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        out[`${relative(dir, path)}/`] = '';
        walk(path);
      } else out[relative(dir, path)] = `${readFileSync(path).toString('base64')} mtime=${Math.round(statSync(path).mtimeMs / 1000)}`;
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

describe('download', { concurrency: true }, () => {
  let source: string;
  before(async () => {
    source = name('dl-source');
    const up = await ours(['upload', source, 'tree', 'big.bin'], { cwd: work });
    assert.equal(up.code, 0, up.stderr);
  });

  async function downloadBoth(args: string[]): Promise<[RunResult, RunResult, string, string]> {
    const da = mkdtempSync(join(work, 'dl-ours-'));
    const db = mkdtempSync(join(work, 'dl-py-'));
    const [a, b] = await Promise.all([ours(withContainer(args, source), { cwd: da }), python(withContainer(args, source), { cwd: db })]);
    return [a, b, da, db];
  }

  const paths = (text: string): string[] =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/ \[auth [^\]]*\]$/, ''))
      .sort();

  test('a whole container, with -D, --prefix/--remove-prefix, --no-download', async () => {
    for (const args of [['download', '{c}', '-D', 'out'], ['download', '{c}', '-p', 'tree/sub/', '--remove-prefix'], ['download', '{c}', '--no-download']]) {
      const [a, b, da, db] = await downloadBoth(args);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.deepEqual(paths(a.stdout), paths(b.stdout), args.join(' '));
      assert.match(a.stdout.split('\n')[0] ?? '', / \[auth \d+\.\d{3}s, headers \d+\.\d{3}s, total \d+\.\d{3}s, \d+\.\d{3} MB\/s\]$/);
      assert.deepEqual(filesUnder(da), filesUnder(db), args.join(' '));
    }
  });

  test('one object with -o, -o - (stdout) and --skip-identical', async () => {
    const [a, b, da, db] = await downloadBoth(['download', '{c}', 'tree/a.txt', '-o', 'renamed.txt']);
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(paths(a.stdout), paths(b.stdout));
    assert.deepEqual(filesUnder(da), filesUnder(db));
    const [sa, sb] = await downloadBoth(['download', '{c}', 'big.bin', '-o', '-']);
    assert.equal(sa.code, 0, sa.stderr);
    assert.equal(sa.stdout, sb.stdout);
    assert.equal(sa.stdout, readFileSync(join(work, 'big.bin')).toString('utf8'));
    // a second download of the same files is skipped
    const [ia, ib] = await Promise.all([
      ours(withContainer(['download', '{c}', 'tree/a.txt', '--skip-identical'], source), { cwd: work }),
      python(withContainer(['download', '{c}', 'tree/a.txt', '--skip-identical'], source), { cwd: work }),
    ]);
    assert.equal(ia.code, 0, ia.stderr);
    assert.equal(ia.stdout, ib.stdout);
    assert.equal(ia.stdout, "Skipped identical file 'tree/a.txt'\n");
  });

  test('onto a directory: one line naming it, exit status 1, the directory untouched, no partial file left', async () => {
    // Its own container: the other download tests compare whole-container downloads of `source`.
    const own = name('dl-onto-dir');
    await conn.putContainer(own);
    // above and below the size from which a download keeps a resumable partial file
    await conn.putObject(own, 'tree/a.txt', 'hello\n');
    await conn.putObject(own, 'large.bin', Buffer.alloc(1536 * 1024, 3));
    const dir = mkdtempSync(join(work, 'dl-onto-dir-'));
    mkdirSync(join(dir, 'target'));
    writeFileSync(join(dir, 'target/kept.txt'), 'kept');
    for (const object of ['tree/a.txt', 'large.bin']) {
      const r = await ours(['download', own, object, '-o', 'target'], { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, `Error downloading object '${own}/${object}': Cannot write "target": it is a directory\n`);
      assert.deepEqual(readdirSync(dir), ['target'], `${object}: nothing left beside the directory`);
      assert.deepEqual(readdirSync(join(dir, 'target')), ['kept.txt']);
    }
  });

  test('onto a FIFO (as onto /dev/null or /dev/stdout): the bytes are written into it, which stays a FIFO, and nothing is left beside it', async () => {
    const own = name('dl-onto-fifo');
    await conn.putContainer(own);
    // above and below the size from which a download goes through a resumable partial file and a rename
    const objects = { small: Buffer.alloc(2500, 4), large: Buffer.from(Array.from({ length: 1536 * 1024 }, (_, i) => i % 253)) };
    for (const [object, data] of Object.entries(objects)) await conn.putObject(own, object, data);
    const dir = mkdtempSync(join(work, 'dl-onto-fifo-'));
    const fifo = join(dir, 'fifo');
    for (const [object, data] of Object.entries(objects)) {
      rmSync(fifo, { force: true });
      execFileSync('mkfifo', [fifo]);
      const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
      const chunks: Buffer[] = [];
      reader.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      const closed = new Promise((resolve) => reader.on('close', resolve));
      const r = await ours(['download', own, object, '-o', fifo], { cwd: dir });
      const stillFifo = lstatSync(fifo).isFIFO();
      // a reader of a FIFO that was renamed over would wait for a writer forever
      if (!stillFifo) reader.kill();
      await closed;
      assert.equal(r.code, 0, r.stderr);
      assert.ok(stillFifo, `${object}: the FIFO was replaced`);
      assert.ok(Buffer.concat(chunks).equals(data), `${object}: the bytes went through the FIFO`);
      assert.deepEqual(readdirSync(dir), ['fifo'], `${object}: nothing left beside it`);
    }
  });
});

describe('delete, post, copy', { concurrency: true }, () => {
  async function seeded(label: string): Promise<[string, string]> {
    const c: [string, string] = [name(`${label}-ours`), name(`${label}-py`)];
    for (const container of c) {
      await conn.putContainer(container);
      for (const obj of ['keep.txt', 'x/1', 'x/2', 'y/3']) await conn.putObject(container, obj, obj, { contentType: 'text/plain', headers: { 'x-object-meta-old': 'yes' } });
    }
    return c;
  }

  async function same(c: [string, string], args: string[]): Promise<void> {
    const r = await Promise.all([ours(withContainer(args, c[0])), python(withContainer(args, c[1]))]);
    assert.equal(r[0].code, r[1].code, `${args.join(' ')}: ${r[0].stderr} / ${r[1].stderr}`);
    assert.deepEqual(lines(r[0].stdout, c[0]), lines(r[1].stdout, c[1]), args.join(' '));
    assert.deepEqual(lines(r[0].stderr, c[0]), lines(r[1].stderr, c[1]), args.join(' '));
  }

  test('delete objects, a prefix, a whole container', async () => {
    const c = await seeded('del');
    await same(c, ['delete', '{c}', 'x/1', 'missing']);
    assert.deepEqual(await snapshot(c[0], false), await snapshot(c[1], false));
    await same(c, ['delete', '{c}', '--prefix', 'x/']);
    assert.deepEqual(Object.keys(await snapshot(c[0], false)), ['keep.txt', 'y/3']);
    assert.deepEqual(await snapshot(c[0], false), await snapshot(c[1], false));
    await same(c, ['delete', '{c}']);
    await assert.rejects(conn.headContainer(c[0]), { httpStatus: 404 });
    await assert.rejects(conn.headContainer(c[1]), { httpStatus: 404 });
  });

  test('post: container metadata and ACLs, object metadata and headers', async () => {
    const c = await seeded('post');
    await same(c, ['post', '{c}', '-r', '.r:*,.rlistings', '-w', 'test:tester3', '-m', 'Color:Blue', '-H', 'X-Container-Meta-Size: Large']);
    await same(c, ['post', '{c}', 'keep.txt', '-m', 'Fresh:1', '-H', 'Content-Type: text/x-new']);
    const containerHeaders = await Promise.all(c.map((x) => conn.headContainer(x)));
    for (const h of containerHeaders) {
      assert.equal(h['x-container-read'], '.r:*,.rlistings');
      assert.equal(h['x-container-write'], 'test:tester3');
      assert.equal(h['x-container-meta-color'], 'Blue');
      assert.equal(h['x-container-meta-size'], 'Large');
    }
    assert.deepEqual(await snapshot(c[0]), await snapshot(c[1]));
    // post replaces the metadata (python's POST semantics) and leaves the bytes alone
    assert.deepEqual((await snapshot(c[0]))['keep.txt'], { bytes: 8, hash: createHash('md5').update('keep.txt').digest('hex'), type: 'text/x-new', meta: { 'x-object-meta-fresh': '1' } });
    // a missing container is created by post
    const created = [name('post-new-ours'), name('post-new-py')] as [string, string];
    await same(created, ['post', '{c}', '-m', 'New:yes']);
    for (const x of created) assert.equal((await conn.headContainer(x))['x-container-meta-new'], 'yes');
    // the account (our CLI only: set, then remove, a metadata item of its own)
    const key = `Cli-Test-${prefix}`;
    assert.equal((await ours(['post', '-m', `${key}:1`])).code, 0);
    assert.equal((await conn.headAccount())[`x-account-meta-${key.toLowerCase()}`], '1');
    assert.equal((await ours(['post', '-m', `${key}:`])).code, 0);
    assert.equal((await conn.headAccount())[`x-account-meta-${key.toLowerCase()}`], undefined);
  });

  test('copy: to another container, renamed with metadata, fresh metadata, in place', async () => {
    const c = await seeded('copy');
    const dest: [string, string] = [name('copy-dest-ours'), name('copy-dest-py')];
    const run = async (args: string[]): Promise<void> => {
      const r = await Promise.all([ours(withContainer(args, c[0]).map((a) => a.replaceAll('{d}', dest[0]))), python(withContainer(args, c[1]).map((a) => a.replaceAll('{d}', dest[1])))]);
      assert.equal(r[0].code, 0, r[0].stderr);
      assert.equal(r[1].code, 0, r[1].stderr);
      const norm = (text: string, i: 0 | 1): string[] => lines(text.replaceAll(dest[i], '<d>'), c[i]);
      assert.deepEqual(norm(r[0].stdout, 0), norm(r[1].stdout, 1), args.join(' '));
    };
    await run(['copy', '{c}', 'x/1', 'x/2', '-d', '/{d}']);
    await run(['copy', '{c}', 'y/3', '-d', '/{d}/renamed', '-m', 'Added:1']);
    await run(['copy', '{c}', 'keep.txt', '-d', '/{d}/fresh', '-M', '-m', 'Only:this']);
    await run(['copy', '{c}', 'keep.txt', '-m', 'InPlace:1']);
    assert.deepEqual(await snapshot(dest[0]), await snapshot(dest[1]));
    assert.deepEqual(await snapshot(c[0]), await snapshot(c[1]));
    assert.deepEqual((await snapshot(dest[0]))['fresh']?.meta, { 'x-object-meta-only': 'this' });
    assert.deepEqual((await snapshot(dest[0]))['renamed']?.meta, { 'x-object-meta-old': 'yes', 'x-object-meta-added': '1' });
  });
});
