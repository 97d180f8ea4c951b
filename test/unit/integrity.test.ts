import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChecksumError } from '../../src/index.js';
import { checkDigest, downloadDigest, etagIsContentMd5, isMd5, md5Hex, parseEtag, uploadEtagComparable } from '../../src/http/integrity.js';

const MD5 = '5d41402abc4b2a76b9719d911017c592'; // md5('hello')

describe('integrity rules', () => {
  test('parseEtag strips surrounding quotes, however many', () => {
    for (const [raw, parsed] of [
      [MD5, MD5],
      [`"${MD5}"`, MD5],
      [`""${MD5}""`, MD5],
      ['', ''],
      [undefined, ''],
      ['"abc-3"', 'abc-3'],
    ] as const) {
      assert.equal(parseEtag(raw), parsed, String(raw));
    }
  });

  test('isMd5 and md5Hex', () => {
    assert.equal(md5Hex('hello'), MD5);
    assert.ok(isMd5(MD5));
    assert.ok(!isMd5(MD5.toUpperCase()));
    assert.ok(!isMd5(`${MD5}-2`));
    assert.ok(!isMd5(undefined));
  });

  // [headers, status, comparable digest]
  const downloads: Array<[string, Record<string, string>, number, string | undefined]> = [
    ['a plain object', { etag: MD5 }, 200, MD5],
    ['a quoted ETag', { etag: `"${MD5}"` }, 200, MD5],
    ['a range (206)', { etag: MD5, 'content-range': 'bytes 0-1/5' }, 206, undefined],
    ['a Content-Range on a 200', { etag: MD5, 'content-range': 'bytes 0-4/5' }, 200, undefined],
    ['an SLO', { etag: `"${MD5}"`, 'x-static-large-object': 'True' }, 200, undefined],
    ['a DLO', { etag: `"${MD5}"`, 'x-object-manifest': 'c/p' }, 200, undefined],
    ['an ETag that is no MD5 (an object the proxy could not decrypt, a foreign store)', { etag: 'abc' }, 200, undefined],
    ['no ETag', {}, 200, undefined],
  ];
  for (const [name, headers, status, expected] of downloads) {
    test(`downloadDigest: ${name}`, () => {
      assert.equal(downloadDigest(headers, status), expected);
      assert.equal(etagIsContentMd5(headers), expected !== undefined || status === 206 || 'content-range' in headers);
    });
  }

  // [query, request headers, response ETag, comparable]
  const uploads: Array<[string, string | undefined, Record<string, string>, string | undefined, boolean]> = [
    ['a plain PUT', undefined, {}, MD5, true],
    ['a quoted answer', undefined, {}, `"${MD5}"`, true],
    ['an SLO manifest PUT', 'multipart-manifest=put', {}, MD5, false],
    ['a version restore', 'version-id=123', {}, MD5, false],
    ['a DLO manifest', undefined, { 'x-object-manifest': 'c/p' }, MD5, false],
    ['a server-side copy', undefined, { 'x-copy-from': '/c/o' }, MD5, false],
    ['an answer that is no MD5', undefined, {}, 'abc', false],
    ['no ETag in the answer', undefined, {}, undefined, false],
  ];
  for (const [name, query, headers, etag, expected] of uploads) {
    test(`uploadEtagComparable: ${name}`, () => {
      assert.equal(uploadEtagComparable(query, headers, etag), expected);
    });
  }

  test('checkDigest throws a ChecksumError with both digests and the object', () => {
    assert.doesNotThrow(() => checkDigest(MD5, MD5, { message: () => 'never' }));
    assert.throws(
      () => checkDigest(MD5, 'x', { container: 'c', object: 'o', message: (e, a) => `want ${e} got ${a}` }),
      (err: unknown) =>
        err instanceof ChecksumError &&
        err.code === 'CHECKSUM' &&
        err.name === 'ClientException' &&
        err.message === `want ${MD5} got x` &&
        err.expected === MD5 &&
        err.actual === 'x' &&
        err.container === 'c' &&
        err.object === 'o',
    );
  });
});
