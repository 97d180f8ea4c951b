// The files beside a download's target. One download at a time into a
// path: a second download (another call in this process, a child process, a
// second CLI) while the first one is in progress fails at once, naming the
// path, and leaves the first one's partial file alone; the lock a SIGKILLed
// download leaves does not block the next. A resume state that cannot be
// written (a full disk) leaves no temporary file. The first download is kept
// in progress by holding its GET's response in the proxy (no timing involved).
// A resumed download answered with bytes from elsewhere than asked starts over.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Connection } from '../../src/index.js';
import { SwiftError, SwiftService } from '../../src/service/index.js';
import { ours, oursCommand } from '../cli/helpers.js';
import type { ProxiedRequest } from '../helpers/byte-proxy.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { fileMd5, startProxiedSwift, type ProxiedSwift } from '../helpers/proxied-swift.js';
import { childCommand, RUNTIME } from '../helpers/runtime.js';
import { collect, randomFile } from '../helpers/service-files.js';

const MiB = 1 << 20;
const CHILD = fileURLToPath(new URL('../helpers/transfer-child.ts', import.meta.url));

let t: ProxiedSwift;
let swift: SwiftService;
let source: string;
let container: string;

before(async () => {
  t = await startProxiedSwift('download-lock');
  swift = t.viaProxy({ retries: 0 });
  source = join(t.root, 'source.bin');
  // Above the size from which a download keeps a resume state beside its partial file.
  await randomFile(source, 3 * MiB + 17);
  container = t.newContainer('dlock');
  const [r] = await collect(swift.upload(container, [{ source, objectName: 'obj.bin' }]));
  assert.ok(r?.success, r?.error?.message);
});

after(async () => {
  await swift.close();
  await t.close();
});

afterEach(() => {
  t.proxy.hold = undefined;
});

/**
 * Holds the response to the first GET of obj.bin: `reached` settles when it
 * arrived (the download holds its lock by then), `release()` lets it through.
 */
function holdFirstGet(): { reached: Promise<void>; release: () => void } {
  let arrived!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  t.proxy.hold = (r: ProxiedRequest) => {
    if (r.method !== 'GET' || !r.url.includes('obj.bin')) return undefined;
    t.proxy.hold = undefined;
    arrived();
    return gate;
  };
  return { reached, release };
}

/** Runs a download child (transfer-child.ts); resolves with its exit code and stderr. */
function downloadChild(outFile: string, extra: Record<string, unknown> = {}): { pid: number; done: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const job = { op: 'download', storageUrl: t.storageUrl, token: t.token, container, objects: ['obj.bin'], options: { outFile }, ...extra };
  const [command, args] = childCommand(CHILD, [JSON.stringify(job)]);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { pid: child.pid as number, done };
}

const partialNames = async (): Promise<string[]> => (await fsp.readdir(t.root)).filter((n) => n.includes('swiftclient-partial')).sort();

