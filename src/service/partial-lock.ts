import { randomBytes } from 'node:crypto';
import { promises as fsp, readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { SwiftError } from './errors.js';

/**
 * One download at a time per partial file. Two downloads into the same path
 * (two processes, or two calls in one) would otherwise write into the same
 * partial file, and the second rename would fail on a name the first had
 * already moved. The owner of a partial file holds a lock file beside it
 * (`<partial>.lock`), created exclusively (`wx`), holding its pid, host,
 * process start (from /proc, where there is one) and a random id; it is
 * removed when the download ends, however it ends.
 *
 * A process killed outright (SIGKILL, OOM, power cut) leaves its lock behind;
 * the next download takes it over when {@link lockIsStale} says its owner is
 * gone: on this host, its pid is dead, or is alive but started at another
 * time (a reused pid, which in containers is often one's own). A lock of
 * another host (a shared filesystem) is never broken: nothing here can tell
 * whether it lives, and the error names the file to remove.
 *
 * SwiftService runs on Node, Deno and Bun only (it reads and writes files);
 * where `process.kill` or /proc is missing, the probe says "unknown" and the
 * lock is treated as live.
 */

/** What a lock file records about its owner. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The owner's process start (/proc/<pid>/stat's starttime, in clock ticks since boot), where /proc exists. */
  procStart?: string | undefined;
  /** The owner's PID namespace (/proc/self/ns/pid), where readable: one host name can span several (containers on the host's network). */
  pidNamespace?: string | undefined;
  /** When the lock was taken (ISO 8601), for the message. */
  since: string;
  /** Random, so that breaking a stale lock can tell it from a fresh one of the same pid. */
  id: string;
}

/** What this process found out about a lock's owner. */
export interface LockProbe {
  /** This host's name. */
  host: string;
  /** Whether the owner's pid runs here: undefined when it cannot be told. */
  alive: boolean | undefined;
  /** That pid's current process start (/proc), undefined when unreadable. */
  procStart: string | undefined;
  /** This process's PID namespace, undefined when unreadable. */
  pidNamespace?: string | undefined;
  /** Milliseconds since the lock file was last modified. */
  ageMs: number;
}

/** The lock file's name: the partial file's and this. */
export const LOCK_SUFFIX = '.lock';
/** The guard file's name while a stale lock is broken: the lock file's and this. */
export const BREAK_SUFFIX = '.break';

/** An unreadable lock is one being written (create and write are two steps) for at most this long. */
export const UNREADABLE_LOCK_GRACE_MS = 10_000;

/** Whether a lock left by `owner` (undefined: unreadable or empty) may be taken over. */
export function lockIsStale(owner: LockOwner | undefined, probe: LockProbe): boolean {
  if (owner === undefined) return probe.ageMs > UNREADABLE_LOCK_GRACE_MS;
  if (owner.host !== probe.host) return false;
  // Another PID namespace's pid means nothing here: its owner cannot be checked.
  if (owner.pidNamespace !== undefined && probe.pidNamespace !== undefined && owner.pidNamespace !== probe.pidNamespace) return false;
  if (probe.alive === false) return true;
  if (owner.procStart !== undefined && probe.procStart !== undefined) return owner.procStart !== probe.procStart;
  return false;
}

/** A lock this process holds; `release` removes it (only if it is still this one). */
export interface PartialLock {
  release(): Promise<void>;
}

/**
 * Takes the lock of the partial file `partial` for a download into `target`:
 * a SwiftError naming `target` when a live download holds it.
 */
