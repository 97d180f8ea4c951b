// API.md behaviours beyond the python port, checked against the local Swift:
// errors (fields, messages, no secrets, never a synchronous throw), abort
// signals, and checks made before anything is sent.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ClientException, Connection, setDebugLog, type ObjectBody } from '../../src/index.js';
import { startCutProxy } from '../helpers/cut-proxy.js';
import { rejectsAsync, startContractSuite, type ContractSuite } from '../helpers/contract-suite.js';
import { SWIFT, connect, freePort, unique } from '../helpers/env.js';

let t: ContractSuite;
let conn: Connection;
let storageUrl: string;
let token: string;

before(async () => {
  t = await startContractSuite();
  ({ conn, storageUrl, token } = t);
});

after(() => t.close());

const newContainer = (suffix?: string, headers?: Record<string, string>): Promise<string> => t.newContainer(suffix, headers);

describe('errors', () => {
  let container: string;
  before(async () => {
    container = await newContainer();
  });

  test('ClientException fields and message layout of a 404', async () => {
    const err = await rejectsAsync(() => conn.getObject(container, 'missing-object'));
    assert.ok(err instanceof ClientException);
    assert.ok(err instanceof Error);
    const url = new URL(storageUrl);
    const path = `${url.pathname}/${container}/missing-object`;
    assert.equal(err.name, 'ClientException');
    assert.equal(err.msg, 'Object GET failed');
    assert.equal(err.httpStatus, 404);
    assert.equal(err.httpReason, 'Not Found');
    assert.equal(err.httpScheme, 'http');
    assert.equal(err.httpHost, url.hostname);
    assert.equal(Number(err.httpPort), Number(url.port));
    assert.equal(err.httpPath, path);
    assert.match(err.transactionId ?? '', /^tx[0-9a-f]{21}-[0-9a-f]{10}$/);
    assert.equal(err.transactionId, err.httpResponseHeaders?.['x-trans-id']);
    assert.match(err.httpResponseContent, /Not Found/);
    const base = `Object GET failed: http://${url.host}${path} 404 Not Found`;
    assert.ok(err.message.startsWith(base), err.message);
    const content = err.httpResponseContent;
    const excerpt = content.length <= 60 ? `   ${content}` : `  [first 60 chars of response] ${content.slice(0, 60)}`;
    assert.equal(err.message, `${base}${excerpt} (txn: ${err.transactionId})`);
    assert.equal(String(err), `ClientException: ${err.message}`);
  });

  test('errors of other calls name the call', async () => {
    const cases: Array<[string, () => Promise<unknown>, number]> = [
      ['Container HEAD failed', () => conn.headContainer(`${container}-missing`), 404],
      ['Container GET failed', () => conn.getContainer(`${container}-missing`), 404],
      ['Container DELETE failed', () => conn.deleteContainer(`${container}-missing`), 404],
      ['Object HEAD failed', () => conn.headObject(container, 'missing'), 404],
      ['Object DELETE failed', () => conn.deleteObject(container, 'missing'), 404],
      ['Object POST failed', () => conn.postObject(container, 'missing', {}), 404],
      ['Object COPY failed', () => conn.copyObject(container, 'missing'), 404],
      ['Object PUT failed', () => conn.putObject(`${container}-missing`, 'o', 'x'), 404],
    ];
    for (const [msg, call, status] of cases) {
      const err = await rejectsAsync(call);
      assert.ok(err instanceof ClientException);
      assert.equal(err.msg, msg);
      assert.equal(err.httpStatus, status);
      assert.ok(err.message.startsWith(`${msg}: http://`), err.message);
    }
    // A network failure names the call the same way.
    const refused = new Connection({ preauthUrl: `http://127.0.0.1:${await freePort()}/v1/AUTH_test`, preauthToken: 'x', retries: 0 });
    const err = await rejectsAsync(() => refused.headObject(container, 'o'));
    assert.ok(err instanceof ClientException);
    assert.equal(err.httpStatus, undefined);
    assert.match(err.msg, /^Object HEAD failed: .*ECONNREFUSED/);
    await refused.close();
  });

  test('the token never appears in an error', async () => {
    const bad = new Connection({ preauthUrl: storageUrl, preauthToken: `${token}x`, retries: 0 });
    const closedPort = await freePort();
    const unreachable = new Connection({
      preauthUrl: `http://127.0.0.1:${closedPort}/v1/AUTH_test`,
      preauthToken: token,
      retries: 0,
    });
    try {
      const errors = [
        await rejectsAsync(() => conn.getObject(container, 'missing')),
        await rejectsAsync(() => conn.putObject(container, 'o', 'x', { etag: 'nope' })),
        await rejectsAsync(() => bad.headAccount()),
        await rejectsAsync(() => unreachable.headAccount()),
      ];
      for (const err of errors) {
        assert.ok(err instanceof ClientException, String(err));
        for (const text of [String(err), (err as Error).message, JSON.stringify(err), inspect(err, { depth: 10, showHidden: true })]) {
          assert.ok(!text.includes(token), `token leaked in: ${text.slice(0, 200)}`);
        }
      }
      // network errors are ClientExceptions with no status and the cause kept
      const netErr = errors[3] as ClientException;
      assert.equal(netErr.httpStatus, undefined);
      assert.ok(netErr.cause, 'network error without cause');
      assert.equal(netErr.httpPort, closedPort);
      // nor in the Connection itself
      for (const text of [JSON.stringify(conn), inspect(conn, { depth: 10 }), String(conn)]) {
        assert.ok(!text.includes(token), `token leaked in: ${text}`);
      }
    } finally {
      await bad.close();
      await unreachable.close();
    }
  });

  test('the debug log never shows the token or the password', async () => {
    const lines: string[] = [];
    setDebugLog((line) => lines.push(line));
    const c = connect();
    try {
      const [, fresh] = await c.getAuth();
      await c.putObject(container, 'logged', 'x');
      await c.headObject(container, 'logged');
      await assert.rejects(c.getObject(container, 'missing'));
      await c.deleteObject(container, 'logged');
    } finally {
      setDebugLog(undefined);
      await c.close();
    }
    const log = lines.join('\n');
    assert.ok(lines.length >= 8, 'the debug log stayed silent');
    assert.ok(/x-auth-token: \S+\.\.\./i.test(log), 'no redacted token in the log');
    assert.ok(!log.includes(token), 'token leaked into the debug log');
    assert.ok(!log.includes(SWIFT.key), 'password leaked into the debug log');
  });

  test('a wrong password gives ClientException 401', async () => {
    const wrong = connect({ key: 'not-the-password' });
    try {
      for (const call of [() => wrong.getAuth(), () => wrong.headAccount()]) {
        const err = await rejectsAsync(call);
        assert.ok(err instanceof ClientException);
        assert.equal(err.httpStatus, 401);
        assert.ok(!err.message.includes('not-the-password'));
      }
      assert.equal(wrong.token, undefined);
    } finally {
      await wrong.close();
    }
  });

  test('methods never throw synchronously', async () => {
    const bare = new Connection();
    const calls: Array<() => unknown> = [
      () => conn.putContainer(''),
      () => conn.headContainer(''),
      () => conn.getContainer('a/b'),
      () => conn.postContainer('', {}),
      () => conn.deleteContainer(''),
      () => conn.headObject(container, ''),
      () => conn.getObject('', 'o'),
      () => conn.getObject(container, '', { respChunkSize: 10 }),
      () => conn.putObject(container, '', 'x'),
      () => conn.putObject(container, 'o', 42 as unknown as string),
      () => conn.putObject(container, 'o', 'x', { contentLength: -1 }),
      () => conn.putObject(container, 'o', 'x', { headers: { 'content-length': 'abc' } }),
      () => conn.postObject(container, 'o', { 'bad name': 'x' }),
      () => conn.copyObject(container, '', {}),
      () => conn.deleteObject(container, ''),
      () => conn.getAccount({ limit: -1 }),
      () => conn.postAccount({ 'x-account-meta-a': { object: true } as unknown as string }),
      () => conn.getCapabilities('not a url'),
      () => bare.headAccount(),
      () => bare.getAuth(),
    ];
    for (const call of calls) await rejectsAsync(call, (err) => err instanceof Error);
  });
});

