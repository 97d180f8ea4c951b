import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SwiftError } from '../../src/service/errors.js';
import { lockIsStale, lockPartial, UNREADABLE_LOCK_GRACE_MS, type LockOwner, type LockProbe } from '../../src/service/partial-lock.js';

describe('lockIsStale: whether a partial file lock may be taken over', () => {
  const owner: LockOwner = { pid: 4242, host: 'here', procStart: '1000', since: '2026-01-01T00:00:00.000Z', id: 'abc' };
  const probe: LockProbe = { host: 'here', alive: true, procStart: '1000', ageMs: 60_000 };
  const table: Array<[string, LockOwner | undefined, Partial<LockProbe>, boolean]> = [
    ['its pid runs, started when the lock says', owner, {}, false],
    ['its pid is gone', owner, { alive: false, procStart: undefined }, true],
    ['its pid runs but started at another time (a reused pid)', owner, { procStart: '2000' }, true],
    ['its pid is our own, and we started at another time (a reused pid, as in containers)', { ...owner, pid: process.pid }, { procStart: '2000' }, true],
    ['its pid runs, no start time recorded (no /proc where it ran)', { ...owner, procStart: undefined }, { procStart: '2000' }, false],
    ['its pid runs, its start time unreadable here', owner, { procStart: undefined }, false],
    ['liveness unknown (no process.kill), start time matches', owner, { alive: undefined }, false],
    ['liveness unknown, start time differs', owner, { alive: undefined, procStart: '2000' }, true],
    ['liveness and start time unknown', owner, { alive: undefined, procStart: undefined }, false],
    ['another host, even with its pid gone here', { ...owner, host: 'there' }, { alive: false, procStart: undefined }, false],
    ['another host, its pid reused here', { ...owner, host: 'there' }, { procStart: '2000' }, false],
    ['same host name, another PID namespace (a container on the host network), its pid gone here', { ...owner, pidNamespace: 'pid:[1]' }, { alive: false, procStart: undefined, pidNamespace: 'pid:[2]' }, false],
    ['same PID namespace, its pid gone', { ...owner, pidNamespace: 'pid:[1]' }, { alive: false, procStart: undefined, pidNamespace: 'pid:[1]' }, true],
    ['PID namespace recorded, ours unreadable (Deno), its pid gone', { ...owner, pidNamespace: 'pid:[1]' }, { alive: false, procStart: undefined, pidNamespace: undefined }, true],
    ['unreadable, older than the grace period', undefined, { ageMs: UNREADABLE_LOCK_GRACE_MS + 1 }, true],
    ['unreadable, being written (younger than the grace period)', undefined, { ageMs: 5 }, false],
  ];
  for (const [what, o, p, stale] of table) {
    test(`${what}: ${stale ? 'stale' : 'live'}`, () => assert.equal(lockIsStale(o, { ...probe, ...p }), stale));
  }
});

