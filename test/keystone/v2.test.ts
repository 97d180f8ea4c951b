import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ClientException, Connection, Session, v2 } from '../../src/index.js';
import { SWIFT, purgeContainer, unique } from '../helpers/env.js';
import { startV2Responder, type V2Responder } from '../helpers/keystone-v2.js';

describe('Keystone v2.0 (documented-format responder, real Swift behind it)', () => {
  let keystone: V2Responder;
  const container = unique('ks-v2');
  const user = { username: 'tester', password: 'testing', tenantName: 'test', tenantId: 'tenant-test-id', swiftUser: SWIFT.user, swiftKey: SWIFT.key };

  before(async () => {
    keystone = await startV2Responder(SWIFT.authUrl, [user]);
  });
  after(async () => {
    const conn = new Connection({ authUrl: SWIFT.authUrl, user: SWIFT.user, key: SWIFT.key });
    await purgeContainer(conn, container);
    await conn.close();
    await keystone.close();
  });

  test('Connection authVersion 2 with tenantName: put/get/delete round trip', async () => {
    const conn = new Connection({ authUrl: `${keystone.url}/v2.0`, user: 'tester', key: 'testing', tenantName: 'test', authVersion: '2' });
    await conn.putContainer(container);
    const etag = await conn.putObject(container, 'v2.txt', 'via keystone v2');
    assert.equal(etag, createHash('md5').update('via keystone v2').digest('hex'));
    const [, body] = await conn.getObject(container, 'v2.txt');
    assert.equal(body.toString(), 'via keystone v2');
    await conn.deleteObject(container, 'v2.txt');
    await assert.rejects(conn.headObject(container, 'v2.txt'), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);
    const last = keystone.tokenRequests.at(-1) as { auth: { passwordCredentials: unknown; tenantName: string } };
    assert.deepEqual(last.auth.passwordCredentials, { username: 'tester', password: 'testing' });
    assert.equal(last.auth.tenantName, 'test');
    await conn.close();
  });

  test("versionless auth URL gets /v2.0, and 'tenant:user' names the tenant", async () => {
    const conn = new Connection({ authUrl: keystone.url, user: 'test:tester', key: 'testing', authVersion: 2 });
    const [url, token] = await conn.getAuth();
    assert.match(url, /\/v1\/AUTH_test$/);
    assert.ok(token.length > 10);
    await conn.close();
  });

  test('endpointType internalURL picks the internal endpoint; unknown region is a clear error', async () => {
    const internal = new Connection({
      authUrl: `${keystone.url}/v2.0`, user: 'tester', key: 'testing', tenantName: 'test', authVersion: '2.0',
      osOptions: { endpointType: 'internalURL' },
    });
    const [url] = await internal.getAuth();
    assert.match(url, /^http:\/\/localhost:8080\//);
    const wrongRegion = new Connection({
      authUrl: `${keystone.url}/v2.0`, user: 'tester', key: 'testing', tenantName: 'test', authVersion: '2',
      osOptions: { regionName: 'Nowhere' },
    });
    await assert.rejects(wrongRegion.getAuth(), /Endpoint for object-store not found - have you specified a region\?/);
  });

  test('no tenant: "No tenant specified"; wrong password: 401', async () => {
    const noTenant = new Connection({ authUrl: `${keystone.url}/v2.0`, user: 'tester', key: 'testing', authVersion: '2' });
    await assert.rejects(noTenant.headAccount(), /No tenant specified/);
    const wrong = new Connection({ authUrl: `${keystone.url}/v2.0`, user: 'tester', key: 'nope', tenantName: 'test', authVersion: '2', retries: 0 });
    await assert.rejects(wrong.headAccount(), (err: unknown) => {
      assert.ok(err instanceof ClientException);
      assert.equal(err.httpStatus, 401);
      assert.ok(!String(err).includes('nope'));
      return true;
    });
  });

  test('v2.Token plugin: a token from an earlier login, rescoped to a tenant, opens the account', async () => {
    const [, earlier] = await new Connection({ authUrl: `${keystone.url}/v2.0`, user: 'tester', key: 'testing', tenantName: 'test', authVersion: '2' }).getAuth();
    const session = new Session({ auth: new v2.Token({ authUrl: `${keystone.url}/v2.0`, token: earlier, tenantName: 'test' }) });
    const conn = new Connection({ session });
    await conn.putContainer(container);
    await conn.putObject(container, 'by-token.txt', 'via a v2 token');
    const last = keystone.tokenRequests.at(-1) as { auth: Record<string, unknown> };
    assert.deepEqual(last.auth, { token: { id: earlier }, tenantName: 'test' });
    const direct = new Connection({ authUrl: SWIFT.authUrl, user: SWIFT.user, key: SWIFT.key });
    assert.equal((await direct.getObject(container, 'by-token.txt'))[1].toString(), 'via a v2 token');
    await direct.deleteObject(container, 'by-token.txt');
    await direct.close();
    await conn.close();
    await session.close();
  });

  test('v2.Password plugin in a Session', async () => {
    const session = new Session({ auth: new v2.Password({ authUrl: `${keystone.url}/v2.0`, username: 'tester', password: 'testing', tenantId: 'tenant-test-id' }) });
    const conn = new Connection({ session });
    const headers = await conn.headAccount();
    assert.ok(headers['x-account-container-count'] !== undefined);
    assert.equal(await session.getEndpoint({ serviceType: 'object-store', interface: 'internal' }), (await conn.getAuth())[0].replace('127.0.0.1', 'localhost'));
    await conn.close();
  });
});
