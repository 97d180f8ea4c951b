// The fetch engine (`transport: 'fetch'`) against the real Swift, on every
// runtime: what it shares with undici (streams both ways, UTF-8 names and
// headers, exact timeouts, abort, resume with Range + If-Match) and what it
// refuses by name because the platform cannot do it (docs/RUNTIMES.md).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
// by path: Bun answers the bare name `undici` with its own partial copy
import { Agent } from 'undici/index.js';
import { ClientException, Connection, NetworkError, TimeoutError, type ConnectionOptions } from '../../src/index.js';
import { connect, purgeContainer, RUNTIME, SWIFT, unique } from '../helpers/env.js';
import { FaultProxy } from '../helpers/fault-proxy.js';

const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

function fetchConn(overrides: ConnectionOptions = {}): Connection {
  return connect({ transport: 'fetch', ...overrides });
}

/** The BAD_INPUT refusal of `run`, with a message matching `text`. */
async function refusal(run: () => unknown, text: RegExp): Promise<void> {
  await assert.rejects(
    async () => run(),
    (err: unknown) => {
      assert.ok(err instanceof ClientException, String(err));
      assert.equal(err.code, 'BAD_INPUT', err.message);
      assert.match(err.message, text);
      return true;
    },
  );
}

describe('the fetch transport against the real Swift', () => {
  let proxy: FaultProxy;
  let direct: Connection;
  let token: string;
  const container = unique('fetch-seam');
  const data = randomBytes(300_000);

  before(async () => {
    proxy = await FaultProxy.start();
    direct = connect();
    [, token] = await direct.getAuth();
    await direct.putContainer(container);
    await direct.putObject(container, 'data', data);
  });
  after(async () => {
    await purgeContainer(direct, container);
    await direct.close();
    await proxy.close();
  });

  const viaProxy = (overrides: ConnectionOptions = {}): Connection =>
    fetchConn({ preauthUrl: proxy.storageUrl(), preauthToken: token, startingBackoff: 0.01, maxBackoff: 0.05, ...overrides });

  test('Unicode names and UTF-8 metadata, a streamed upload of unknown length, a streamed download with its MD5 checked', async () => {
    const conn = fetchConn();
    try {
      const name = 'dossier/été ☃ 🚀.bin';
      async function* chunks(): AsyncGenerator<Buffer> {
        for (let at = 0; at < data.length; at += 65_536) yield data.subarray(at, at + 65_536);
      }
      const etag = await conn.putObject(container, name, chunks(), { headers: { 'X-Object-Meta-City': 'Zürich ☃' } });
      assert.equal(etag, md5(data));
      const seen = await direct.headObject(container, name);
      assert.equal(seen['x-object-meta-city'], 'Zürich ☃', 'undici reads back what fetch wrote');
      assert.equal(seen['content-length'], String(data.length));
      const headers = await conn.headObject(container, name);
      assert.equal(headers['x-object-meta-city'], 'Zürich ☃');
      const [, body] = await conn.getObject(container, name, { respChunkSize: 50_000 });
      const parts: Buffer[] = [];
      for await (const part of body) {
        assert.ok(part.length <= 50_000);
        parts.push(part);
      }
      assert.ok(Buffer.concat(parts).equals(data));
      const [, listing] = await conn.getContainer(container, { prefix: 'dossier/' });
      assert.deepEqual(listing.map((e) => e.name), [name]);
    } finally {
      await conn.close();
    }
  });

  test('an announced length goes out as Content-Length; a short body fails as the caller\'s error, not a network one', async () => {
    const conn = fetchConn({ retries: 1 });
    try {
      const gen = async function* (): AsyncGenerator<Buffer> {
        yield data.subarray(0, 1000);
      };
      assert.equal(await conn.putObject(container, 'sized', gen(), { contentLength: 1000 }), md5(data.subarray(0, 1000)));
      assert.equal((await direct.headObject(container, 'sized'))['content-length'], '1000');
      await assert.rejects(conn.putObject(container, 'short', gen(), { contentLength: 2000 }), /gave 1000 bytes but 2000 were announced/);
    } finally {
      await conn.close();
    }
  });

  test('a dropped download resumes with Range + If-Match and the bytes match', async () => {
    const conn = viaProxy();
    proxy.reset();
    proxy.add({ method: 'GET', path: new RegExp(`/${container}/data$`), fault: { type: 'resetResponse', afterBytes: 100_000 } });
    const [, body] = await conn.getObject(container, 'data', { respChunkSize: 65_536 });
    const got = await body.read();
    assert.ok(got.equals(data));
    const gets = proxy.seen('GET');
    assert.equal(gets.length, 2);
    assert.match(String(gets[1]?.headers.range), /^bytes=\d+-$/);
    assert.equal(gets[1]?.headers['if-match'], md5(data));
    await conn.close();
  });

  test('exact timeouts: a silent server is a TimeoutError; a stall mid-body resumes', async () => {
    const conn = viaProxy({ timeout: 0.3, retries: 0 });
    proxy.reset();
    proxy.add({ method: 'HEAD', fault: { type: 'stall', seconds: 3, then: 'close' } });
    const started = performance.now();
    await assert.rejects(conn.headObject(container, 'data'), (err: unknown) => err instanceof TimeoutError && err.code === 'TIMEOUT' && /timed out/.test(err.message));
    assert.ok(performance.now() - started < 2500, 'the stall did not run its course');
    await conn.close();

    const resuming = viaProxy({ timeout: 0.5 });
    proxy.add({ method: 'GET', path: new RegExp(`/${container}/data$`), fault: { type: 'stallResponse', afterBytes: 80_000, seconds: 5, then: 'continue' } });
    const [, body] = await resuming.getObject(container, 'data', { respChunkSize: 65_536 });
    assert.ok((await body.read()).equals(data));
    assert.equal(proxy.seen('GET').length, 2, 'the silent body was dropped and resumed');
    await resuming.close();
  });

  test('a 401 is answered by one re-authentication and the call succeeds', async () => {
    const conn = fetchConn({ authUrl: SWIFT.authUrl, user: SWIFT.user, key: SWIFT.key });
    try {
      await conn.getAuth();
      conn.token = 'AUTH_tk_not_a_valid_token';
      assert.ok((await conn.headContainer(container))['x-container-object-count'] !== undefined);
      assert.notEqual(conn.token, 'AUTH_tk_not_a_valid_token');
    } finally {
      await conn.close();
    }
  });

  test('aborting mid-body rejects the read with the signal reason', async () => {
    const conn = viaProxy();
    proxy.reset();
    proxy.add({ method: 'GET', path: new RegExp(`/${container}/data$`), fault: { type: 'stallResponse', afterBytes: 80_000, seconds: 5, then: 'continue' } });
    const controller = new AbortController();
    const [, body] = await conn.getObject(container, 'data', { respChunkSize: 65_536, signal: controller.signal });
    await body.read(65_536);
    const reason = new Error('stop now');
    setTimeout(() => controller.abort(reason), 100);
    await assert.rejects(body.read(), (err: unknown) => err === reason);
    await conn.close();
  });

  test('network failures are NetworkErrors naming the call and the cause', async () => {
    const conn = fetchConn({ preauthUrl: proxy.storageUrl(), preauthToken: token, retries: 0 });
    proxy.reset();
    proxy.add({ method: 'HEAD', fault: { type: 'stall', seconds: 0, then: 'reset' } });
    await assert.rejects(conn.headAccount(), (err: unknown) => err instanceof NetworkError && err.code === 'NETWORK' && /^Account HEAD failed: /.test(err.message) && err.cause !== undefined);
    await conn.close();
  });
});

