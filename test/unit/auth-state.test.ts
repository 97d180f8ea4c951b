// Auth state and the retry loop through undici's MockAgent: no server, every
// request scripted, so the races (shared login, 401 refresh, expiry, service
// token) are driven exactly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MockAgent, type Dispatcher } from 'undici';
import { AuthState } from '../../src/auth/state.js';
import { UndiciTransport as Transport } from '../../src/http/undici.js';
import { ChecksumError, ClientException, Connection, NetworkError, NotFoundError, Session, UnauthorizedError, v3 } from '../../src/index.js';
import { defaultUserAgent } from '../../src/http/user-agent.js';

const AUTH = 'http://auth.test';
const STORE = 'http://swift.test';
const STORAGE_URL = `${STORE}/v1/AUTH_test`;

type Headers = Record<string, string>;
const headersOf = (opts: { headers?: unknown }): Headers => (opts.headers ?? {}) as Headers;

/** A MockAgent with no network, and a v1 auth endpoint handing out tok-1, tok-2... (optionally slow). */
function v1Mock(options: { delayMs?: number; expiresIn?: number } = {}): { agent: MockAgent; logins: () => number; seen: Headers[] } {
  const agent = new MockAgent();
  agent.disableNetConnect();
  let logins = 0;
  const seen: Headers[] = [];
  const scope = agent
    .get(AUTH)
    .intercept({ path: '/auth/v1.0', method: 'GET' })
    .reply((opts) => {
      logins += 1;
      seen.push(headersOf(opts));
      const headers: Headers = { 'x-storage-url': STORAGE_URL, 'x-auth-token': `tok-${logins}` };
      if (options.expiresIn !== undefined) headers['x-auth-token-expires'] = String(options.expiresIn);
      return { statusCode: 200, data: '', responseOptions: { headers } };
    })
    .persist();
  if (options.delayMs) scope.delay(options.delayMs);
  return { agent, logins: () => logins, seen };
}

function v1Connection(dispatcher: Dispatcher, extra: ConstructorParameters<typeof Connection>[0] = {}): Connection {
  return new Connection({ authUrl: `${AUTH}/auth/v1.0`, user: 'test:tester', key: 'testing', dispatcher, startingBackoff: 0.001, maxBackoff: 0.002, ...extra });
}

