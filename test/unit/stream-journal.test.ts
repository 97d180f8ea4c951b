import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { journalStep, parseJournal, type JournalEntry, type JournalStep } from '../../src/service/stream-journal.js';

const entry: JournalEntry = { index: 2, name: 's/slo/1700000000.000000/8/00000002', bytes: 8, md5: 'aa' };

describe('what a journalled upload does with a piece of its stream', () => {
  const table: Array<[string, JournalEntry | undefined, { length: number; md5: string }, boolean, boolean, JournalStep]> = [
    ['recorded, same bytes, stored', entry, { length: 8, md5: 'aa' }, true, false, 'reuse'],
    ['recorded, same bytes, gone from the container', entry, { length: 8, md5: 'aa' }, false, false, 'send'],
    ['not recorded', undefined, { length: 8, md5: 'aa' }, true, false, 'send'],
    ['recorded, other bytes', entry, { length: 8, md5: 'bb' }, true, false, 'stale'],
    ['recorded, the stream ends sooner', entry, { length: 5, md5: 'aa' }, true, false, 'stale'],
    ['same bytes, but the journal went stale before', entry, { length: 8, md5: 'aa' }, true, true, 'send'],
    ['other bytes after the journal went stale', entry, { length: 8, md5: 'bb' }, true, true, 'send'],
  ];
  for (const [name, e, piece, stored, stale, want] of table) {
    test(name, () => assert.equal(journalStep(e, piece, stored, stale), want));
  }
});

describe('reading a journal', () => {
  const expect = { container: 'c', object: 's', segmentContainer: 'c_segments', segmentSize: 8 };
  const header = JSON.stringify({ v: 1, ...expect, mtime: '1700000000.000000' });
  const line = JSON.stringify(entry);
  const table: Array<[string, string, number[] | undefined]> = [
    ['a header and an entry', `${header}\n${line}\n`, [2]],
    ['a torn last line is ignored', `${header}\n${line}\n{"index":3,"na`, [2]],
    ['only the header', `${header}\n`, []],
    ['empty', '', undefined],
    ['not JSON', 'garbage\n', undefined],
    ['another object', `${JSON.stringify({ v: 1, ...expect, object: 't', mtime: '1' })}\n${line}\n`, undefined],
    ['another segment size', `${JSON.stringify({ v: 1, ...expect, segmentSize: 9, mtime: '1' })}\n${line}\n`, undefined],
    ['another segment container', `${JSON.stringify({ v: 1, ...expect, segmentContainer: 'x', mtime: '1' })}\n`, undefined],
    ['an unknown version', `${JSON.stringify({ v: 2, ...expect, mtime: '1' })}\n`, undefined],
    ['an entry missing a field is skipped', `${header}\n${JSON.stringify({ index: 4, name: 'n', bytes: 8 })}\n`, []],
  ];
  for (const [name, text, indices] of table) {
    test(name, () => {
      const parsed = parseJournal(text, expect);
      assert.deepEqual(parsed && [...parsed.entries.keys()], indices);
      if (parsed) assert.equal(parsed.mtime, '1700000000.000000');
    });
  }
});
