// The Content-Range check every ranged or resumed read goes through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseContentRange, rangeStartsAt } from '../../src/http/content-range.js';

test('parseContentRange: the range of a 206, or undefined for anything else', () => {
  const table: Array<[string | undefined, ReturnType<typeof parseContentRange>]> = [
    ['bytes 0-9/10', { first: 0, last: 9, length: 10 }],
    ['bytes 100-199/1000', { first: 100, last: 199, length: 1000 }],
    [' bytes 5-5/6 ', { first: 5, last: 5, length: 6 }],
    ['bytes 5-9/*', { first: 5, last: 9, length: undefined }],
    ['bytes 9-5/10', undefined], // ends before it starts
    ['bytes 5-10/10', undefined], // past the object's end
    ['bytes */10', undefined], // a 416's answer
    ['items 0-9/10', undefined],
    ['bytes 0-9', undefined],
    ['bytes -5-9/10', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [header, want] of table) assert.deepEqual(parseContentRange(header), want, String(header));
});

test('rangeStartsAt: the first byte, and with a total, the rest of the object', () => {
  const table: Array<[string | undefined, number, number | undefined, boolean]> = [
    ['bytes 100-999/1000', 100, undefined, true],
    ['bytes 100-999/1000', 100, 1000, true],
    ['bytes 100-499/1000', 100, undefined, true], // a segment's part: only the start is asked about
    ['bytes 100-499/1000', 100, 1000, false], // not to the end
    ['bytes 100-999/2000', 100, 1000, false], // another object's length
    ['bytes 0-999/1000', 100, 1000, false], // the whole object as a 206
    ['bytes 101-999/1000', 100, undefined, false],
    ['bytes 100-999/*', 100, 1000, false],
    [undefined, 0, undefined, false],
  ];
  for (const [header, first, total, want] of table) assert.equal(rangeStartsAt(header, first, total), want, `${header} from ${first} of ${total}`);
});