describe('what the fetch transport refuses by name (BAD_INPUT), never ignores', () => {
  test('an undici dispatcher and maxConnections', async () => {
    await refusal(() => new Connection({ transport: 'fetch', dispatcher: new Agent() }), /cannot honour `dispatcher`/);
    await refusal(() => new Connection({ transport: 'fetch', maxConnections: 4 }), /cannot honour `maxConnections`/);
  });

  test('TLS options where fetch takes none (all but Bun)', { skip: RUNTIME === 'bun' ? "Bun's fetch takes TLS options" : false }, async () => {
    for (const option of [{ cacert: '/tmp/ca.pem' }, { insecure: true }, { cert: '/tmp/c.pem', certKey: '/tmp/k.pem' }]) {
      await refusal(() => new Connection({ transport: 'fetch', ...option }), /cannot honour TLS options/);
    }
  });

  test('a path the URL parser would rewrite (an object named a/../b)', async () => {
    const conn = fetchConn();
    try {
      for (const name of ['a/../b', './x', 'y/.']) {
        await refusal(() => conn.putObject('c', name, 'x'), /URL parser rewrites its "\." or "\.\." segments/);
      }
    } finally {
      await conn.close();
    }
  });

  test('a port fetch blocks', async () => {
    const conn = fetchConn({ preauthUrl: 'http://127.0.0.1:9/v1/AUTH_test', preauthToken: 'x' });
    await refusal(() => conn.headAccount(), /cannot reach port 9 of 127\.0\.0\.1: fetch blocks it/);
  });

  test("a proxy from the environment that Node's fetch would bypass", { skip: RUNTIME === 'node' ? false : 'Bun and Deno honour HTTP_PROXY in fetch' }, async () => {
    const conn = fetchConn({ retries: 0 });
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = 'http://127.0.0.1:3128';
    try {
      await refusal(() => conn.headAccount(), /cannot go through the proxy http:\/\/127\.0\.0\.1:3128 .*NODE_USE_ENV_PROXY/);
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
      await conn.close();
    }
  });
});
