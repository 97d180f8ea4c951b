import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cropPieces, parseRange, type SloPiece } from '../../src/service/slo-plan.js';

describe('an SLO manifest range within an object', () => {
  const table: Array<[string, number, [number, number] | undefined]> = [
    ['2-4', 10, [2, 3]],
    ['0-9', 10, [0, 10]],
    ['5-', 10, [5, 5]],
    ['-3', 10, [7, 3]],
    ['-30', 10, [0, 10]],
    ['8-20', 10, [8, 2]],
    ['10-12', 10, undefined],
    ['4-2', 10, undefined],
    ['-', 10, undefined],
    ['abc', 10, undefined],
  ];
  for (const [range, size, want] of table) test(`${range} of ${size}`, () => assert.deepEqual(parseRange(range, size), want));
});

describe('the pieces a range of nested content takes', () => {
  const seg = (path: string, bytes: number): SloPiece => ({ kind: 'segment', path, start: 0, bytes, size: bytes, hash: 'h' });
  const data: SloPiece = { kind: 'data', data: Buffer.from('0123456789') };
  const pieces = [seg('c/a', 100), data, seg('c/b', 50)];
  const show = (ps: SloPiece[]): string[] => ps.map((p) => (p.kind === 'data' ? `data:${p.data.toString()}` : `${p.path}@${p.start}+${p.bytes}`));
  const table: Array<[string, number, number, string[]]> = [
    ['all of it', 0, 160, ['c/a@0+100', 'data:0123456789', 'c/b@0+50']],
    ['inside the first segment', 10, 20, ['c/a@10+20']],
    ['across the data', 95, 20, ['c/a@95+5', 'data:0123456789', 'c/b@0+5']],
    ['inside the data', 102, 3, ['data:234']],
    ['the tail', 150, 10, ['c/b@40+10']],
    ['past the end', 155, 100, ['c/b@45+5']],
  ];
  for (const [name, start, length, want] of table) test(name, () => assert.deepEqual(show(cropPieces(pieces, start, length)), want));

  test('a range of a range keeps the offset into the segment object', () => {
    const inner = cropPieces([seg('c/a', 100)], 30, 50);
    assert.deepEqual(show(cropPieces(inner, 5, 10)), ['c/a@35+10']);
  });
});
