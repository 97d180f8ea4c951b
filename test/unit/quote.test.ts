import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quote } from '../../src/index.js';

test('quote matches python urllib.parse.quote with safe="/"', () => {
  assert.equal(quote('a b'), 'a%20b');
  assert.equal(quote('/x/y'), '/x/y');
  assert.equal(quote('%?#+&='), '%25%3F%23%2B%26%3D');
  assert.equal(quote('ü'), '%C3%BC');
  assert.equal(quote('👍'), '%F0%9F%91%8D');
  assert.equal(quote('A-z_0.9~'), 'A-z_0.9~');
  assert.equal(quote('a/b', ''), 'a%2Fb');
});
