/**
 * Bad input: refused with a clear ClientException before anything is sent
 * (checked with the fault proxy's request log), and server-side refusals
 * surfacing with their status and the server's message.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ClientException, Connection, type ConnectionOptions } from '../../src/index.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { connect, purgeContainer, SWIFT, unique } from '../helpers/env.js';

let proxy: FaultProxy;
let direct: Connection;
let token: string;
let container: string;
const toPurge: string[] = [];

function viaProxy(overrides: ConnectionOptions = {}): Connection {
  return connect({ preauthUrl: proxy.storageUrl(), preauthToken: token, startingBackoff: 0.2, maxBackoff: 1, retries: 8, ...overrides });
}

/**
 * Calls `call` (which must not throw synchronously), expects a rejected
 * ClientException whose message matches, and that nothing reached the wire.
 */
async function refusedLocally(call: () => Promise<unknown>, message: RegExp, allowed: string[] = []): Promise<ClientException> {
  proxy.reset();
  let promise: Promise<unknown> | undefined;
  assert.doesNotThrow(() => {
    promise = call();
  }, 'methods never throw synchronously');
  assert.ok(promise instanceof Promise);
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ClientException, `expected a ClientException, got ${String(caught)}`);
  assert.match(caught.message, message);
  assert.equal(caught.httpStatus, undefined);
  assert.deepEqual(
    proxy.requests.map((r) => `${r.method} ${r.path}`),
    allowed,
    'nothing was sent',
  );
  return caught;
}

async function refusedByServer(call: () => Promise<unknown>, status: number, content: RegExp): Promise<ClientException> {
  proxy.reset();
  let caught: unknown;
  try {
    await call();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ClientException, `expected a ClientException, got ${String(caught)}`);
  assert.equal(caught.httpStatus, status);
  assert.match(caught.httpResponseContent, content);
  assert.ok(caught.message.includes(String(status)), caught.message);
  assert.ok(caught.transactionId?.startsWith('tx'), 'the transaction id is kept');
  // Counted by status: a re-auth (401) or a reconnect caused by a restart in
  // a test file running in parallel must not make this flaky.
  assert.equal(proxy.requests.filter((r) => r.status === status).length, 1, `${status} is not retried`);
  assert.equal(proxy.requests.at(-1)?.status, status);
  return caught;
}

before(async () => {
  proxy = await FaultProxy.start();
  direct = connect({ retries: 8, startingBackoff: 0.2, maxBackoff: 2 });
  [, token] = await direct.getAuth();
  container = unique('rel-badin');
  await direct.putContainer(container);
  toPurge.push(container);
});

after(async () => {
  for (const name of toPurge) await purgeContainer(direct, name);
  await direct.close();
  await proxy.close();
});

beforeEach(() => proxy.reset());