describe('one download at a time into a path', () => {
  test('two concurrent calls of one service: the second fails at once naming the path, sends nothing; the first finishes right', async () => {
    const out = join(t.root, 'same-process.bin');
    const held = holdFirstGet();
    const first = collect(swift.download(container, ['obj.bin'], { outFile: out }));
    await held.reached;
    const requestsBefore = t.proxy.requests.length;
    const [second] = await collect(swift.download(container, ['obj.bin'], { outFile: out }));
    assert.equal(second?.success, false);
    assert.ok(second?.error instanceof SwiftError, String(second?.error));
    assert.match(second.error.message, new RegExp(`^Another download into ${JSON.stringify(out)} is in progress \\(pid ${process.pid} on `));
    assert.equal(t.proxy.requests.length, requestsBefore, 'the second download sent no request');
    assert.deepEqual(await partialNames(), ['.same-process.bin.swiftclient-partial.lock']);
    held.release();
    const [result] = await first;
    assert.ok(result?.success, result?.error?.message);
    assert.equal(await fileMd5(out), await fileMd5(source));
    assert.deepEqual(await partialNames(), []);
  });

  test('a download while a child process downloads into the same path fails naming it and the child; the child finishes right', async () => {
    const out = join(t.root, 'two-processes.bin');
    const held = holdFirstGet();
    const child = downloadChild(out);
    await held.reached;
    const [second] = await collect(swift.download(container, ['obj.bin'], { outFile: out }));
    assert.ok(second?.error instanceof SwiftError, String(second?.error));
    assert.match(second.error.message, new RegExp(`Another download into ${JSON.stringify(out)} is in progress \\(pid ${child.pid} on `));
    held.release();
    const exit = await child.done;
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(await fileMd5(out), await fileMd5(source));
    assert.deepEqual(await partialNames(), []);
  });

  test('CLI: a second `download -o` into the same path exits 1 with one line naming it; the first finishes right', async () => {
    const out = join(t.root, 'cli.bin');
    const args = ['--os-storage-url', t.storageUrl, '--os-auth-token', t.token, 'download', container, 'obj.bin', '-o', out];
    const held = holdFirstGet();
    const cli = oursCommand(args);
    const first = spawn(cli.command, cli.args, { env: cli.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let firstErr = '';
    first.stderr.on('data', (chunk: Buffer) => (firstErr += chunk.toString()));
    const firstExit = new Promise<number | null>((resolve) => first.on('exit', resolve));
    await held.reached;
    const second = await ours(args);
    assert.equal(second.code, 1);
    assert.equal(second.stderr.trimEnd().split('\n').length, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`Another download into ${JSON.stringify(out)} is in progress \\(pid ${first.pid} on `));
    held.release();
    assert.equal(await firstExit, 0, firstErr);
    assert.equal(await fileMd5(out), await fileMd5(source));
  });

  test('the lock of a SIGKILLed download does not block the next download into the path', async () => {
    const out = join(t.root, 'killed.bin');
    const held = holdFirstGet();
    const child = downloadChild(out);
    await held.reached;
    process.kill(child.pid, 'SIGKILL');
    const exit = await child.done;
    held.release();
    assert.equal(exit.signal, 'SIGKILL');
    const lock = JSON.parse(await fsp.readFile(join(t.root, '.killed.bin.swiftclient-partial.lock'), 'utf8')) as { pid: number };
    assert.equal(lock.pid, child.pid, 'the killed child left its lock');
    const [result] = await collect(swift.download(container, ['obj.bin'], { outFile: out }));
    assert.ok(result?.success, result?.error?.message);
    assert.equal(await fileMd5(out), await fileMd5(source));
    assert.deepEqual(await partialNames(), []);
  });
});

/** Why the file size limit cannot stand in for a full disk here, if it cannot. */
function noFileSizeLimit(): string | false {
  if (process.platform !== 'linux') return 'prlimit is Linux only';
  // Its listener notwithstanding, a Deno process is killed by SIGXFSZ rather than told EFBIG.
  if (RUNTIME === 'deno') return 'Deno does not survive SIGXFSZ';
  return false;
}

describe('the resume state file', () => {
  test('a state file that cannot be written (no room: a file size limit) fails the download and leaves no temporary file', { skip: noFileSizeLimit() }, async () => {
    const out = join(t.root, 'no-room.bin');
    const held = holdFirstGet();
    const child = downloadChild(out, { fileSizeLimitFails: true });
    await held.reached;
    // The child is past its start-up and holds its lock; from now on any byte it writes to a file fails with EFBIG.
    execFileSync('prlimit', [`--pid=${child.pid}`, '--fsize=0']);
    held.release();
    const exit = await child.done;
    assert.equal(exit.code, 1);
    assert.match(exit.stderr, /EFBIG/);
    await assert.rejects(fsp.stat(out));
    assert.deepEqual(await partialNames(), []);
  });
});

describe('a resumed download', () => {
  test('answered with a range other than the one asked for, it starts over and ends right', async () => {
    const out = join(t.root, 'wrong-range.bin');
    const controller = new AbortController();
    await assert.rejects(async () => {
      const options = { outFile: out, signal: controller.signal, onProgress: (e: { bytesDone: number }) => e.bytesDone >= MiB && controller.abort() };
      for await (const _ of swift.download(container, ['obj.bin'], options)) void _;
    }, { name: 'AbortError' });
    const kept = (await fsp.stat(join(t.root, '.wrong-range.bin.swiftclient-partial'))).size;
    assert.ok(kept > 0);
    const proxy = await FaultProxy.start(new URL(t.storageUrl).origin);
    const size = (await fsp.stat(source)).size;
    // The bytes start where asked; the header says they start at 0 (a proxy that rewrote it).
    proxy.add({ method: 'GET', path: /\/obj\.bin$/, fault: { type: 'replaceHeaders', headers: { 'content-range': `bytes 0-${size - 1}/${size}` } } });
    const again = new SwiftService(new Connection({ preauthUrl: proxy.storageUrl(new URL(t.storageUrl).pathname.split('/').pop()), preauthToken: t.token, retries: 0 }));
    try {
      const [result] = await collect(again.download(container, ['obj.bin'], { outFile: out }));
      assert.ok(result?.success, result?.error?.message);
      assert.equal(result.reusedBytes ?? 0, 0, 'nothing of the partial file is kept');
      const gets = proxy.seen('GET', /\/obj\.bin(\?|$)/);
      assert.equal(gets[0]?.headers.range, `bytes=${kept}-`);
      assert.equal(gets.at(-1)?.headers.range, undefined, 'the object is fetched whole after');
    } finally {
      await again.close();
      await proxy.close();
    }
    assert.equal(await fileMd5(out), await fileMd5(source));
    assert.deepEqual(await partialNames(), []);
  });
});