describe('signal', () => {
  test('an already-aborted signal rejects with its reason, sending nothing', async () => {
    const container = unique('contract-abort');
    const controller = new AbortController();
    controller.abort();
    const err = await rejectsAsync(() => conn.putContainer(container, { signal: controller.signal }));
    assert.equal(err, controller.signal.reason);
    assert.equal((err as Error).name, 'AbortError');
    await assert.rejects(conn.headContainer(container), (e: unknown) => e instanceof ClientException && e.httpStatus === 404);

    const reason = new Error('custom reason');
    const signal = AbortSignal.abort(reason);
    for (const call of [
      () => conn.headAccount({ signal }),
      () => conn.getAccount({ signal }),
      () => conn.getObject(container, 'o', { signal }),
      () => conn.getObject(container, 'o', { signal, respChunkSize: 5 }),
      () => conn.putObject(container, 'o', 'x', { signal }),
      () => conn.deleteObject(container, 'o', { signal }),
    ]) {
      assert.equal(await rejectsAsync(call), reason);
    }
  });

  test('aborting while a body streams rejects the read with the reason', async () => {
    const container = await newContainer('-abort-body');
    const data = randomBytes(256 * 1024);
    await conn.putObject(container, 'o', data);
    const target = new URL(storageUrl);
    // the proxy stalls the response after 64 KiB until released (never, here)
    const proxy = await startCutProxy({ targetHost: target.hostname, targetPort: Number(target.port || 80), cutAfter: 64 * 1024, hold: true });
    const c = new Connection({ preauthUrl: `${proxy.origin}${target.pathname}`, preauthToken: token });
    try {
      const controller = new AbortController();
      const [, body] = await c.getObject(container, 'o', { respChunkSize: 1024, signal: controller.signal });
      const first = await (body as ObjectBody).read(1024);
      assert.ok(first.equals(data.subarray(0, 1024)));
      const pending = (body as ObjectBody).read();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(pending, (err: unknown) => err === controller.signal.reason);
      assert.equal(proxy.cuts, 0);
    } finally {
      await c.close();
      await proxy.close();
    }
  });

  test('aborting during retry backoff rejects at once with the reason', async () => {
    const port = await freePort();
    const c = new Connection({ preauthUrl: `http://127.0.0.1:${port}/v1/AUTH_test`, preauthToken: 'x', retries: 5, startingBackoff: 30 });
    try {
      const started = Date.now();
      const signal = AbortSignal.timeout(300);
      const err = await rejectsAsync(() => c.headAccount({ signal }));
      assert.equal(err, signal.reason);
      assert.equal((err as Error).name, 'TimeoutError');
      assert.ok(Date.now() - started < 5000, 'the backoff was not interrupted');
    } finally {
      await c.close();
    }
  });
});