describe('refused before anything is sent', () => {
  const conn = (): Connection => viaProxy();

  test('container names: empty, with "/", over 256 bytes', async () => {
    const c = conn();
    await refusedLocally(() => c.putContainer(''), /Container name/);
    await refusedLocally(() => c.headContainer(''), /Container name/);
    await refusedLocally(() => c.putContainer('a/b'), /must not contain "\/"/);
    await refusedLocally(() => c.getContainer('/leading'), /must not contain "\/"/);
    // Over Swift's default: the limit is read from /info once, then applied.
    await refusedLocally(() => c.putContainer('c'.repeat(257)), /256-byte limit/, ['GET /info']);
    // 129 characters but 258 bytes of UTF-8: the limit is in bytes
    await refusedLocally(() => c.postContainer('é'.repeat(129), { 'x-container-meta-a': '1' }), /256-byte limit/);
    await refusedLocally(() => c.putObject('a/b', 'o', 'x'), /must not contain "\/"/);
    await c.close();
  });

  test('object names: empty, over 1024 bytes', async () => {
    const c = conn();
    await refusedLocally(() => c.putObject(container, '', 'x'), /Object name/);
    await refusedLocally(() => c.getObject(container, ''), /Object name/);
    await refusedLocally(() => c.putObject(container, 'o'.repeat(1025), 'x'), /1024-byte limit/, ['GET /info']);
    await refusedLocally(() => c.headObject(container, '€'.repeat(342)), /1024-byte limit/);
    await refusedLocally(() => c.deleteObject(container, 'x'.repeat(5000)), /1024-byte limit/);
    await c.close();
  });

  test('name limits come from /info: a cluster that raises them gets the longer names', async () => {
    const info = JSON.stringify({ swift: { max_object_name_length: 2048, max_container_name_length: 512 } });
    proxy.add({ method: 'GET', path: '/info', fault: { type: 'status', status: 200, headers: { 'content-type': 'application/json' }, body: info } });
    const c = conn();
    // Within the cluster's (claimed) limit: sent, and the real Swift, whose
    // limit is 1024, refuses it with its own 400.
    const refused = await c.putObject(container, 'n'.repeat(1500), 'x').then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(refused instanceof ClientException, String(refused));
    assert.equal(refused.httpStatus, 400);
    assert.deepEqual(
      proxy.requests.map((r) => `${r.method} ${r.path.split('/').length > 3 ? 'object' : r.path}`),
      ['GET /info', 'PUT object'],
    );
    // Over the cluster's limit: refused locally, /info is not read again.
    await refusedLocally(() => c.putObject(container, 'n'.repeat(2049), 'x'), /2048-byte limit/);
    await refusedLocally(() => c.headContainer('c'.repeat(513)), /512-byte limit/);
    await c.close();
  });

  test('name limits: getCapabilities teaches the connection, a cluster without /info keeps the defaults', async () => {
    const c = conn();
    proxy.add({ method: 'GET', path: '/info', fault: { type: 'status', status: 200, body: JSON.stringify({ swift: { max_object_name_length: 1100 } }) } });
    assert.equal((await c.getCapabilities()).swift?.max_object_name_length, 1100);
    await refusedLocally(() => c.putObject(container, 'o'.repeat(1101), 'x'), /1100-byte limit/);
    await c.close();

    const d = conn();
    const withoutInfo = (): Promise<unknown> => {
      proxy.add({ method: 'GET', path: '/info', fault: { type: 'status', status: 404 } });
      return d.putObject(container, 'o'.repeat(1025), 'x');
    };
    await refusedLocally(withoutInfo, /1024-byte limit/, ['GET /info']);
    assert.equal(proxy.pendingRules, 0, 'the 404 answered the /info read');
    await refusedLocally(() => d.putObject(container, 'o'.repeat(1025), 'x'), /1024-byte limit/);
    await d.close();
  });

  test('name limits: while /info does not answer the server decides, and a caller can abort the wait', async () => {
    const c = conn();
    proxy.reset();
    proxy.add({ method: 'GET', path: '/info', fault: { type: 'status', status: 503 } });
    const refused = await c.putObject(container, 'u'.repeat(1025), 'x').then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(refused instanceof ClientException, String(refused));
    assert.equal(refused.httpStatus, 400, "the server's own refusal");
    assert.deepEqual(
      proxy.requests.map((r) => `${r.method} ${r.path.startsWith('/info') ? '/info' : 'object'}`),
      ['GET /info', 'PUT object'],
      '/info read in one try (no retry of its 503), then the PUT sent',
    );

    // /info stalls: an aborted call rejects with its own reason at once.
    proxy.reset();
    proxy.add({ method: 'GET', path: '/info', fault: { type: 'stall', seconds: 30, then: 'close' } });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('caller gave up')), 200);
    await assert.rejects(c.headObject(container, 'u'.repeat(1025), { signal: controller.signal }), /caller gave up/);
    assert.ok(Date.now() - started < 5000, 'did not wait for /info');
    assert.deepEqual(proxy.seen('GET', '/info').length, 1, '/info asked again after the 503');
    await c.close();
  });

  test('CR, LF, NUL and other control characters in header values', async () => {
    const c = conn();
    const values = ['a\r\nx-injected: 1', 'a\nb', 'a\rb', 'a\u0000b', 'a\u0007b', 'a\u007fb', '\r\n'];
    for (const value of values) {
      await refusedLocally(() => c.putObject(container, 'hdr', 'x', { headers: { 'x-object-meta-a': value } }), /x-object-meta-a.*control character/);
      await refusedLocally(() => c.postContainer(container, { 'x-container-meta-a': value }), /control character/);
      await refusedLocally(() => c.getObject(container, 'hdr', { headers: { range: value } }), /control character/);
    }
    await c.close();
  });

  test(
    'CR/LF in the contentType and etag options: refused like any header, without retries',
    async () => {
      const c = viaProxy({ retries: 2, startingBackoff: 0.01 });
      for (const options of [{ contentType: 'text/plain\r\nx-evil: 1' }, { contentType: 'a\u0000b' }, { etag: 'abc\r\nx-evil: 1' }]) {
        await refusedLocally(() => c.putObject(container, 'hdr', 'x', options), /Invalid value for header "(content-type|etag)"/);
        assert.equal(c.attempts, 0, `${JSON.stringify(options)}: refused before any try`);
      }
      await c.close();
    },
  );

  test('header names that are not HTTP tokens', async () => {
    const c = conn();
    const names = ['bad name', 'x-meta:colon', 'naïve', '', 'x-meta\n', 'x-a\r\nx-b', 'x(y)', 'x/y', 'x"y', 'x-meta\u0000'];
    for (const name of names) {
      await refusedLocally(() => c.putObject(container, 'hdr', 'x', { headers: { [name]: 'v' } }), /Invalid header name/);
      await refusedLocally(() => c.headAccount({ headers: { [name]: 'v' } }), /Invalid header name/);
    }
    await c.close();
  });

  test('header values of unsupported types', async () => {
    const c = conn();
    for (const value of [{}, [], Symbol('s'), () => 'x'] as unknown[]) {
      await refusedLocally(
        () => c.postObject(container, 'hdr', { 'x-object-meta-a': value as string }),
        /expected a string, number or boolean/,
      );
    }
    await c.close();
  });

  test('negative, fractional, NaN and infinite contentLength', async () => {
    const c = conn();
    for (const contentLength of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0.5, 2 ** 60]) {
      await refusedLocally(() => c.putObject(container, 'len', 'abc', { contentLength }), /contentLength/);
      await refusedLocally(() => c.putObject(container, 'len', Readable.from(['abc']), { contentLength }), /contentLength/);
    }
    for (const value of ['-1', 'abc', '1.5', '-0.5', 'NaN']) {
      await refusedLocally(() => c.putObject(container, 'len', 'abc', { headers: { 'content-length': value } }), /Content-Length/);
    }
    // more than the contents hold
    await refusedLocally(() => c.putObject(container, 'len', 'abc', { contentLength: 4 }), /larger than/);
    await refusedLocally(() => c.putObject(container, 'len', Buffer.from('abc'), { contentLength: 4 }), /larger than/);
    await refusedLocally(() => c.putObject(container, 'len', ['ab', Buffer.from('c')], { contentLength: 4 }), /larger than/);
    await c.close();
  });

  test(
    'an empty or blank Content-Length header is refused, not read as 0 (which drops the body)',
    async () => {
      const c = conn();
      for (const value of ['', ' ']) {
        await refusedLocally(() => c.putObject(container, 'len-blank', 'abc', { headers: { 'content-length': value } }), /Content-Length/);
      }
      await c.close();
    },
  );

  test('unsupported contents types', async () => {
    const c = conn();
    for (const contents of [42, true, { not: 'a body' }] as unknown[]) {
      await refusedLocally(() => c.putObject(container, 'kind', contents as string), /Unsupported contents type/);
    }
    await c.close();
  });

  test('chunks that are not bytes or text, in an array or an iterable', async () => {
    const c = conn();
    await refusedLocally(() => c.putObject(container, 'chunks', [1, 2, 3] as unknown as string[]), /Unsupported chunk in upload contents: \[object Number\]/);
    await refusedLocally(
      () => c.putObject(container, 'chunks', [{ a: 1 }] as unknown as string[], { contentLength: 1 }),
      /Unsupported chunk in upload contents: \[object Object\]/,
    );
    // Found while streaming: the request has started, but no object is stored.
    const err = await c.putObject(container, 'chunks-late', (function* () { yield 'a'; yield 5 as unknown as string; })()).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ClientException);
    assert.match(err.message, /Unsupported chunk in upload contents: \[object Number\]/);
    await assert.rejects(direct.headObject(container, 'chunks-late'), (e: ClientException) => e.httpStatus === 404);
    await c.close();
  });

  test('lone surrogates, which have no UTF-8 form, in names, header values and query strings', async () => {
    const c = conn();
    await refusedLocally(() => c.putObject(container, 'a\uD800b', 'x'), /Object name .* lone surrogate/);
    await refusedLocally(() => c.headContainer('c\uDC00'), /Container name .* lone surrogate/);
    await refusedLocally(() => c.postObject(container, 'o', { 'x-object-meta-a': 'v\uD800' }), /header "x-object-meta-a": it holds a lone surrogate/);
    await refusedLocally(() => c.getContainer(container, { queryString: 'prefix=\uD800' }), /queryString .* lone surrogate/);
    await c.close();
  });

  test('headers that are not an object of names to values', async () => {
    const c = conn();
    for (const headers of [5, 'x-a: 1', [['x-a', '1']], true] as unknown[]) {
      await refusedLocally(() => c.headAccount({ headers: headers as Record<string, string> }), /Invalid headers/);
      await refusedLocally(() => c.postObject(container, 'o', headers as Record<string, string>), /Invalid headers/);
    }
    await refusedLocally(() => c.getContainer(container, { queryString: 5 as unknown as string }), /queryString must be a string/);
    await c.close();
  });

  test('bad listing limit', async () => {
    const c = conn();
    for (const limit of [-1, 1.5, Number.NaN]) {
      await refusedLocally(() => c.getContainer(container, { limit }), /Invalid limit/);
      await refusedLocally(() => c.getAccount({ limit }), /Invalid limit/);
    }
    await c.close();
  });

  test('unknown authVersion', async () => {
    for (const authVersion of ['4', '0', 'v3', '3.1', 4] as const) {
      const c = new Connection({ authUrl: `${proxy.origin}/auth/v1.0`, user: SWIFT.user, key: SWIFT.key, authVersion });
      await refusedLocally(() => c.headAccount(), /Unknown auth_version/);
      await refusedLocally(() => c.getAuth(), /Unknown auth_version/);
      await c.close();
    }
  });

  test('malformed URLs and unsupported schemes', async () => {
    const port = proxy.port;
    const preauth = ['not a url', `ftp://127.0.0.1:${port}/v1/AUTH_test`, 'file:///v1/AUTH_test', `127.0.0.1:${port}/v1/AUTH_test`, 'http:// /v1'];
    for (const preauthUrl of preauth) {
      const c = new Connection({ preauthUrl, preauthToken: token, retries: 2, startingBackoff: 0.01 });
      await refusedLocally(() => c.headAccount(), /Invalid URL|Unsupported scheme/);
      await refusedLocally(() => c.putObject('c', 'o', 'data'), /Invalid URL|Unsupported scheme/);
      assert.equal(c.attempts, 1, `${preauthUrl}: not retried`);
      await c.close();
    }
    for (const authUrl of ['not a url', `ftp://127.0.0.1:${port}/auth/v1.0`, 'http://']) {
      const c = new Connection({ authUrl, user: SWIFT.user, key: SWIFT.key, retries: 2, startingBackoff: 0.01 });
      await refusedLocally(() => c.getAuth(), /Invalid URL|Unsupported scheme/);
      await c.close();
    }
  });

  test(
    'a storage URL without a host is refused, not completed by the container name',
    async () => {
      // the container name becomes the host: 127.0.0.1 keeps any stray request local
      const c = new Connection({ preauthUrl: 'http://', preauthToken: token, retries: 0 });
      await refusedLocally(() => c.putObject('127.0.0.1', 'o', 'data'), /Invalid URL/);
      await c.close();
    },
  );

  test('no credentials at all', async () => {
    const c = new Connection({ retries: 1, startingBackoff: 0.01 });
    await refusedLocally(() => c.headAccount(), /No authUrl/);
    await c.close();
  });
});

