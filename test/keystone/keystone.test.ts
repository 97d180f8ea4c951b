import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ClientException, Connection, Session, v3, type AccessInfo, type AuthPlugin } from '../../src/index.js';
import { unique } from '../helpers/env.js';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy.js';

// Identities made by scripts/keystone-aio (eval "$(scripts/keystone-aio env)").
const env = process.env;
const AUTH_URL = env.OS_AUTH_URL ?? 'http://127.0.0.1:5000/v3';
const need = (name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through scripts/test (it starts Keystone)`);
  return value;
};

function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** put/get/delete through a Connection, checking bytes and server state. */
async function roundTrip(conn: Connection, container: string): Promise<void> {
  await conn.putContainer(container);
  const data = `keystone round trip ${container}`;
  assert.equal(await conn.putObject(container, 'obj ü.txt', data), md5(data));
  const [headers, body] = await conn.getObject(container, 'obj ü.txt');
  assert.equal(body.toString(), data);
  assert.equal(headers.etag, md5(data));
  const [, listing] = await conn.getContainer(container);
  assert.deepEqual(listing.map((o) => o.name), ['obj ü.txt']);
  await conn.deleteObject(container, 'obj ü.txt');
  await conn.deleteContainer(container);
  await assert.rejects(conn.headContainer(container), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);
}

const fast = { startingBackoff: 0.05, maxBackoff: 0.2 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Keystone v3 (real Keystone, Swift proxy with keystoneauth)', () => {
  test('seed example: v3.Password in a Session', async () => {
    const auth = new v3.Password({
      authUrl: `${AUTH_URL}/`,
      username: 'tester',
      password: 'testing',
      userDomainName: 'Default',
      projectName: 'Default',
      projectDomainName: 'Default',
    });
    const session = new Session({ auth });
    const conn = new Connection({ session, ...fast });
    await roundTrip(conn, unique('ks-session'));
    const [url] = await conn.getAuth();
    assert.equal(url, `${need('KS_PROXY_URL')}/v1/AUTH_${need('KS_DEFAULT_PROJECT_ID')}`);
    await conn.close();
    await session.close();
  });

  test('Connection authVersion 3 with osOptions (names and ids)', async () => {
    const byName = new Connection({
      authUrl: AUTH_URL, user: 'tester', key: 'testing', authVersion: '3', ...fast,
      osOptions: { projectName: 'test', projectDomainName: 'Default', userDomainName: 'Default', regionName: 'RegionOne' },
    });
    await roundTrip(byName, unique('ks-v3'));
    assert.equal(byName.url, need('KS_STORAGE_URL'));
    const byId = new Connection({
      authUrl: AUTH_URL.replace(/\/v3$/, ''), key: 'testing', authVersion: 3, ...fast,
      osOptions: { userId: need('KS_TESTER_USER_ID'), projectId: need('KS_TEST_PROJECT_ID') },
    });
    const [url] = await byId.getAuth();
    assert.equal(url, need('KS_STORAGE_URL'));
    await byId.headAccount();
  });

  test('projectDomainId scopes the project name to a domain (a wrong id finds no project)', async () => {
    const inDefault = new Connection({
      authUrl: AUTH_URL, user: 'tester', key: 'testing', authVersion: '3', ...fast,
      osOptions: { projectName: 'test', projectDomainId: 'default', userDomainId: 'default' },
    });
    await roundTrip(inDefault, unique('ks-domain-id'));
    assert.equal(inDefault.url, need('KS_STORAGE_URL'));
    await inDefault.close();
    const elsewhere = new Connection({
      authUrl: AUTH_URL, user: 'tester', key: 'testing', authVersion: '3', ...fast, retries: 0,
      osOptions: { projectName: 'test', projectDomainId: 'no-such-domain', userDomainId: 'default' },
    });
    await assert.rejects(elsewhere.getAuth(), (err: unknown) => err instanceof ClientException && err.httpStatus === 401);
    await elsewhere.close();
  });

  test("'tenant:user' and tenantName name the project; no project is swiftclient's error", async () => {
    const conn = new Connection({ authUrl: AUTH_URL, user: 'test:tester', key: 'testing', authVersion: '3' });
    assert.equal((await conn.getAuth())[0], need('KS_STORAGE_URL'));
    const tenant = new Connection({ authUrl: AUTH_URL, user: 'tester', key: 'testing', authVersion: '3', tenantName: 'test' });
    assert.equal((await tenant.getAuth())[0], need('KS_STORAGE_URL'));
    // both: the user's prefix wins, as in python's Connection
    const both = new Connection({ authUrl: AUTH_URL, user: 'test:tester', key: 'testing', authVersion: '3', tenantName: 'not-a-project' });
    assert.equal((await both.getAuth())[0], need('KS_STORAGE_URL'));
    const none = new Connection({ authUrl: AUTH_URL, user: 'tester', key: 'testing', authVersion: '3' });
    await assert.rejects(none.getAuth(), /No project name or project id specified/);
  });

  test('a user in another domain', async () => {
    const conn = new Connection({
      authUrl: AUTH_URL, user: need('KS_USER3_USERNAME'), key: need('KS_USER3_PASSWORD'), authVersion: '3', ...fast,
      osOptions: {
        projectName: need('KS_USER3_PROJECT_NAME'),
        projectDomainName: need('KS_USER3_DOMAIN_NAME'),
        userDomainId: need('KS_USER3_DOMAIN_ID'),
      },
    });
    await roundTrip(conn, unique('ks-domain'));
    assert.match(conn.url ?? '', new RegExp(`AUTH_${need('KS_USER3_PROJECT_ID')}$`));
  });

  test('endpoint choice: public, internal, admin (and the v2 spellings); unknown region', async () => {
    const base = { authUrl: AUTH_URL, user: 'tester', key: 'testing', authVersion: '3', tenantName: 'test' } as const;
    for (const [endpointType, expected] of [
      ['public', 'KS_STORAGE_URL_PUBLIC'],
      ['publicURL', 'KS_STORAGE_URL_PUBLIC'],
      ['internal', 'KS_STORAGE_URL_INTERNAL'],
      ['internalURL', 'KS_STORAGE_URL_INTERNAL'],
      ['admin', 'KS_STORAGE_URL_ADMIN'],
    ] as const) {
      const conn = new Connection({ ...base, osOptions: { endpointType } });
      assert.equal((await conn.getAuth())[0], need(expected), endpointType);
    }
    const internal = new Connection({ ...base, osOptions: { endpointType: 'internal' } });
    await internal.headAccount();
    const nowhere = new Connection({ ...base, osOptions: { regionName: 'Nowhere' } });
    await assert.rejects(nowhere.getAuth(), (err: unknown) => {
      assert.ok(err instanceof ClientException);
      assert.equal(err.message, 'Endpoint for object-store not found - have you specified a region?');
      return true;
    });
    const override = new Connection({ ...base, osOptions: { objectStorageUrl: need('KS_STORAGE_URL_INTERNAL') } });
    assert.equal((await override.getAuth())[0], need('KS_STORAGE_URL_INTERNAL'));
  });

  test('application credential by id and by name (plugin and osOptions)', async () => {
    const byId = new Connection({
      authUrl: AUTH_URL, authVersion: '3', ...fast,
      osOptions: { authType: 'v3applicationcredential', applicationCredentialId: need('KS_APPCRED_ID'), applicationCredentialSecret: need('KS_APPCRED_SECRET') },
    });
    await roundTrip(byId, unique('ks-appcred-id'));
    assert.equal(byId.url, need('KS_STORAGE_URL'));
    const byName = new Connection({
      session: new Session({
        auth: new v3.ApplicationCredential({
          authUrl: AUTH_URL,
          applicationCredentialName: need('KS_APPCRED_NAME'),
          applicationCredentialSecret: need('KS_APPCRED_SECRET'),
          username: 'tester',
          userDomainName: 'Default',
        }),
      }),
      ...fast,
    });
    await roundTrip(byName, unique('ks-appcred-name'));
    const wrong = new Connection({
      authUrl: AUTH_URL, authVersion: '3', retries: 0,
      osOptions: { authType: 'v3applicationcredential', applicationCredentialId: need('KS_APPCRED_ID'), applicationCredentialSecret: 'wrong-secret' },
    });
    await assert.rejects(wrong.getAuth(), (err: unknown) => err instanceof ClientException && err.httpStatus === 401 && !String(err).includes('wrong-secret'));
  });

  test('plugins accept the tenantName / tenantId scoping keys of osOptions', async () => {
    const byTenant = new Session({ auth: new v3.Password({ authUrl: AUTH_URL, username: 'tester', password: 'testing', tenantName: 'test' }) });
    assert.equal(await byTenant.getEndpoint({}), need('KS_STORAGE_URL'));
    const byTenantId = new Session({ auth: new v3.Password({ authUrl: AUTH_URL, username: 'tester', password: 'testing', tenantId: need('KS_TEST_PROJECT_ID') }) });
    assert.equal(await byTenantId.getEndpoint({}), need('KS_STORAGE_URL'));
  });

  test('v3.Token plugin rescopes an existing token', async () => {
    const first = new Session({ auth: new v3.Password({ authUrl: AUTH_URL, username: 'tester', password: 'testing', projectName: 'test' }) });
    const token = await first.getToken();
    const conn = new Connection({ session: new Session({ auth: new v3.Token({ authUrl: AUTH_URL, token, projectName: 'Default', projectDomainName: 'Default' }) }) });
    assert.equal((await conn.getAuth())[0], `${need('KS_PROXY_URL')}/v1/AUTH_${need('KS_DEFAULT_PROJECT_ID')}`);
    await conn.headAccount();
  });

  test('no project given: scoped to the user\'s default project, as Keystone does; unscoped otherwise', async () => {
    const admin = new Session({
      auth: new v3.Password({ authUrl: AUTH_URL, username: need('KS_ADMIN_USERNAME'), password: need('KS_ADMIN_PASSWORD'), projectName: need('KS_ADMIN_PROJECT_NAME') }),
    });
    const patch = await fetch(`${AUTH_URL}/users/${need('KS_USER2_USER_ID')}`, {
      method: 'PATCH',
      headers: { 'x-auth-token': await admin.getToken(), 'content-type': 'application/json' },
      body: JSON.stringify({ user: { default_project_id: need('KS_USER2_PROJECT_ID') } }),
    });
    assert.equal(patch.status, 200);
    const withDefault = new Session({ auth: new v3.Password({ authUrl: AUTH_URL, username: need('KS_USER2_USERNAME'), password: need('KS_USER2_PASSWORD') }) });
    assert.equal(await withDefault.getEndpoint({}), `${need('KS_PROXY_URL')}/v1/AUTH_${need('KS_USER2_PROJECT_ID')}`);
    const conn = new Connection({ session: withDefault });
    await conn.headAccount();
    // tester has no default project: the token is unscoped and has no catalog
    const unscoped = new Session({ auth: new v3.Password({ authUrl: AUTH_URL, username: 'tester', password: 'testing' }) });
    assert.ok((await unscoped.getToken()).length > 20);
    await assert.rejects(unscoped.getEndpoint({}), /Endpoint for object-store not found/);
  });

  test('wrong password: ClientException 401, no secret in it', async () => {
    const conn = new Connection({ authUrl: AUTH_URL, user: 'tester', key: 'not-the-password', authVersion: '3', tenantName: 'test', retries: 1, ...fast });
    await assert.rejects(conn.headAccount(), (err: unknown) => {
      assert.ok(err instanceof ClientException);
      assert.equal(err.httpStatus, 401);
      assert.match(err.message, /Unauthorized/);
      for (const text of [String(err), JSON.stringify(err), err.stack ?? '']) assert.ok(!text.includes('not-the-password'));
      return true;
    });
  });

  test("user 2 cannot read user 1's container until an ACL allows it", async () => {
    const owner = new Connection({ authUrl: AUTH_URL, user: 'tester', key: 'testing', authVersion: '3', tenantName: 'test', ...fast });
    const other = new Connection({
      authUrl: AUTH_URL, user: need('KS_USER2_USERNAME'), key: need('KS_USER2_PASSWORD'), authVersion: '3',
      tenantName: need('KS_USER2_PROJECT_NAME'), retries: 0,
    });
    const container = unique('ks-acl');
    await owner.putContainer(container);
    await owner.putObject(container, 'secret.txt', 'for owners');
    const [, otherToken] = await other.getAuth();
    const reader = new Connection({ preauthUrl: owner.url, preauthToken: otherToken, retries: 0 });
    await assert.rejects(reader.getObject(container, 'secret.txt'), (err: unknown) => err instanceof ClientException && err.httpStatus === 403);
    await owner.postContainer(container, { 'x-container-read': `${need('KS_USER2_PROJECT_ID')}:${need('KS_USER2_USER_ID')}` });
    const [, body] = await reader.getObject(container, 'secret.txt');
    assert.equal(body.toString(), 'for owners');
    await assert.rejects(reader.putObject(container, 'nope.txt', 'x'), (err: unknown) => err instanceof ClientException && err.httpStatus === 403);
    await owner.deleteObject(container, 'secret.txt');
    await owner.deleteContainer(container);
  });
});

describe('token lifetime and concurrency', () => {
  let keystone: CountingProxy;
  before(async () => {
    keystone = await startCountingProxy('http://127.0.0.1:5000');
  });
  after(async () => {
    await keystone.close();
  });

  test('20 concurrent calls on a fresh Connection make exactly one token request', async () => {
    const before = keystone.count('POST', /\/v3\/auth\/tokens/);
    const conn = new Connection({ authUrl: `${keystone.url}/v3`, user: 'tester', key: 'testing', authVersion: '3', tenantName: 'test', ...fast });
    const results = await Promise.all(Array.from({ length: 20 }, () => conn.headAccount()));
    assert.equal(results.length, 20);
    for (const headers of results) assert.ok(headers['x-account-container-count'] !== undefined);
    assert.equal(keystone.count('POST', /\/v3\/auth\/tokens/) - before, 1);
  });

  test('a Session shares one login among 20 concurrent callers', async () => {
    const before = keystone.count('POST', /\/v3\/auth\/tokens/);
    const session = new Session({ auth: new v3.Password({ authUrl: `${keystone.url}/v3`, username: 'tester', password: 'testing', projectName: 'test' }) });
    const conns = Array.from({ length: 4 }, () => new Connection({ session, ...fast }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => (conns[i % 4] as Connection).headAccount()));
    assert.equal(keystone.count('POST', /\/v3\/auth\/tokens/) - before, 1);
    assert.equal(session.authCount, 1);
  });

  test('a job that outlives its token refreshes ahead of expiry: no 401 surfaces', async () => {
    // Real Keystone tokens, reported as expiring 65 s after issue: the 60 s
    // margin leaves them 5 s of usable life (a first call with a new token
    // can take a while under load: Swift has Keystone validate it).
    const issued: number[] = [];
    class ShortLived implements AuthPlugin {
      readonly authUrl = `${keystone.url}/v3`;
      readonly inner = new v3.Password({ authUrl: `${keystone.url}/v3`, username: 'tester', password: 'testing', projectName: 'test' });
      authenticate: AuthPlugin['authenticate'] = async (transport, signal): Promise<AccessInfo> => {
        const access = await this.inner.authenticate(transport, signal);
        issued.push(Date.now());
        return { ...access, expiresAt: new Date(Date.now() + 65_000) };
      };
    }
    const session = new Session({ auth: new ShortLived() });
    const conn = new Connection({ session, retries: 0 });
    const container = unique('ks-refresh');
    await conn.putContainer(container);
    assert.equal(session.authCount, 1);
    for (let round = 1; round <= 2; round += 1) {
      // Still usable: no new login (loose: only a call 5 s late would see one).
      await conn.putObject(container, `fresh-${round}`, 'x');
      assert.equal(session.authCount, round, `round ${round}: a usable token was replaced`);
      // Once its usable life is over (waited for, not guessed), the next call logs in first.
      await sleep(Math.max(0, (issued.at(-1) as number) + 5_000 + 20 - Date.now()));
      await conn.putObject(container, `late-${round}`, 'x');
      assert.equal(session.authCount, round + 1, `round ${round}: no refresh ahead of expiry`);
    }
    const [, listing] = await conn.getContainer(container);
    assert.equal(listing.length, 4);
    for (const entry of listing) await conn.deleteObject(container, entry.name as string);
    await conn.deleteContainer(container);
  });

  test('a wrong password is one token request (no second login that Keystone would refuse too)', async () => {
    const before = keystone.count('POST', /\/v3\/auth\/tokens/);
    const conn = new Connection({ authUrl: `${keystone.url}/v3`, user: 'tester', key: 'wrong', authVersion: '3', tenantName: 'test', ...fast });
    await assert.rejects(conn.headAccount(), { httpStatus: 401 });
    assert.equal(keystone.count('POST', /\/v3\/auth\/tokens/) - before, 1);
  });

  test("one caller's abort stops only its own wait for a shared login, not the others'", async () => {
    // Keystone answers slowly here: every login waits 300 ms in the proxy
    const slow = await startCountingProxy('http://127.0.0.1:5000', 300);
    try {
      for (const make of [
        () => new Connection({ authUrl: `${slow.url}/v3`, user: 'tester', key: 'testing', authVersion: '3', tenantName: 'test', ...fast }),
        () => new Connection({ session: new Session({ auth: new v3.Password({ authUrl: `${slow.url}/v3`, username: 'tester', password: 'testing', projectName: 'test' }) }), ...fast }),
      ]) {
        const conn = make();
        const controller = new AbortController();
        const aborted = conn.headAccount({ signal: controller.signal });
        const others = Array.from({ length: 5 }, () => conn.headAccount());
        setTimeout(() => controller.abort(), 50);
        await assert.rejects(aborted, { name: 'AbortError' });
        const results = await Promise.all(others);
        assert.equal(results.length, 5);
      }
    } finally {
      await slow.close();
    }
  });

  test('401s that come back after another call already logged in again reuse its token (one re-login for 20 calls)', async () => {
    const probe = new Connection({ authUrl: AUTH_URL, user: 'tester', key: 'testing', authVersion: '3', tenantName: 'test' });
    const [swiftUrl] = await probe.getAuth();
    await probe.close();
    // Swift's answers come back staggered, 40 ms apart
    const front = await startCountingProxy(new URL(swiftUrl).origin, (n) => (n % 20) * 40);
    try {
      const conn = new Connection({
        authUrl: `${keystone.url}/v3`, user: 'tester', key: 'testing', authVersion: '3', tenantName: 'test',
        osOptions: { objectStorageUrl: `${front.url}${new URL(swiftUrl).pathname}` }, ...fast,
      });
      await conn.headAccount();
      conn.token = 'garbage';
      const before = keystone.count('POST', /\/v3\/auth\/tokens/);
      await Promise.all(Array.from({ length: 20 }, () => conn.headAccount()));
      assert.equal(keystone.count('POST', /\/v3\/auth\/tokens/) - before, 1);
      await conn.close();
    } finally {
      await front.close();
    }
  });

  test('a Session never shows its token to util.inspect or JSON.stringify', async () => {
    const session = new Session({ auth: new v3.Password({ authUrl: AUTH_URL, username: 'tester', password: 'testing', projectName: 'test' }) });
    const token = await session.getToken();
    for (const text of [inspect(session, { depth: 10, showHidden: true }), JSON.stringify(session)]) {
      assert.ok(!text.includes(token), text.slice(0, 200));
      assert.ok(!text.includes('testing'), 'nor the password');
    }
  });

  test('a revoked token (401) is replaced by one re-authentication', async () => {
    const conn = new Connection({ authUrl: `${keystone.url}/v3`, user: 'tester', key: 'testing', authVersion: '3', tenantName: 'test', ...fast });
    const [, token] = await conn.getAuth();
    const admin = new Session({ auth: new v3.Password({ authUrl: AUTH_URL, username: 'tester', password: 'testing', projectName: 'test' }) });
    const adminToken = await admin.getToken();
    const revoke = await fetch(`${AUTH_URL}/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': adminToken, 'x-subject-token': token } });
    assert.equal(revoke.status, 204);
    const before = keystone.count('POST', /\/v3\/auth\/tokens/);
    await conn.headAccount();
    assert.equal(conn.attempts, 2);
    assert.notEqual(conn.token, token);
    assert.equal(keystone.count('POST', /\/v3\/auth\/tokens/) - before, 1);
  });
});