describe('a Connection driven by a MockAgent (no server)', () => {
  test('logs in, sends the token and our User-Agent on every request, auth included', async () => {
    const { agent, seen } = v1Mock();
    const account: Headers[] = [];
    agent
      .get(STORE)
      .intercept({ path: '/v1/AUTH_test', method: 'HEAD' })
      .reply((opts) => {
        account.push(headersOf(opts));
        return { statusCode: 204, data: '', responseOptions: { headers: { 'x-account-container-count': '3' } } };
      })
      .persist();
    const conn = v1Connection(agent);
    const headers = await conn.headAccount();
    assert.equal(headers['x-account-container-count'], '3');
    assert.equal(conn.token, 'tok-1');
    assert.equal(seen[0]?.['x-auth-user'], 'test:tester');
    assert.equal(account[0]?.['x-auth-token'], 'tok-1');
    assert.match(defaultUserAgent(), /^swiftclient\/\d+\.\d+\.\d+\S* node\/\d+\.\d+\.\d+$/);
    assert.equal(seen[0]?.['user-agent'], defaultUserAgent());
    assert.equal(account[0]?.['user-agent'], defaultUserAgent());
    // a User-Agent given in a call's headers wins for that call
    await conn.headAccount({ headers: { 'User-Agent': 'mine/1' } });
    assert.equal(account[1]?.['user-agent'], 'mine/1');
    await conn.close();
    // the dispatcher is the caller's: still usable after close()
    await conn.headAccount();
    await agent.close();
  });

  test('userAgent option: on the login and on the requests', async () => {
    const { agent, seen } = v1Mock();
    const ua: string[] = [];
    agent
      .get(STORE)
      .intercept({ path: '/v1/AUTH_test', method: 'HEAD' })
      .reply((opts) => {
        ua.push(headersOf(opts)['user-agent'] ?? '');
        return { statusCode: 204, data: '' };
      });
    const conn = v1Connection(agent, { userAgent: 'backup-tool/2.0' });
    await conn.headAccount();
    assert.deepEqual([seen[0]?.['user-agent'], ua[0]], ['backup-tool/2.0', 'backup-tool/2.0']);
    await agent.close();
  });

  test('concurrent calls share one login', async () => {
    const { agent, logins } = v1Mock({ delayMs: 30 });
    agent.get(STORE).intercept({ path: '/v1/AUTH_test', method: 'HEAD' }).reply(204, '').persist();
    const conn = v1Connection(agent);
    await Promise.all(Array.from({ length: 10 }, () => conn.headAccount()));
    assert.equal(logins(), 1);
    await agent.close();
  });

  test('a 401 race: calls refused on the old token retry on the one new login', async () => {
    const { agent, logins } = v1Mock({ delayMs: 30 });
    const sent: string[] = [];
    agent
      .get(STORE)
      .intercept({ path: '/v1/AUTH_test', method: 'HEAD' })
      .reply((opts) => {
        const token = headersOf(opts)['x-auth-token'] ?? '';
        sent.push(token);
        return { statusCode: token === 'tok-1' ? 204 : 401, data: '' };
      })
      .persist();
    const conn = v1Connection(agent, { preauthUrl: STORAGE_URL, preauthToken: 'stale' });
    await Promise.all(Array.from({ length: 8 }, () => conn.headAccount()));
    assert.equal(logins(), 1, 'one re-authentication for all of them');
    assert.equal(sent.filter((t) => t === 'stale').length, 8);
    assert.equal(sent.filter((t) => t === 'tok-1').length, 8);
    assert.equal(conn.token, 'tok-1');
    await agent.close();
  });

  test('a second 401 after the one re-authentication is raised, as an UnauthorizedError', async () => {
    const { agent, logins } = v1Mock();
    agent.get(STORE).intercept({ path: '/v1/AUTH_test', method: 'HEAD' }).reply(401, 'no').persist();
    const conn = v1Connection(agent);
    await assert.rejects(conn.headAccount(), (err: unknown) => err instanceof UnauthorizedError && err.code === 'UNAUTHORIZED' && err.httpStatus === 401);
    assert.equal(logins(), 2);
    assert.equal(conn.attempts, 2);
    await agent.close();
  });

  test('a token about to expire (within 60 s) is renewed before the request', async () => {
    const { agent, logins } = v1Mock({ expiresIn: 30 });
    agent.get(STORE).intercept({ path: '/v1/AUTH_test', method: 'HEAD' }).reply(204, '').persist();
    const conn = v1Connection(agent);
    await conn.headAccount();
    await conn.headAccount();
    assert.equal(logins(), 2);
    await agent.close();
  });

  test('network errors are NetworkErrors, retried `retries` times; per-call retries override', async () => {
    const { agent } = v1Mock();
    let tries = 0;
    agent
      .get(STORE)
      .intercept({ path: '/v1/AUTH_test', method: 'HEAD' })
      .reply(() => {
        tries += 1;
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      })
      .persist();
    const conn = v1Connection(agent, { retries: 2 });
    await assert.rejects(conn.headAccount(), (err: unknown) => err instanceof NetworkError && err.code === 'NETWORK' && err.httpStatus === undefined);
    assert.equal(tries, 3);
    tries = 0;
    await assert.rejects(conn.headAccount({ retries: 0 }), NetworkError);
    assert.equal(tries, 1);
    await agent.close();
  });

  test('404 is a NotFoundError, 503 is retried and kept as code HTTP', async () => {
    const { agent } = v1Mock();
    const pool = agent.get(STORE);
    pool.intercept({ path: '/v1/AUTH_test/c', method: 'HEAD' }).reply(404, '');
    pool.intercept({ path: '/v1/AUTH_test/d', method: 'HEAD' }).reply(503, 'busy').times(2);
    const conn = v1Connection(agent, { retries: 1 });
    await assert.rejects(conn.headContainer('c'), (err: unknown) => err instanceof NotFoundError && err.code === 'NOT_FOUND' && err.name === 'ClientException');
    await assert.rejects(conn.headContainer('d'), (err: unknown) => err instanceof ClientException && err.code === 'HTTP' && err.httpStatus === 503);
    assert.equal(conn.attempts, 2);
    await agent.close();
  });

  test('an MD5 mismatch on download is a ChecksumError naming the object and both digests', async () => {
    const { agent } = v1Mock();
    const wrong = '0123456789abcdef0123456789abcdef';
    agent
      .get(STORE)
      .intercept({ path: '/v1/AUTH_test/c/o', method: 'GET' })
      .reply(200, 'hello', { headers: { etag: wrong, 'content-length': '5' } });
    const conn = v1Connection(agent);
    await assert.rejects(conn.getObject('c', 'o'), (err: unknown) => {
      assert.ok(err instanceof ChecksumError);
      assert.equal(err.code, 'CHECKSUM');
      assert.deepEqual([err.container, err.object, err.expected, err.actual], ['c', 'o', wrong, '5d41402abc4b2a76b9719d911017c592']);
      assert.equal(err.httpPath, '/v1/AUTH_test/c/o');
      return true;
    });
    await agent.close();
  });

  test('a service token: both logins, and X-Service-Token sent with the request', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const bodies: string[] = [];
    agent
      .get(AUTH)
      .intercept({ path: '/v3/auth/tokens', method: 'POST' })
      .reply((opts) => {
        const body = String(opts.body);
        bodies.push(body);
        const token = body.includes('"svc"') ? 'service-tok' : 'user-tok';
        const catalog = [{ type: 'object-store', endpoints: [{ interface: 'public', region_id: 'R', url: STORAGE_URL }] }];
        return { statusCode: 201, data: JSON.stringify({ token: { catalog } }), responseOptions: { headers: { 'x-subject-token': token } } };
      })
      .persist();
    let sent: Headers = {};
    agent
      .get(STORE)
      .intercept({ path: '/v1/AUTH_test', method: 'HEAD' })
      .reply((opts) => {
        sent = headersOf(opts);
        return { statusCode: 204, data: '' };
      });
    const conn = new Connection({
      authUrl: `${AUTH}/v3`,
      authVersion: 3,
      user: 'tester',
      key: 'testing',
      osOptions: { projectName: 'test', serviceUsername: 'svc', serviceKey: 'svc-key', serviceProjectName: 'service' },
      dispatcher: agent,
    });
    await conn.headAccount();
    assert.equal(bodies.length, 2);
    assert.equal(sent['x-auth-token'], 'user-tok');
    assert.equal(sent['x-service-token'], 'service-tok');
    await agent.close();
  });

  test("Keystone's refusal is an UnauthorizedError, never retried; its 404 is one too, never NOT_FOUND", async () => {
    for (const status of [401, 404]) {
      const agent = new MockAgent();
      agent.disableNetConnect();
      let posts = 0;
      agent
        .get(AUTH)
        .intercept({ path: '/v3/auth/tokens', method: 'POST' })
        .reply(() => {
          posts += 1;
          return { statusCode: status, data: '{"error":{"message":"nope"}}' };
        })
        .persist();
      const conn = new Connection({ authUrl: `${AUTH}/v3`, authVersion: 3, user: 'u', key: 'k', tenantName: 't', dispatcher: agent, retries: 3 });
      await assert.rejects(conn.headAccount(), (err: unknown) => err instanceof UnauthorizedError && err.code === 'UNAUTHORIZED' && err.httpStatus === status);
      assert.equal(posts, 1, `status ${status}`);
      await agent.close();
    }
  });

  test("a Keystone server error is retried; a tempauth 401 at login is tried once more, as python does", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get(AUTH).intercept({ path: '/v3/auth/tokens', method: 'POST' }).reply(503, 'down').times(2);
    const keystone = new Connection({ authUrl: `${AUTH}/v3`, authVersion: 3, user: 'u', key: 'k', tenantName: 't', dispatcher: agent, retries: 1, startingBackoff: 0.001 });
    await assert.rejects(keystone.headAccount(), (err: unknown) => err instanceof ClientException && err.code === 'HTTP' && err.httpStatus === 503);
    assert.equal(keystone.attempts, 2);
    let gets = 0;
    agent
      .get(AUTH)
      .intercept({ path: '/auth/v1.0', method: 'GET' })
      .reply(() => {
        gets += 1;
        return { statusCode: 401, data: '' };
      })
      .persist();
    await assert.rejects(v1Connection(agent).headAccount(), UnauthorizedError);
    assert.equal(gets, 2);
    await agent.close();
  });
});

