import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanupLine, parseDuration } from '../../packages/cli/src/commands/cleanup.js';

describe('cleanup --older-than', () => {
  const table: Array<[string, number | undefined]> = [
    ['90', 90],
    ['0', 0],
    ['0s', 0],
    ['30m', 1800],
    ['1.5h', 5400],
    ['7d', 604_800],
    ['2W', 1_209_600],
    [' 12h ', 43_200],
    ['', undefined],
    ['-5', undefined],
    ['h', undefined],
    ['3 days', undefined],
    ['1e3', undefined],
  ];
  for (const [text, seconds] of table) {
    test(`${JSON.stringify(text)} is ${String(seconds)}`, () => assert.equal(parseDuration(text), seconds));
  }
});

describe('cleanup output lines', () => {
  test('orphans say what became of them; a broken manifest lists what is missing', () => {
    const base = { action: 'orphan_segment', success: true, container: 'c_segments', object: 'o/slo/1.000000/3/1/00000000', bytes: 1, lastModified: undefined } as const;
    assert.equal(cleanupLine({ ...base, status: 'deleted' }), 'orphan segment c_segments/o/slo/1.000000/3/1/00000000 (1 bytes): deleted');
    assert.equal(cleanupLine({ ...base, status: 'dry-run' }), 'orphan segment c_segments/o/slo/1.000000/3/1/00000000 (1 bytes): would be deleted');
    assert.match(cleanupLine({ ...base, status: 'too-recent' }), /kept \(newer than the grace period\)$/);
    assert.equal(
      cleanupLine({ action: 'broken_manifest', success: true, container: 'c', object: 'm', kind: 'slo', missing: ['s/1', 's/2'] }),
      'broken manifest c/m: missing s/1, s/2',
    );
  });
});