test('X-Copy-From PUT, close() with an unread body, checks before auth, null options', async () => {
  const conn = connect();
  const container = unique('review');
  await conn.putContainer(container, null);
  const data = randomBytes(4 << 20);
  const etag = await conn.putObject(container, 'src', data);
  // a server-side copy answers with the source's ETag: not an MD5 mismatch
  assert.equal(await conn.putObject(container, 'dst', null, { headers: { 'X-Copy-From': `/${container}/src` } }), etag);
  const [, copy] = await conn.getObject(container, 'dst', null);
  assert.ok(copy.equals(data));
  const [, listing] = await conn.getAccount(null);
  assert.ok(listing.some((c) => c.name === container));
  const [, objects] = await conn.getContainer(container, null);
  assert.deepEqual(objects.map((o) => o.name), ['dst', 'src']);

  // close() does not wait for a streamed body nobody reads
  const reader = connect();
  const [, body] = await reader.getObject(container, 'src', { respChunkSize: 65536 });
  assert.equal((await body.read(10)).length, 10);
  const started = Date.now();
  await reader.close();
  assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);

  // bad headers are refused before authenticating, so no network error masks them
  const unreachable = new Connection({ authUrl: 'http://127.0.0.1:9/auth/v1.0', user: 'a:b', key: 'k', retries: 3, startingBackoff: 1 });
  const t0 = Date.now();
  await assert.rejects(unreachable.postContainer('x', { 'bad name': 'v' }), /Invalid header name "bad name"/);
  await assert.rejects(unreachable.putObject('x', 'o', 'data', { contentType: 'a\r\nb' }), /control character/);
  await assert.rejects(unreachable.headObject('', 'o'), /Container name must be a non-empty string/);
  assert.ok(Date.now() - t0 < 500);

  for (const name of ['src', 'dst']) await conn.deleteObject(container, name);
  await conn.deleteContainer(container);
  await conn.close();
});
