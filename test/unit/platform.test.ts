// The platform seam's two sides agree: Web Crypto's signatures equal
// node:crypto's, hash-wasm's shared MD5 equals node:crypto's, and where no
// synchronous HMAC exists the sync signers name their async variants.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { isIPv4 as nodeIsIPv4 } from 'node:net';
import { describe, test } from 'node:test';
import { ClientException } from '../../src/index.js';
import {
  generateFormPost,
  generateFormPostAsync,
  generateTempUrl,
  generateTempUrlAsync,
  signTempUrl,
  signTempUrlAsync,
  type FormPostOptions,
  type TempUrlDigest,
  type TempUrlOptions,
} from '../../src/extras.js';
import { isIPv4 } from '../../src/http/proxy.js';
import { platform, setPlatform } from '../../src/platform/index.js';
import { nodePlatform } from '../../src/platform/node.js';

const DIGESTS: TempUrlDigest[] = ['sha1', 'sha256', 'sha512'];
const NOW = 1_700_000_000;

describe('temp URL: generateTempUrlAsync (Web Crypto) gives what generateTempUrl (node:crypto) gives', () => {
  const cases: Array<[string, string | Uint8Array, string | Uint8Array, string, TempUrlOptions]> = [
    ['object', '/v1/AUTH_a/c/o', 'secret', 'GET', {}],
    ['Unicode name and key', '/v1/AUTH_a/cönt/☃ ü/o', 'schlüssel ☃', 'PUT', {}],
    ['bytes path and key', new TextEncoder().encode('/v1/AUTH_a/c/ö'), randomBytes(40), 'HEAD', {}],
    ['prefix', '/v1/AUTH_a/c/pre', 'k', 'GET', { prefix: true }],
    ['ip range, ISO 8601 expiry', '/v1/AUTH_a/c/o', 'k', 'DELETE', { ipRange: '10.0.0.0/8', iso8601: true }],
    ['absolute time', '/v1/AUTH_a/c/o', 'k', 'POST', { absolute: true }],
    ['a key longer than a SHA-512 block', '/v1/AUTH_a/c/o', 'k'.repeat(300), 'GET', {}],
  ];
  for (const digest of DIGESTS) {
    for (const [name, path, key, method, options] of cases) {
      test(`${digest}: ${name}`, async () => {
        const opts = { ...options, digest, now: NOW };
        const seconds = options.absolute ? NOW + 60 : 3600;
        const sync = generateTempUrl(path as string, seconds, key, method, opts);
        const viaWeb = await generateTempUrlAsync(path as string, seconds, key, method, opts);
        assert.deepEqual(viaWeb, sync);
        assert.equal(typeof path === 'string', typeof viaWeb === 'string', 'bytes in, bytes out');
        assert.deepEqual(await signTempUrlAsync(path, seconds, key, method, opts), signTempUrl(path, seconds, key, method, opts));
      });
    }
  }

  test('bad input: the same ClientException, rejected instead of thrown', async () => {
    for (const args of [
      ['/v1/AUTH_a/c', 60, 'k', 'GET'],
      ['/v1/AUTH_a/c/o', 'soon', 'k', 'GET'],
      ['/v1/AUTH_a/c/o', 60, 'k\ud800', 'GET'],
    ] as const) {
      let thrown: unknown;
      try {
        generateTempUrl(...args);
      } catch (err) {
        thrown = err;
      }
      assert.ok(thrown instanceof ClientException);
      await assert.rejects(generateTempUrlAsync(...args), { name: 'ClientException', message: thrown.message });
    }
  });
});

describe('form POST: generateFormPostAsync gives what generateFormPost gives', () => {
  const base: FormPostOptions = { path: '/v1/AUTH_a/c/up-ü/', key: 'k☃', seconds: 600, maxFileSize: 1 << 20, maxFileCount: 3, now: NOW };
  for (const digest of DIGESTS) {
    for (const signatureEncoding of ['hex', 'base64'] as const) {
      test(`${digest}, ${signatureEncoding}`, async () => {
        const options: FormPostOptions = { ...base, digest, signatureEncoding, redirect: 'https://app.example/done', deleteAfter: 60 };
        assert.deepEqual(await generateFormPostAsync(options), generateFormPost(options));
      });
    }
  }
  test('bad input rejects with the same message', async () => {
    const bad = { ...base, maxFileCount: -1 };
    assert.throws(() => generateFormPost(bad), /maxFileCount must be a non-negative whole number/);
    await assert.rejects(generateFormPostAsync(bad), /maxFileCount must be a non-negative whole number/);
  });
});

describe('a platform with Web Crypto only (browsers, workers)', () => {
  test('the sync signers refuse with BAD_INPUT naming the async variant; the async ones sign', async (t) => {
    setPlatform({ ...nodePlatform, hmac: undefined });
    t.after(() => setPlatform(nodePlatform));
    assert.throws(() => generateTempUrl('/v1/AUTH_a/c/o', 60, 'k', 'GET'), (err: unknown) => {
      assert.ok(err instanceof ClientException);
      assert.equal(err.code, 'BAD_INPUT');
      assert.match(err.message, /generateTempUrlAsync/);
      return true;
    });
    assert.throws(() => generateFormPost({ path: '/v1/AUTH_a/c', key: 'k', seconds: 60, maxFileSize: 1, maxFileCount: 1 }), /generateFormPostAsync/);
    assert.match(await generateTempUrlAsync('/v1/AUTH_a/c/o', 60, 'k', 'GET', { now: NOW }), /^\/v1\/AUTH_a\/c\/o\?temp_url_sig=[0-9a-f]{64}&temp_url_expires=1700000060$/);
  });
});

describe("the browser platform's MD5 (hash-wasm, one WebAssembly hasher shared by save/load)", () => {
  test('interleaved hashes equal node:crypto MD5s', async (t) => {
    const { webPlatform } = await import('../../src/platform/web.js');
    t.after(() => setPlatform(nodePlatform));
    assert.equal(platform(), webPlatform, 'loading the browser platform registers it');
    await webPlatform.ready;
    const a = webPlatform.md5();
    const b = webPlatform.md5();
    const expectA = createHash('md5');
    const expectB = createHash('md5');
    for (let i = 0; i < 50; i += 1) {
      const chunk = randomBytes(1 + ((i * 7919) % 70_000));
      a.update(chunk);
      expectA.update(chunk);
      if (i % 3 === 0) {
        b.update(`ü☃${i}`);
        expectB.update(`ü☃${i}`, 'utf8');
      }
    }
    assert.equal(a.digest('hex'), expectA.digest('hex'));
    assert.equal(b.digest('hex'), expectB.digest('hex'));
    assert.equal(webPlatform.md5().digest('hex'), 'd41d8cd98f00b204e9800998ecf8427e', 'MD5 of nothing');
  });
});

describe('isIPv4 (portable) agrees with node:net', () => {
  const inputs = ['1.2.3.4', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1.2.3.-4', ' 1.2.3.4', '::1', 'a.b.c.d', '10.0.0.0/8', '', '1..2.3'];
  for (const input of inputs) test(JSON.stringify(input), () => assert.equal(isIPv4(input), nodeIsIPv4(input)));
});