describe('service tokens', () => {
  test('X-Service-Token from serviceUsername/serviceProjectName/serviceKey opens a SERVICE_ account', async () => {
    const projectId = need('KS_TEST_PROJECT_ID');
    const serviceUrl = `${need('KS_PROXY_URL')}/v1/SERVICE_${projectId}`;
    const base = { authUrl: AUTH_URL, user: 'tester', key: 'testing', authVersion: '3', tenantName: 'test', retries: 0 } as const;
    const withService = new Connection({
      ...base,
      osOptions: { serviceUsername: need('KS_SERVICE_USERNAME'), serviceKey: need('KS_SERVICE_PASSWORD'), serviceProjectName: need('KS_SERVICE_PROJECT_NAME'), objectStorageUrl: serviceUrl },
    });
    const [, serviceToken] = await withService.getServiceAuth();
    assert.ok(serviceToken.length > 20);
    const container = unique('ks-service');
    await withService.putContainer(container);
    await withService.putObject(container, 'svc.txt', 'service data');
    assert.ok(withService.serviceToken);
    const userOnly = new Connection({ ...base, osOptions: { objectStorageUrl: serviceUrl } });
    await assert.rejects(userOnly.headContainer(container), (err: unknown) => err instanceof ClientException && err.httpStatus === 403);
    const [, body] = await withService.getObject(container, 'svc.txt');
    assert.equal(body.toString(), 'service data');
    await withService.deleteObject(container, 'svc.txt');
    await withService.deleteContainer(container);
  });

  test('20 concurrent calls on a fresh Connection with a service user: one login each', async () => {
    const keystone = await startCountingProxy('http://127.0.0.1:5000');
    try {
      const projectId = need('KS_TEST_PROJECT_ID');
      const conn = new Connection({
        authUrl: `${keystone.url}/v3`, user: 'tester', key: 'testing', authVersion: '3', tenantName: 'test', retries: 0,
        osOptions: { serviceUsername: need('KS_SERVICE_USERNAME'), serviceKey: need('KS_SERVICE_PASSWORD'), serviceProjectName: need('KS_SERVICE_PROJECT_NAME'), objectStorageUrl: `${need('KS_PROXY_URL')}/v1/SERVICE_${projectId}` },
      });
      await Promise.all(Array.from({ length: 20 }, () => conn.headAccount()));
      assert.equal(keystone.count('POST', /\/v3\/auth\/tokens/), 2, 'the user and the service user, once each');
      await conn.close();
    } finally {
      await keystone.close();
    }
  });
});

describe('environment', () => {
  test('Connection.fromEnv() with an openrc environment', async () => {
    const conn = Connection.fromEnv({
      OS_AUTH_URL: AUTH_URL,
      OS_USERNAME: 'tester',
      OS_PASSWORD: 'testing',
      OS_PROJECT_NAME: 'test',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_REGION_NAME: 'RegionOne',
      OS_IDENTITY_API_VERSION: '3',
    });
    assert.equal((await conn.getAuth())[0], need('KS_STORAGE_URL'));
    await conn.headAccount();
  });
});
