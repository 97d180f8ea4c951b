import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findEndpoint, isExpiring, normalizeInterface, type AccessInfo } from '../../src/auth/access.js';
import { parseAuthVersion } from '../../src/auth/connection-auth.js';
import { versionedAuthUrl } from '../../src/auth/keystone.js';
import { connectionOptionsFromEnv } from '../../src/env.js';
import { ClientException, Connection, v3 } from '../../src/index.js';

test('versionless Keystone URLs get /v3 or /v2.0, as swiftclient does', () => {
  assert.equal(versionedAuthUrl('http://k:5000', 3), 'http://k:5000/v3');
  assert.equal(versionedAuthUrl('http://k:5000/', 3), 'http://k:5000/v3');
  assert.equal(versionedAuthUrl('http://k:5000/identity/', 2), 'http://k:5000/identity/v2.0');
  assert.equal(versionedAuthUrl('http://k:5000/v3/', 3), 'http://k:5000/v3/');
  assert.equal(versionedAuthUrl('http://k:5000/v2.0', 3), 'http://k:5000/v2.0');
  assert.equal(versionedAuthUrl('http://k:5000/v3.0', 2), 'http://k:5000/v3.0');
});

test('authVersion spellings', () => {
  for (const v of ['1', '1.0', 1]) assert.equal(parseAuthVersion(v, false), '1');
  for (const v of ['2', '2.0', 2]) assert.equal(parseAuthVersion(v, false), '2');
  for (const v of ['3', '3.0', 3]) assert.equal(parseAuthVersion(v, false), '3');
  assert.throws(() => parseAuthVersion('4', false), /Unknown auth_version 4 specified and no session found/);
});

test('unknown authVersion rejects the call (never a synchronous throw)', async () => {
  const conn = new Connection({ authUrl: 'http://127.0.0.1:9/auth/v1.0', user: 'a:b', key: 'k', authVersion: '4' });
  await assert.rejects(conn.headAccount(), (err: unknown) => err instanceof ClientException && /Unknown auth_version 4/.test(err.message));
});

const access: AccessInfo = {
  token: 't',
  expiresAt: undefined,
  catalog: [
    { type: 'identity', name: 'keystone', endpoints: [{ interface: 'public', region: 'RegionOne', url: 'http://id' }] },
    {
      type: 'object-store',
      name: 'swift',
      endpoints: [
        { interface: 'public', region: 'RegionOne', url: 'http://pub1' },
        { interface: 'internal', region: 'RegionOne', url: 'http://int1' },
        { interface: 'public', region: 'RegionTwo', url: 'http://pub2' },
      ],
    },
  ],
};

test('catalog lookup by service type, interface (v2 spellings too) and region', () => {
  assert.equal(findEndpoint(access, {}), 'http://pub1');
  assert.equal(findEndpoint(access, { interface: 'internalURL' }), 'http://int1');
  assert.equal(findEndpoint(access, { interface: 'internal' }), 'http://int1');
  assert.equal(findEndpoint(access, { regionName: 'RegionTwo' }), 'http://pub2');
  assert.equal(findEndpoint(access, { serviceType: 'identity' }), 'http://id');
  assert.throws(() => findEndpoint(access, { regionName: 'Nowhere' }), /Endpoint for object-store not found - have you specified a region\?/);
  assert.throws(() => findEndpoint(access, { interface: 'admin' }), /Endpoint for object-store not found/);
  assert.equal(normalizeInterface('publicURL'), 'public');
  assert.equal(normalizeInterface('adminURL'), 'admin');
});

test('tokens count as expired 60 s early', () => {
  const now = Date.now();
  assert.equal(isExpiring(undefined, now), false);
  assert.equal(isExpiring(new Date(now + 120_000), now), false);
  assert.equal(isExpiring(new Date(now + 59_000), now), true);
  assert.equal(isExpiring(new Date(now - 1), now), true);
});

test('options from ST_* (v1) and OS_* (Keystone) environments', () => {
  const st = connectionOptionsFromEnv({ ST_AUTH: 'http://s/auth/v1.0', ST_USER: 'a:b', ST_KEY: 'k' });
  assert.equal(st.authUrl, 'http://s/auth/v1.0');
  assert.equal(st.user, 'a:b');
  assert.equal(st.key, 'k');
  assert.equal(st.authVersion, '1.0');
  const os = connectionOptionsFromEnv({
    OS_AUTH_URL: 'http://k:5000/v3',
    OS_USERNAME: 'u',
    OS_PASSWORD: 'p',
    OS_PROJECT_NAME: 'proj',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'internal',
  });
  assert.equal(os.authVersion, '3');
  assert.equal(os.user, 'u');
  assert.deepEqual(os.osOptions, {
    projectName: 'proj',
    userDomainName: 'Default',
    projectDomainName: 'Default',
    endpointType: 'internal',
    regionName: 'RegionOne',
  });
  const v2 = connectionOptionsFromEnv({ OS_AUTH_URL: 'http://k/v2.0', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_TENANT_NAME: 't', OS_IDENTITY_API_VERSION: '2' });
  assert.equal(v2.authVersion, '2');
  assert.equal(v2.osOptions?.tenantName, 't');
});

test('plugins and connections keep secrets out of JSON and inspect output', async () => {
  const { inspect } = await import('node:util');
  const plugin = new v3.Password({ authUrl: 'http://k/v3', username: 'u', password: 'sekrit-password', projectName: 'p' });
  assert.ok(!JSON.stringify(plugin).includes('sekrit'));
  assert.ok(!inspect(plugin, { depth: 5 }).includes('sekrit'));
  const conn = new Connection({ authUrl: 'http://s', user: 'u', key: 'sekrit-key', preauthToken: 'AUTH_tk0123456789abcdef0123456789' });
  assert.ok(!JSON.stringify(conn).includes('sekrit'));
  assert.ok(!JSON.stringify(conn).includes('0123456789abcdef0123456789'));
  assert.ok(!inspect(conn, { depth: 5 }).includes('sekrit'));
  assert.ok(!inspect(conn, { depth: 5 }).includes('0123456789abcdef0123456789'));
});
