import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClientException } from '../../src/index.js';
import {
  checkHeader,
  decodeHeaderValue,
  decodeResponseHeaders,
  encodeForWire,
  hasHeader,
  isUserAgentName,
  mergeHeaders,
  withDefaultUserAgent,
} from '../../src/http/headers.js';

describe('mergeHeaders', () => {
  test('lower-cases names; later sets win whatever the case', () => {
    assert.deepEqual(mergeHeaders({ 'Content-Type': 'text/plain', 'X-Object-Meta-Color': 'red' }), {
      'content-type': 'text/plain',
      'x-object-meta-color': 'red',
    });
    assert.deepEqual(mergeHeaders({ 'Content-Type': 'a', 'x-keep': '1' }, { 'content-type': 'b' }, { 'CONTENT-TYPE': 'c' }), {
      'content-type': 'c',
      'x-keep': '1',
    });
    assert.deepEqual(mergeHeaders({ 'X-A': '1', 'x-a': '2' }), { 'x-a': '2' });
  });

  test('stringifies numbers and booleans as JavaScript does', () => {
    assert.deepEqual(mergeHeaders({ int: 123, float: 45.67, no: false, yes: true, zero: 0, neg: -1.5 }), {
      int: '123',
      float: '45.67',
      no: 'false',
      yes: 'true',
      zero: '0',
      neg: '-1.5',
    });
  });

  test('drops null and undefined values and undefined sets', () => {
    assert.deepEqual(mergeHeaders({ a: null, b: undefined, c: '' }, undefined, { d: 'x' }), { c: '', d: 'x' });
    assert.deepEqual(mergeHeaders(), {});
  });

  test('keeps Unicode values and HTAB as they are', () => {
    assert.deepEqual(mergeHeaders({ 'x-object-meta-uni': 'ت 👍 ü', 'x-tab': 'a\tb' }), {
      'x-object-meta-uni': 'ت 👍 ü',
      'x-tab': 'a\tb',
    });
  });

  test('rejects CR, LF, NUL, DEL and other control characters in values, naming the header', () => {
    for (const value of ['a\r\nb', 'a\nb', 'a\rb', 'a\u0000b', 'a\u0001b', 'a\u001fb', 'a\u007fb', '\n']) {
      assert.throws(
        () => mergeHeaders({ 'x-ok': 'fine' }, { 'X-Object-Meta-Bad': value }),
        (err: unknown) => {
          assert.ok(err instanceof ClientException);
          assert.ok(err.message.includes('X-Object-Meta-Bad'), err.message);
          return true;
        },
        JSON.stringify(value),
      );
    }
  });

  test('rejects names that are not HTTP tokens, naming the header', () => {
    for (const name of ['x-object-meta-👍', 'x-object-meta-ü', 'with space', 'colon:', 'a\r\nb', 'tab\t', '(paren)', 'a/b', 'a@b', 'q"uote']) {
      assert.throws(
        () => mergeHeaders({ [name]: 'v' }),
        (err: unknown) => {
          assert.ok(err instanceof ClientException);
          assert.ok(err.message.includes(JSON.stringify(name)) || err.message.includes(name), err.message);
          return true;
        },
        name,
      );
    }
    assert.throws(() => mergeHeaders({ '': 'v' }), ClientException);
  });

  test('accepts every token character in names', () => {
    const name = "!#$%&'*+-.^_`|~09AZaz";
    assert.deepEqual(mergeHeaders({ [name]: 'v' }), { [name.toLowerCase()]: 'v' });
  });

  test('rejects values that are not string, number or boolean', () => {
    for (const value of [{}, [], Symbol('s'), 10n, () => 'x']) {
      assert.throws(
        () => mergeHeaders({ 'x-thing': value as unknown as string }),
        (err: unknown) => err instanceof ClientException && err.message.includes('x-thing'),
      );
    }
  });
});

describe('checkHeader', () => {
  test('passes good headers, throws on bad ones', () => {
    assert.doesNotThrow(() => checkHeader('x-object-meta-a', 'ü value'));
    assert.throws(() => checkHeader('x-a', 'a\nb'), ClientException);
    assert.throws(() => checkHeader('x a', 'v'), ClientException);
  });
});