describe('lockPartial', () => {
  let dir: string;
  before(async () => {
    dir = await fsp.mkdtemp(join(tmpdir(), 'partial-lock-'));
  });
  after(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });
  const lockOf = (name: string) => `${join(dir, name)}.lock`;
  const write = (name: string, owner: Partial<LockOwner>) =>
    fsp.writeFile(lockOf(name), JSON.stringify({ host: hostname(), since: '2026-01-01T00:00:00.000Z', id: 'planted', ...owner }));

  test('a second lock in the same process fails with a SwiftError naming the target and the lock; released, it can be taken again', async () => {
    const first = await lockPartial(join(dir, 'a'), 'out/a.bin');
    await assert.rejects(lockPartial(join(dir, 'a'), 'out/a.bin'), (err: Error) => {
      assert.ok(err instanceof SwiftError);
      assert.match(err.message, /^Another download into "out\/a\.bin" is in progress \(pid \d+ on .*\); if it is not, remove ".*a\.lock"$/);
      return true;
    });
    await first.release();
    await assert.rejects(fsp.stat(lockOf('a')));
    const again = await lockPartial(join(dir, 'a'), 'out/a.bin');
    await again.release();
  });

  test('a lock of a process that has exited is taken over', async () => {
    const child = spawnSync(process.execPath, ['-e', '']);
    assert.equal(child.status, 0);
    await write('dead', { pid: child.pid });
    const lock = await lockPartial(join(dir, 'dead'), 'dead.bin');
    assert.equal(JSON.parse(await fsp.readFile(lockOf('dead'), 'utf8')).pid, process.pid);
    await lock.release();
  });

  test('eight downloads finding the same stale lock at once: exactly one takes it over', async () => {
    const child = spawnSync(process.execPath, ['-e', '']);
    for (let round = 0; round < 40; round += 1) {
      await write('race', { pid: child.pid, id: `stale-${round}` });
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => lockPartial(join(dir, 'race'), 'race.bin')));
      const held = outcomes.filter((o): o is PromiseFulfilledResult<Awaited<ReturnType<typeof lockPartial>>> => o.status === 'fulfilled');
      assert.equal(held.length, 1, `round ${round}: ${held.length} holders`);
      for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof SwiftError, String(o.reason));
      await held[0]?.value.release();
    }
    assert.deepEqual((await fsp.readdir(dir)).filter((f) => f.startsWith('race')), [], 'no lock or guard left');
  });

  test('a lock of a live process of this host is kept; one of another host too', async () => {
    await write('live', { pid: process.ppid });
    await assert.rejects(lockPartial(join(dir, 'live'), 'live.bin'), /in progress \(pid \d+ on/);
    await write('remote', { pid: 1 << 30, host: `not-${hostname()}` });
    await assert.rejects(lockPartial(join(dir, 'remote'), 'remote.bin'), SwiftError);
    assert.equal(JSON.parse(await fsp.readFile(lockOf('remote'), 'utf8')).id, 'planted', 'untouched');
  });

  test('an old unreadable lock is taken over, a fresh one is not', async () => {
    await fsp.writeFile(lockOf('empty'), '');
    await assert.rejects(lockPartial(join(dir, 'empty'), 'empty.bin'), /Another download into "empty\.bin" is in progress; if it is not/);
    const old = new Date(Date.now() - UNREADABLE_LOCK_GRACE_MS - 5000);
    await fsp.utimes(lockOf('empty'), old, old);
    const lock = await lockPartial(join(dir, 'empty'), 'empty.bin');
    await lock.release();
  });

  test('release removes only its own lock: not one written over it, nor a new file in its place', async () => {
    for (const replace of ['rewritten', 'removed and created again']) {
      const lock = await lockPartial(join(dir, 'own'), 'own.bin');
      if (replace !== 'rewritten') await fsp.rm(lockOf('own'));
      await write('own', { pid: process.ppid });
      await lock.release();
      assert.equal(JSON.parse(await fsp.readFile(lockOf('own'), 'utf8')).id, 'planted', replace);
      await fsp.rm(lockOf('own'));
    }
  });

  test('release removes its lock even when its time was touched', async () => {
    const lock = await lockPartial(join(dir, 'touched'), 'touched.bin');
    await fsp.utimes(lockOf('touched'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    await lock.release();
    await assert.rejects(fsp.stat(lockOf('touched')), { code: 'ENOENT' });
  });
});

const DENO = fileURLToPath(new URL('../runtimes/node_modules/.bin/deno', import.meta.url));

test("under Deno with the permissions RUNTIMES.md lists (no --allow-sys), a lock is taken and released", { skip: existsSync(DENO) ? false : 'deno is not installed (test/runtimes)' }, async () => {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'partial-lock-deno-'));
  try {
    const script = join(dir, 'lock.ts');
    const module = fileURLToPath(new URL('../../src/service/partial-lock.ts', import.meta.url));
    await fsp.writeFile(script, `import { lockPartial } from ${JSON.stringify(module)};\nconst lock = await lockPartial(${JSON.stringify(join(dir, 'x'))}, 'x.bin');\nawait lock.release();\nconsole.log('released');\n`);
    const run = spawnSync(DENO, ['run', '--no-check', '--unstable-sloppy-imports', '--allow-net', '--allow-env', '--allow-read', '--allow-write', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'released');
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
