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

/** How long a full-size kill test file waits for its turn before it fails, in ms. */
const TURN_WAIT_MS = 20 * 60_000;
/** A lock file without a readable pid is stale once this old, in ms (its writer died between creating and writing it). */
const UNREADABLE_LOCK_MS = 10_000;

/**
 * At full size, waits until no other full-size kill test file runs on this
 * machine (its files and Swift's three replicas hold 2 to 6 GiB of tmpfs, and
 * test files and test runs go in parallel): a lock file holding the pid,
 * created with its content (a link to a written file), taken over when that
 * process is gone. Resolves to its release, for `after`. Await it at the top
 * of the file, not in a hook. On Node 20 the test timeout covers the whole
 * file, this wait included: scripts/test allows 600 s. At the small size
 * there is nothing to wait for.
 */
export async function killTestTurn(): Promise<() => Promise<void>> {
  if (KILL_TEST.name === 'small') return async () => {};
  const base = await scratchBase();
  const lock = join(base, 'swiftclient-full-kill-test.lock');
  const mine = join(base, `swiftclient-full-kill-test.${process.pid}.${Math.random().toString(36).slice(2)}`);
  await fsp.writeFile(mine, String(process.pid));
  const deadline = Date.now() + TURN_WAIT_MS;
  try {
    for (;;) {
      try {
        await fsp.link(mine, lock);
        return async () => {
          if ((await fsp.readFile(lock, 'utf8').catch(() => '')) === String(process.pid)) await fsp.rm(lock, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const seen = await fsp.readFile(lock, 'utf8').catch(() => undefined);
      if (seen === undefined) continue; // released meanwhile
      const holder = Number(seen);
      // Runtimes that run test files in one process (Bun, Deno) cannot tell them apart: those go together.
      if (holder === process.pid) return async () => {};
      const age = Date.now() - ((await fsp.stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
      const stale = Number.isInteger(holder) && holder > 0 ? !alive(holder) : age > UNREADABLE_LOCK_MS;
      if (stale) {
        await takeOver(lock, seen);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited ${TURN_WAIT_MS / 60_000} min for ${lock} (held by pid ${seen}): another full-size kill test run is still going`);
      await sleep(1000);
    }
  } finally {
    await fsp.rm(mine, { force: true });
  }
}

/** Moves a stale lock aside (one waiter wins the rename); puts it back if it was not the stale one seen. */
async function takeOver(lock: string, staleContent: string): Promise<void> {
  const aside = `${lock}.stale.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    await fsp.rename(lock, aside);
  } catch {
    return; // another waiter moved it first
  }
  const moved = await fsp.readFile(aside, 'utf8').catch(() => staleContent);
  if (moved !== staleContent) await fsp.link(aside, lock).catch(() => undefined);
  await fsp.rm(aside, { force: true });
}
