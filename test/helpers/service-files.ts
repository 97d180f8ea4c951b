import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { SWIFT, unique } from './env.js';

const run = promisify(execFile);

/** Where scratch files go: tmpfs when there is one (fast, and no disk wear). */
export function scratchBase(): Promise<string> {
  return fsp
    .access('/dev/shm')
    .then(() => '/dev/shm')
    .catch(() => tmpdir());
}

/** A scratch directory under scratchBase(). */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = join(await scratchBase(), unique(prefix));
  await fsp.mkdir(dir, { recursive: true });
  return dir;
}

/** Writes `size` random bytes to `path`, 8 MiB at a time. */
export async function randomFile(path: string, size: number): Promise<void> {
  const handle = await fsp.open(path, 'w');
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(8 << 20, size - done);
      await handle.write(randomBytes(n));
      done += n;
    }
  } finally {
    await handle.close();
  }
}

/**
 * A tree of `small` small files (0 to 4 KiB, in nested directories, one of
 * them empty), an empty directory, and one file per `big` size.
 */
export async function makeTree(root: string, small: number, big: number[]): Promise<void> {
  await fsp.mkdir(join(root, 'empty-dir'), { recursive: true });
  for (let i = 0; i < small; i += 1) {
    const dir = join(root, `d${i % 10}`, i % 3 === 0 ? 'deeper' : '');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(join(dir, `file-${i}.txt`), randomBytes(i === 0 ? 0 : (i * 37) % 4096));
  }
  for (const [i, size] of big.entries()) await randomFile(join(root, `big-${i}.bin`), size);
}

/** Relative paths of every file and empty directory under `root`, sorted. */
export async function treeEntries(root: string): Promise<string[]> {
  const out: string[] = [];
  async function visit(dir: string): Promise<void> {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    if (entries.length === 0 && dir !== root) out.push(`${relative(root, dir)}/`);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path);
      else out.push(relative(root, path));
    }
  }
  await visit(root);
  return out.sort();
}

/** Asserts both trees hold the same files with the same bytes. */
export async function assertSameTree(expected: string, actual: string): Promise<void> {
  const want = await treeEntries(expected);
  assert.deepEqual(await treeEntries(actual), want);
  for (const entry of want) {
    if (entry.endsWith('/')) continue;
    await assertSameFile(join(expected, entry), join(actual, entry));
  }
}

export async function assertSameFile(expected: string, actual: string): Promise<void> {
  const [a, b] = await Promise.all([fsp.readFile(expected), fsp.readFile(actual)]);
  assert.equal(b.length, a.length, `${actual}: size`);
  assert.ok(a.equals(b), `${actual}: bytes differ from ${expected}`);
}

/** Drains an async iterable. */
export async function collect<T>(results: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const result of results) out.push(result);
  return out;
}

/** Runs python-swiftclient's `swift` CLI against the local Swift. */
export async function swiftCli(args: string[], cwd?: string): Promise<{ stdout: string; stderr: string }> {
  return run('/usr/bin/swift', ['-A', SWIFT.authUrl, '-U', SWIFT.user, '-K', SWIFT.key, ...args], {
    cwd,
    maxBuffer: 16 << 20,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
  });
}

/** `"%f" % os.path.getmtime(path)`, computed by python itself. */
export async function pythonMtime(path: string): Promise<string> {
  const { stdout } = await run('/usr/bin/python3', ['-c', 'import os, sys; print("%f" % os.path.getmtime(sys.argv[1]))', path]);
  return stdout.trim();
}