describe('AuthState', () => {
  test('renewedSince: only a token replaced by another login counts', async () => {
    const { agent } = v1Mock({ delayMs: 20 });
    const state = new AuthState(
      { transport: new Transport({ dispatcher: agent }), authUrl: `${AUTH}/auth/v1.0`, user: 'a:b', key: 'k', authVersion: '1', osOptions: {}, session: undefined },
      undefined,
    );
    assert.equal(state.style, 'v1');
    const first = await state.ensure(undefined);
    assert.equal(first.token, 'tok-1');
    assert.equal(state.renewedSince('tok-1'), false, 'still the token sent');
    assert.equal(state.renewedSince(undefined), false, 'nothing was sent');
    // the first call refused forgets the token and logs in again
    assert.equal(await state.invalidate(), true);
    assert.equal(state.token, undefined);
    assert.equal(state.renewedSince('tok-1'), false, 'forgotten, and no login under way');
    const login = state.login(undefined);
    assert.equal(state.renewedSince('tok-1'), true, 'a login is under way');
    await login;
    assert.equal(state.token, 'tok-2');
    assert.equal(state.renewedSince('tok-1'), true, 'a new token is there');
    await agent.close();
  });

  test('invalidate keeps a preauth URL and reports a session that cannot log in again', async () => {
    const session = { getToken: () => 't', getEndpoint: () => STORAGE_URL, invalidate: () => false };
    const state = new AuthState(
      { transport: new Transport(), authUrl: undefined, user: undefined, key: undefined, authVersion: '1', osOptions: { objectStorageUrl: `${STORE}/v1/AUTH_x` }, session },
      'preauth',
    );
    assert.equal(state.style, 'keystone');
    assert.equal(await state.invalidate(), false);
    assert.equal(state.url, `${STORE}/v1/AUTH_x`);
    assert.equal(state.token, undefined);
  });

  test('style: how the connection can log in again', () => {
    const make = (over: Partial<ConstructorParameters<typeof AuthState>[0]>) =>
      new AuthState({ transport: new Transport(), authUrl: AUTH, user: 'u', key: 'k', authVersion: '1', osOptions: {}, session: undefined, ...over }, undefined).style;
    assert.equal(make({}), 'v1');
    assert.equal(make({ authVersion: 3 }), 'keystone');
    assert.equal(make({ authVersion: 3, user: undefined, key: undefined, osOptions: { authType: 'v3applicationcredential' } }), 'keystone');
    assert.equal(make({ key: undefined }), 'none');
    assert.equal(make({ authVersion: 'nine' }), 'none');
  });

  test('a Session logs in through its own dispatcher', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    let ua = '';
    agent
      .get(AUTH)
      .intercept({ path: '/v3/auth/tokens', method: 'POST' })
      .reply((opts) => {
        ua = headersOf(opts)['user-agent'] ?? '';
        return { statusCode: 201, data: JSON.stringify({ token: { catalog: [] } }), responseOptions: { headers: { 'x-subject-token': 'sess-tok' } } };
      });
    const session = new Session({ auth: new v3.Password({ authUrl: `${AUTH}/v3`, username: 'u', password: 'p', projectName: 'p' }), dispatcher: agent, userAgent: 'sess/1' });
    assert.equal(await session.getToken(), 'sess-tok');
    assert.equal(ua, 'sess/1');
    await agent.close();
  });
});