describe('encodeForWire / decodeHeaderValue', () => {
  const samples = ['plain ascii', 'ü', 'ت', '👍 thumbs', 'mixed ü ت 👍 «»', 'café', '\u00ff\u0100', ''];

  test('ASCII values are untouched', () => {
    assert.deepEqual(encodeForWire({ a: 'plain', b: '' }), { a: 'plain', b: '' });
    assert.equal(decodeHeaderValue('plain'), 'plain');
  });

  test('non-ASCII values become the latin1 string of their UTF-8 bytes', () => {
    const wire = encodeForWire({ 'x-uni': 'ü👍' });
    assert.equal(wire['x-uni'], '\u00c3\u00bc\u00f0\u009f\u0091\u008d');
    assert.deepEqual(Buffer.from(wire['x-uni'] as string, 'latin1'), Buffer.from('ü👍', 'utf8'));
    for (const ch of wire['x-uni'] as string) assert.ok(ch.charCodeAt(0) <= 0xff);
  });

  test('UTF-8 round trip', () => {
    for (const value of samples) {
      const wire = encodeForWire({ v: value }).v as string;
      assert.equal(decodeHeaderValue(wire), value, JSON.stringify(value));
    }
  });

  test('a latin1 value that is not valid UTF-8 is returned unchanged', () => {
    assert.equal(decodeHeaderValue('caf\u00e9'), 'caf\u00e9');
    assert.equal(decodeHeaderValue('\u00ff\u00fe'), '\u00ff\u00fe');
  });

  test('does not change the names', () => {
    assert.deepEqual(Object.keys(encodeForWire({ 'X-Mixed': 'ü', b: 'c' })), ['X-Mixed', 'b']);
  });
});

describe("the User-Agent rule: the caller's wins, else the agent is added", () => {
  const plain = { 'x-auth-token': 't' };
  const cases: Array<[string, Record<string, string>, string | undefined, Record<string, string>]> = [
    ['none named: the agent is added', plain, 'tool/2', { 'x-auth-token': 't', 'user-agent': 'tool/2' }],
    ["the caller's wins", { ...plain, 'user-agent': 'mine/1' }, 'tool/2', { ...plain, 'user-agent': 'mine/1' }],
    ["the caller's wins whatever its case", { 'User-Agent': 'mine/1' }, 'tool/2', { 'User-Agent': 'mine/1' }],
    ["the caller's wins in upper case too", { 'USER-AGENT': 'mine/1' }, 'tool/2', { 'USER-AGENT': 'mine/1' }],
    ["the caller's empty one wins", { 'user-agent': '' }, 'tool/2', { 'user-agent': '' }],
    ['a name that only holds user-agent is not one', { 'x-user-agent': 'a', 'user-agents': 'b' }, 'tool/2', { 'x-user-agent': 'a', 'user-agents': 'b', 'user-agent': 'tool/2' }],
    ['no agent: the headers as they are', plain, undefined, plain],
    ['no headers: the agent alone', {}, 'tool/2', { 'user-agent': 'tool/2' }],
  ];
  for (const [name, headers, agent, expected] of cases) {
    test(name, () => {
      assert.deepEqual(withDefaultUserAgent(headers, agent), expected);
      // encodeForWire applies the same rule in its one pass
      assert.deepEqual(encodeForWire(headers, agent), encodeForWire(expected));
    });
  }

  test('the headers themselves when nothing is added; a copy otherwise', () => {
    const mine = { 'User-Agent': 'mine/1' };
    assert.equal(withDefaultUserAgent(mine, 'tool/2'), mine);
    assert.equal(withDefaultUserAgent(plain, undefined), plain);
    assert.notEqual(withDefaultUserAgent(plain, 'tool/2'), plain);
    assert.deepEqual(plain, { 'x-auth-token': 't' }, 'the input is not changed');
  });

  for (const [name, is] of [['user-agent', true], ['User-Agent', true], ['USER-AGENT', true], ['user_agent', false], ['x-user-agent', false], ['agent', false], ['', false]] as const) {
    test(`${JSON.stringify(name)} is ${is ? '' : 'not '}a User-Agent name`, () => assert.equal(isUserAgentName(name), is));
  }
});

describe('decodeResponseHeaders', () => {
  test('lower-cases names, joins repeated headers, decodes UTF-8, skips undefined', () => {
    const raw = {
      'X-Object-Meta-Uni': Buffer.from('ت', 'utf8').toString('latin1'),
      'Set-Cookie': ['a=1', 'b=2'],
      Etag: 'abc',
      'x-missing': undefined,
    };
    assert.deepEqual(decodeResponseHeaders(raw), {
      'x-object-meta-uni': 'ت',
      'set-cookie': 'a=1, b=2',
      etag: 'abc',
    });
  });
});

describe('hasHeader', () => {
  test('is case-insensitive and ignores null/undefined values', () => {
    assert.equal(hasHeader({ 'Content-Length': '5' }, 'content-length'), true);
    assert.equal(hasHeader({ 'content-length': 0 }, 'Content-Length'), true);
    assert.equal(hasHeader({ 'Content-Length': null }, 'content-length'), false);
    assert.equal(hasHeader({ 'Content-Length': undefined }, 'content-length'), false);
    assert.equal(hasHeader({ other: 'x' }, 'content-length'), false);
    assert.equal(hasHeader(undefined, 'content-length'), false);
  });
});
