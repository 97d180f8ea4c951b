// scripts/swift-aio's sweep of deleted-object markers, on a planted device
// tree (no server needed): only markers past the grace period go, and only
// where nothing else is stored under the same hash.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

function plant(root: string, path: string, ageMinutes: number): void {
  const file = join(root, 'srv/node', path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, '');
  const when = new Date(Date.now() - ageMinutes * 60_000);
  utimesSync(file, when, when);
}

function tree(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).sort();
}

test('sweep removes old markers with their emptied directories and keeps everything else', () => {
  const state = mkdtempSync(join(tmpdir(), 'swift-aio-sweep-'));
  try {
    plant(state, 'd1/objects/12/abc/old-ts/1.ts', 120);
    plant(state, 'd2/objects-1/3/def/old-ts-policy1/1.ts', 120);
    plant(state, 'd1/objects/12/abc/fresh-ts/2.ts', 1);
    plant(state, 'd1/objects/12/abd/data/3.data', 120);
    plant(state, 'd1/objects/12/abd/ts-and-meta/4.ts', 120);
    plant(state, 'd1/objects/12/abd/ts-and-meta/5.meta', 120);
    plant(state, 'd1/containers/7/aaa/h/h.db', 120);
    const err = execFileSync('bash', ['scripts/swift-aio', 'sweep'], {
      env: { ...process.env, SWIFT_AIO_DIR: state, SWIFT_AIO_SWEEP_MINUTES: '30' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(err, '');
    const left = tree(join(state, 'srv/node')).filter((p) => /\.(ts|data|meta|db)$/.test(p));
    assert.deepEqual(left, [
      'd1/containers/7/aaa/h/h.db',
      'd1/objects/12/abc/fresh-ts/2.ts',
      'd1/objects/12/abd/data/3.data',
      'd1/objects/12/abd/ts-and-meta/4.ts',
      'd1/objects/12/abd/ts-and-meta/5.meta',
    ]);
    const dirs = tree(join(state, 'srv/node'));
    assert.ok(!dirs.some((p) => p.includes('old-ts')), 'emptied hash directories are removed');
    assert.ok(!dirs.includes('d2/objects-1/3/def'), 'an emptied suffix directory is removed');
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