describe('durations are seconds', () => {
  test('timeout, startingBackoff, maxBackoff above 3600 are refused with BAD_INPUT, on the Connection and per call', async () => {
    for (const name of ['timeout', 'startingBackoff', 'maxBackoff'] as const) {
      assert.throws(
        () => new Connection({ [name]: 5000 }),
        (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT' && /seconds/.test(err.message) && err.message.includes(name),
      );
      assert.doesNotThrow(() => new Connection({ [name]: 3600 }));
    }
    const agent = new MockAgent();
    agent.disableNetConnect();
    const conn = new Connection({ preauthUrl: STORAGE_URL, preauthToken: 't', dispatcher: agent });
    await assert.rejects(conn.headAccount({ timeout: 30_000 }), (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT' && /seconds/.test(err.message));
    await assert.rejects(conn.headAccount({ retries: -1 }), (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT');
    await agent.close();
  });

  test('a Session refuses a timeout above 3600 or negative with BAD_INPUT, as a Connection does', () => {
    const auth = new v3.Password({ authUrl: `${AUTH}/v3`, username: 'u', password: 'p', projectName: 'p' });
    for (const timeout of [5000, -1, Number.NaN]) {
      assert.throws(
        () => new Session({ auth, timeout }),
        (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT' && err.message.includes('timeout'),
      );
    }
    assert.throws(() => new Session({ auth, keepAlive: 7200 }), (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT');
    assert.throws(() => new Session({ auth, maxConnections: 0 }), (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT');
    assert.doesNotThrow(() => new Session({ auth, timeout: 3600 }));
  });

  test('a per-call timeout bounds that call only', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get(STORE).intercept({ path: '/v1/AUTH_test', method: 'HEAD' }).reply(204, '').delay(400).persist();
    const conn = new Connection({ preauthUrl: STORAGE_URL, preauthToken: 't', dispatcher: agent, retries: 0 });
    await assert.rejects(conn.headAccount({ timeout: 0.05 }), (err: unknown) => err instanceof NetworkError && err.code === 'TIMEOUT');
    await conn.headAccount();
    await agent.close();
  });
});
