import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quote } from '../../src/index.js';
import { requoteQuery } from '../../src/util/quote.js';

test('quote matches python urllib.parse.quote with safe="/"', () => {
  assert.equal(quote('a b'), 'a%20b');
  assert.equal(quote('/x/y'), '/x/y');
  assert.equal(quote('%?#+&='), '%25%3F%23%2B%26%3D');
  assert.equal(quote('ü'), '%C3%BC');
  assert.equal(quote('👍'), '%F0%9F%91%8D');
  assert.equal(quote('A-z_0.9~'), 'A-z_0.9~');
  assert.equal(quote('a/b', ''), 'a%2Fb');
});

test('requoteQuery sends a raw query string as python requests puts it on the wire', () => {
  // [input, what python-swiftclient 4.1 (requests + urllib3) sent]
  const table: Array<[string, string]> = [
    ['a=b', 'a=b'],
    ['%', '%25'],
    ['%zz', '%25zz'],
    ['%2', '%252'],
    ['%20', '%20'],
    ['a%2Fb', 'a%2Fb'],
    ['%41', 'A'],
    ['%7e', '~'],
    ['+', '+'],
    ['&', '&'],
    ['=', '='],
    ['a b', 'a%20b'],
    ['a\tb', 'a%09b'],
    ['ü', '%C3%BC'],
    ['😀', '%F0%9F%98%80'],
    ['a=%20&b=%zz', 'a=%2520&b=%25zz'],
    ['%%', '%25%25'],
    ['% 2', '%25%202'],
    ['x="q"', 'x=%22q%22'],
    ['x=<>', 'x=%3C%3E'],
    ['x={}|\\^`', 'x=%7B%7D%7C%5C%5E%60'],
    ['x=\u0001', 'x=%01'],
    ['a%2', 'a%252'],
    ['a%20b%2', 'a%2520b%252'],
    ['x=é%zz', 'x=%C3%A9%25zz'],
    ['[]', '%5B%5D'],
    ['x=~', 'x=~'],
    ['%E2%82', '%E2%82'],
    ['%e2%82', '%E2%82'],
    ['a%ZZb%20', 'a%25ZZb%2520'],
  ];
  for (const [input, wire] of table) assert.equal(requoteQuery(input), wire, JSON.stringify(input));
  // where python would cut the query at `#` (a fragment), we send it
  assert.equal(requoteQuery('a#b'), 'a%23b');
});

test('quote refuses a lone surrogate instead of sending U+FFFD', () => {
  assert.throws(() => quote('a\uD800'), /lone surrogate/);
  assert.equal(quote('😀'), '%F0%9F%98%80');
});
