// The note an overwrite stores of the old segments it orphans: what a note
// must hold to be acted on (anything else lists nothing to delete).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRetired, retiredNoteName } from '../../src/service/retired-segments.js';

const note = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

const table: Array<[string, Buffer, string[]]> = [
  ['a note of this object', note({ container: 'c', object: 'o/x', segments: ['c_segments/o/x/1/2/3/00000000', 'seg/a'] }), ['c_segments/o/x/1/2/3/00000000', 'seg/a']],
  ["another container's object of the same name", note({ container: 'd', object: 'o/x', segments: ['seg/a'] }), []],
  ['another object', note({ container: 'c', object: 'o', segments: ['seg/a'] }), []],
  ['paths without a container or a name are left out', note({ container: 'c', object: 'o/x', segments: ['nocontainer', '/x', 'seg/', 7, 'seg/b'] }), ['seg/b']],
  ['no segment list', note({ container: 'c', object: 'o/x' }), []],
  ['not JSON', Buffer.from('<html>'), []],
  ['JSON null', Buffer.from('null'), []],
];

for (const [name, body, expected] of table) {
  test(`parseRetired: ${name}`, () => assert.deepEqual(parseRetired(body, 'c', 'o/x'), expected));
}

test('the note of each container and object has a name of its own, outside any segment prefix', () => {
  assert.equal(retiredNoteName('c', 'o/x'), '.swiftclient-retired/c/o/x');
  assert.notEqual(retiredNoteName('c', 'o'), retiredNoteName('d', 'o'));
});