describe('refused by the server, with status and message', () => {
  test('too much metadata: 400 with the server message', async () => {
    const c = viaProxy();
    const headers: Record<string, string> = {};
    for (let i = 0; i < 100; i += 1) headers[`x-object-meta-m${i}`] = 'v'.repeat(300);
    await refusedByServer(() => c.putObject(container, 'meta', 'x', { headers }), 400, /Metadata value longer than 256|Too many metadata items/);
    const few: Record<string, string> = {};
    for (let i = 0; i < 100; i += 1) few[`x-container-meta-k${i}`] = 'v';
    await refusedByServer(() => c.postContainer(container, few), 400, /Too many metadata items; max 90/);
    await refusedByServer(
      () => c.postContainer(container, { [`x-container-meta-${'n'.repeat(200)}`]: 'v' }),
      400,
      /Metadata name too long/,
    );
    const gone = await direct.headObject(container, 'meta').catch((err: unknown) => err);
    assert.ok(gone instanceof ClientException && gone.httpStatus === 404, 'the refused object was not stored');
    await c.close();
  });

  test('unknown storage policy on putContainer: 400', async () => {
    const c = viaProxy();
    const name = unique('rel-policy');
    toPurge.push(name);
    await refusedByServer(() => c.putContainer(name, { headers: { 'x-storage-policy': 'no-such-policy' } }), 400, /Invalid X-Storage-Policy/);
    const gone = await direct.headContainer(name).catch((err: unknown) => err);
    assert.ok(gone instanceof ClientException && gone.httpStatus === 404, 'no container was created');
    await c.close();
  });

  test('container quota exceeded: 413', async () => {
    const c = viaProxy();
    const name = unique('rel-quota');
    toPurge.push(name);
    await direct.putContainer(name, { headers: { 'x-container-meta-quota-bytes': '10' } });
    const data = randomBytes(100);
    const err = await refusedByServer(() => c.putObject(name, 'big', data), 413, /quota/i);
    assert.equal(err.httpPath, `/v1/AUTH_test/${name}/big`);
    // below the quota is fine
    await c.putObject(name, 'small', randomBytes(5));
    const [, list] = await direct.getContainer(name);
    assert.deepEqual(
      list.map((o) => o.name),
      ['small'],
    );
    await c.close();
  });
});
