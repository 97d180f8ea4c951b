// The note an overwrite stores of the old segments it orphans: what a note
// must hold to be acted on, which segments it may name, and that a note of
// another manifest than the object's current one is stale (lists nothing).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import '../../src/index.js'; // registers the platform (MD5)
import { manifestId, NOTE_WINDOW_S, noteable, noteContainers, parseRetired, retiredNoteName, retiredSegments, writtenTogether, type RetiredNote } from '../../src/service/retired-segments.js';

const note = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

describe('parseRetired', () => {
  const good = { container: 'c', object: 'o/x', replacedBy: 'slo:1', segments: ['c_segments/o/x/1/2/3/00000000', 7] };
  const table: Array<[string, Buffer, RetiredNote | undefined]> = [
    ['a note of this object (non-strings dropped)', note(good), { container: 'c', object: 'o/x', replacedBy: 'slo:1', segments: ['c_segments/o/x/1/2/3/00000000'] }],
    ["another container's object of the same name", note({ ...good, container: 'd' }), undefined],
    ['another object', note({ ...good, object: 'o' }), undefined],
    ['no replacedBy', note({ ...good, replacedBy: undefined }), undefined],
    ['no segment list', note({ ...good, segments: 'x' }), undefined],
    ['not JSON', Buffer.from('<html>'), undefined],
    ['JSON null', Buffer.from('null'), undefined],
  ];
  for (const [name, body, expected] of table) test(name, () => assert.deepEqual(parseRetired(body, 'c', 'o/x'), expected));
});

describe('manifestId', () => {
  test('an SLO by its segment paths, in any order; a DLO by its prefix, with or without the trailing slash', () => {
    assert.equal(manifestId({ sloPaths: ['s/a', 's/b'] }), manifestId({ sloPaths: ['s/b', 's/a'] }));
    assert.notEqual(manifestId({ sloPaths: ['s/a', 's/b'] }), manifestId({ sloPaths: ['s/a'] }));
    assert.equal(manifestId({ dlo: 'c_segments/o/1/2/3/' }), manifestId({ dlo: 'c_segments/o/1/2/3' }));
    assert.notEqual(manifestId({ dlo: 'c_segments/o/1/2/3' }), manifestId({ dlo: 'c_segments/o/1/2/4' }));
  });
});

describe('noteable', () => {
  const containers = noteContainers('c', 'custom', { sloPaths: ['elsewhere/o/x/9'] });
  const table: Array<[string, string, boolean]> = [
    ["python's segment container", 'c_segments/o/x/slo/1/2/3/00000000', true],
    ["the upload's segment container", 'custom/o/x/1/2/3/00000001', true],
    ["the current object's segment container", 'elsewhere/o/x/7', true],
    ['another container', 'other/o/x/1', false],
    ["not under the object's name", 'c_segments/victim', false],
    ['an object whose name starts alike', 'c_segments/o/xy/1', false],
    ["the object's name itself, nothing under it", 'c_segments/o/x/', false],
    ['no container', 'o/x/1', false],
  ];
  for (const [name, path, ok] of table) test(name, () => assert.deepEqual(noteable([path], 'o/x', containers), ok ? [path] : []));
});

describe('retiredSegments', () => {
  const current = { sloPaths: ['c_segments/o/2/10/5/00000000', 'c_segments/o/2/10/5/00000001'] };
  const written: RetiredNote = { container: 'c', object: 'o', replacedBy: manifestId(current), segments: ['c_segments/o/1/9/5/00000000', 'c_segments/o/2/10/5/00000001', 'x/victim'] };
  const containers = noteContainers('c', 'c_segments', current);
  const inUse = (p: string) => current.sloPaths.includes(p);
  test('a note written for the current manifest: what it may name, never a segment the object uses', () => {
    assert.deepEqual(retiredSegments(written, current, containers, inUse), ['c_segments/o/1/9/5/00000000']);
  });
  test('a note of another manifest (its PUT never happened, or the object was replaced since) is stale: nothing', () => {
    assert.deepEqual(retiredSegments(written, { sloPaths: ['c_segments/o/1/9/5/00000000'] }, containers, () => false), []);
    assert.deepEqual(retiredSegments(written, { dlo: 'c_segments/o/2/10/5/' }, containers, () => false), []);
  });
});

test('the note of each container and object has a name of its own, outside any segment prefix', () => {
  assert.equal(retiredNoteName('c', 'o/x'), '.swiftclient-retired/c/o/x');
  assert.notEqual(retiredNoteName('c', 'o'), retiredNoteName('d', 'o'));
});

describe('writtenTogether', () => {
  const table: Array<[string, string | undefined, string | undefined, boolean]> = [
    ['the manifest a moment after its note', '1765000000.00000', '1765000000.12345', true],
    ['the manifest after retries, within the window', '1765000000.00000', String(1765000000 + NOTE_WINDOW_S), true],
    ['an object stored later (a run that wrote the same segments without reading notes)', '1765000000.00000', String(1765000000 + NOTE_WINDOW_S + 1), false],
    ['an object older than the note (its manifest PUT never happened)', '1765000000.00000', '1764999999.99999', false],
    ['no timestamp on the note', undefined, '1765000000.00000', false],
    ['no timestamp on the object', '1765000000.00000', undefined, false],
  ];
  for (const [name, note, object, expected] of table) test(name, () => assert.equal(writtenTogether(note, object), expected));
});
