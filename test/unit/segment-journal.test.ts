// The record of segments in progress that lets a killed large-object download
// continue each segment where its bytes end: what is saved, when, and that
// nothing is saved after close.
import assert from 'node:assert/strict';
import { promises as fsp, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { BatchedWriter } from '../../src/service/batched-write.js';
import { journalStep, keptBytes, SegmentJournal } from '../../src/service/segment-journal.js';

const MiB = 1 << 20;

function recorder(): { saves: Array<Record<string, number>>; save: (s: Record<string, number>) => Promise<void> } {
  const saves: Array<Record<string, number>> = [];
  return { saves, save: async (s) => void saves.push(s) };
}

describe('SegmentJournal', () => {
  test('saves once `everyBytes` were written since the last save, summed over the segments, with the latest bytes of each', async () => {
    const { saves, save } = recorder();
    const journal = new SegmentJournal(save, undefined, { everyBytes: 100, intervalMs: 0 });
    journal.written(0, 40);
    journal.written(3, 50);
    await sleep(20);
    assert.deepEqual(saves, [], '90 bytes: not yet');
    journal.written(0, 60);
    await sleep(20);
    assert.deepEqual(saves, [{ 0: 60, 3: 50 }]);
    journal.forget(0);
    await sleep(20);
    assert.equal(saves.length, 1, 'a finished segment waits for the next save');
    journal.written(3, 150);
    await sleep(20);
    assert.deepEqual(saves, [{ 0: 60, 3: 50 }, { 3: 150 }]);
    await journal.close(false);
  });

  test('at most one save per interval, however fast bytes come', async () => {
    const { saves, save } = recorder();
    const journal = new SegmentJournal(save, undefined, { everyBytes: 1, intervalMs: 40 });
    const t0 = Date.now();
    for (let i = 1; Date.now() - t0 < 150; i += 1) {
      journal.written(0, i);
      await sleep(1);
    }
    await journal.close(false);
    assert.ok(saves.length >= 2 && saves.length <= 5, `${saves.length} saves in 150 ms`);
  });

  test('close(true) saves what changed at once; close(false) drops it; nothing is saved after close', async () => {
    for (const [saveLast, expected] of [
      [true, [{ 1: 7 }]],
      [false, []],
    ] as const) {
      const { saves, save } = recorder();
      const journal = new SegmentJournal(save, undefined, { everyBytes: 1000 });
      journal.written(1, 7);
      await journal.close(saveLast);
      assert.deepEqual(saves, expected);
      journal.written(1, 9999);
      await sleep(30);
      assert.deepEqual(saves, expected, 'closed: no more saves');
    }
  });

  test("an earlier run's record is kept until each segment is continued or forgotten; nonsense entries are dropped", async () => {
    const { saves, save } = recorder();
    const journal = new SegmentJournal(save, { 2: 10, 5: 20, x: 3, 6: -1, 7: 1.5 } as Record<string, number>);
    journal.forget(5);
    await journal.close(true);
    assert.deepEqual(saves, [{ 2: 10 }]);
  });

  test('bytes an earlier run recorded do not count as written again', async () => {
    const { saves, save } = recorder();
    const journal = new SegmentJournal(save, { 0: 500 }, { everyBytes: 100, intervalMs: 0 });
    journal.written(0, 550);
    await sleep(20);
    assert.deepEqual(saves, [], '50 new bytes');
    journal.written(0, 600);
    await sleep(20);
    assert.deepEqual(saves, [{ 0: 600 }]);
    await journal.close(false);
  });

  test('a failing save neither throws nor stops later saves', async () => {
    let calls = 0;
    const journal = new SegmentJournal(
      async () => {
        calls += 1;
        throw new Error('ENOSPC');
      },
      undefined,
      { everyBytes: 1, intervalMs: 0 },
    );
    journal.written(0, 1);
    await sleep(20);
    journal.written(0, 2);
    await journal.close(true);
    assert.equal(calls, 2);
  });

  test('saves run one at a time, in order', async () => {
    const order: string[] = [];
    let running = 0;
    const journal = new SegmentJournal(
      async (s) => {
        running += 1;
        assert.equal(running, 1, 'two saves at once');
        await sleep(25);
        order.push(JSON.stringify(s));
        running -= 1;
      },
      undefined,
      { everyBytes: 1, intervalMs: 0 },
    );
    journal.written(0, 1);
    await sleep(10);
    journal.written(0, 2);
    await journal.close(true);
    assert.deepEqual(order, ['{"0":1}', '{"0":2}']);
  });
});

describe('journalStep', () => {
  const table: Array<[number, number]> = [
    [8 * MiB, MiB],
    [32 * MiB, 4 * MiB],
    [64 * MiB, 8 * MiB],
    [5 * 1024 * MiB, 8 * MiB],
    [MiB, MiB],
    [0, MiB],
  ];
  for (const [segment, step] of table) test(`segments of ${segment} bytes: a save every ${step}`, () => assert.equal(journalStep(segment), step));
});

describe('keptBytes', () => {
  const table: Array<[string, Record<string, number> | undefined, number, number, number]> = [
    ['no record', undefined, 0, 100, 0],
    ['segment not in the record', { 1: 50 }, 0, 100, 0],
    ['part of the segment', { 0: 50 }, 0, 100, 50],
    ['all of it (recognised by MD5 instead)', { 0: 100 }, 0, 100, 0],
    ['more than the segment (another plan)', { 0: 150 }, 0, 100, 0],
    ['zero', { 0: 0 }, 0, 100, 0],
    ['not an integer', { 0: 1.5 }, 0, 100, 0],
    ['not a number', { 0: '50' as unknown as number }, 0, 100, 0],
  ];
  for (const [name, record, index, bytes, expected] of table) {
    test(name, () => assert.equal(keptBytes(record, index, bytes), expected));
  }
});

test('BatchedWriter tells each written position in order, after the bytes are on the file', async () => {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'batched-'));
  const path = join(dir, 'f');
  const handle = await fsp.open(path, 'w+');
  const positions: number[] = [];
  const writer = new BatchedWriter(handle, 1000, (position) => {
    positions.push(position);
    assert.ok(statSync(path).size >= position, 'told before the bytes were written');
  });
  const chunk = Buffer.alloc(300 * 1024, 1);
  for (let i = 0; i < 4; i += 1) await writer.write(chunk);
  await writer.end();
  await handle.close();
  assert.deepEqual(positions, [1000 + 600 * 1024, 1000 + 1200 * 1024]);
  await fsp.rm(dir, { recursive: true });
});
