// The size of the kill tests (resume-upload, resume-download): the issue's
// 600 MiB in 64 MiB segments with SWIFTCLIENT_KILL_TEST_SIZE=full (scripts/test
// sets it for the machine's Node in the full run), otherwise 96 MiB in 8 MiB
// segments: the same assertions, fast enough for every runtime on two shared cores.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { scratchBase } from './service-files.js';

const MiB = 1 << 20;

/** The file size (before a test's odd extra bytes) and the segment size of a kill test. */
export interface KillTestSize {
  name: 'small' | 'full';
  size: number;
  segment: number;
}

/** The kill tests' size for a value of SWIFTCLIENT_KILL_TEST_SIZE (unset or empty: small). */
export function killTestSize(value: string | undefined): KillTestSize {
  if (value === undefined || value === '' || value === 'small') return { name: 'small', size: 96 * MiB, segment: 8 * MiB };
  if (value === 'full') return { name: 'full', size: 600 * MiB, segment: 64 * MiB };
  throw new Error(`SWIFTCLIENT_KILL_TEST_SIZE=${value}: expected "small" or "full"`);
}

export const KILL_TEST = killTestSize(process.env.SWIFTCLIENT_KILL_TEST_SIZE);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * At full size, waits until no other full-size kill test file runs on this
 * machine (its files and Swift's three replicas hold 2 to 6 GiB of tmpfs, and
 * test files and test runs go in parallel): a lock file holding the pid,
 * taken over when that process is gone. Resolves to its release, for `after`.
 * Await it at the top of the file, not in a hook: a hook's wait counts
 * against the test timeout. At the small size there is nothing to wait for.
 */
export async function killTestTurn(): Promise<() => Promise<void>> {
  if (KILL_TEST.name === 'small') return async () => {};
  const lock = join(await scratchBase(), 'swiftclient-full-kill-test.lock');
  for (;;) {
    try {
      await fsp.writeFile(lock, String(process.pid), { flag: 'wx' });
      return async () => {
        if ((await fsp.readFile(lock, 'utf8').catch(() => '')) === String(process.pid)) await fsp.rm(lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await fsp.readFile(lock, 'utf8').catch(() => ''));
    // A runtime that runs test files in one process (Bun) cannot tell them apart: they go together.
    if (holder === process.pid) return async () => {};
    if (holder > 0 && !alive(holder)) await fsp.rm(lock, { force: true });
    else await sleep(1000);
  }
}