export async function lockPartial(partial: string, target: string): Promise<PartialLock> {
  const path = `${partial}${LOCK_SUFFIX}`;
  const mine: LockOwner = { ...thisProcess(), since: new Date().toISOString(), id: randomBytes(8).toString('hex') };
  const text = JSON.stringify(mine);
  const busy = (who: string) => new SwiftError(`Another download into ${JSON.stringify(target)} is in progress${who}; if it is not, remove ${JSON.stringify(path)}`);
  // A few rounds: a lock released or broken meanwhile is tried again, a lock that keeps coming back is busy.
  for (let attempt = 0; attempt < 8; attempt += 1) {
    try {
      const taken = await createLock(path, text);
      return { release: () => releaseLock(path, taken) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = await fsp.readFile(path, 'utf8').catch(() => undefined);
    if (held === undefined) continue; // released meanwhile
    const owner = parseOwner(held);
    const ageMs = await fsp.stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    const probe: LockProbe = { host: mine.host, alive: owner && isAlive(owner.pid), procStart: owner && procStart(owner.pid), pidNamespace: mine.pidNamespace, ageMs };
    if (!lockIsStale(owner, probe)) throw busy(owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.since})` : '');
    await breakStale(path, held);
  }
  throw busy('');
}

/** A breaker's guard older than this was left by a process that died while breaking (a break takes milliseconds). */
const BREAK_GUARD_STALE_MS = 10_000;

/**
 * Removes a stale lock, unless another process replaced it since it was
 * read. Breakers take turns through a guard file created exclusively
 * (`<lock>.break`): under it the lock is read again and removed only if it
 * still holds the stale content, so a lock taken meanwhile is never removed.
 */
async function breakStale(path: string, stale: string): Promise<void> {
  const guard = `${path}${BREAK_SUFFIX}`;
  try {
    await fsp.writeFile(guard, '', { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const age = await fsp.stat(guard).then((st) => Date.now() - st.mtimeMs, () => 0);
    if (age > BREAK_GUARD_STALE_MS) await fsp.rm(guard, { force: true });
    await new Promise((resolve) => setTimeout(resolve, 20)); // another breaker is at work: look again after it
    return;
  }
  try {
    if ((await fsp.readFile(path, 'utf8').catch(() => undefined)) === stale) await fsp.rm(path, { force: true });
  } finally {
    await fsp.rm(guard, { force: true });
  }
}

/** What tells a lock file from another at the same path: no two files alive at once share device and inode. */
interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
}

/** Creates the lock file exclusively with `text`; what identifies it (see releaseLock). */
async function createLock(path: string, text: string): Promise<FileIdentity> {
  const handle = await fsp.open(path, 'wx');
  try {
    await handle.writeFile(text);
    const { dev, ino, size } = await handle.stat();
    return { dev, ino, size };
  } finally {
    await handle.close();
  }
}

/**
 * Removes the lock if it is still the file this process created (compared
 * by inode and size rather than read back: two system calls per download
 * fewer, which a bulk download of small files notices; not by time, which a
 * backup tool may touch). A failure to remove it (a read-only directory)
 * does not replace the download's own outcome.
 */
async function releaseLock(path: string, taken: FileIdentity): Promise<void> {
  const now = await fsp.stat(path).catch(() => undefined);
  if (now === undefined || now.dev !== taken.dev || now.ino !== taken.ino || now.size !== taken.size) return;
  await fsp.unlink(path).catch(() => undefined);
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.id !== 'string') return undefined;
    const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
    return { pid: o.pid, host: o.host, procStart: str(o.procStart), pidNamespace: str(o.pidNamespace), since: String(o.since), id: o.id };
  } catch {
    return undefined;
  }
}

let identity: Pick<LockOwner, 'pid' | 'host' | 'procStart' | 'pidNamespace'> | undefined;

/** This process's pid, host, start and PID namespace: read once (they do not change while it runs). */
function thisProcess(): Pick<LockOwner, 'pid' | 'host' | 'procStart' | 'pidNamespace'> {
  identity ??= { pid: process.pid, host: hostName(), procStart: procStart(process.pid), pidNamespace: pidNamespace() };
  return identity;
}

/** This host's name; '' where the runtime refuses it (Deno without --allow-sys). */
function hostName(): string {
  try {
    return hostname();
  } catch {
    return '';
  }
}

/** Whether `pid` runs on this host; undefined where the runtime cannot say. */
function isAlive(pid: number): boolean | undefined {
  if (typeof process.kill !== 'function') return undefined;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    return code === 'EPERM' ? true : undefined;
  }
}

/** This process's PID namespace (`pid:[<inode>]`, Linux /proc), undefined elsewhere. */
function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** A process's start time in clock ticks since boot (Linux /proc), undefined elsewhere. */
function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
