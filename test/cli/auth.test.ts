// Credentials from openrc variables, application credentials, and
// clouds.yaml (OS_CLOUD / --os-cloud, with secure.yaml) against the real
// Keystone; python-swiftclient's `swift` (which has no clouds.yaml support)
// run with the equivalent openrc variables gives the same output.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SWIFT } from '../helpers/env.js';
import { makePki, startTlsFront } from '../helpers/tls-front.js';
import { cleanEnv, KEYSTONE_AVAILABLE, normaliseStat, openrc, ours, python, TEMPAUTH } from './helpers.js';

/** Keystone is part of the suite: without it these tests fail, never skip. */
function needKeystone(): void {
  assert.ok(KEYSTONE_AVAILABLE, 'Keystone is not running: run the tests through scripts/test (it starts scripts/keystone-aio)');
}
const storageUrl = process.env.KS_STORAGE_URL ?? '';
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'swiftclient-clouds-'));
  const authUrl = process.env.KS_AUTH_URL ?? 'http://127.0.0.1:5000/v3';
  writeFileSync(
    join(dir, 'clouds.yaml'),
    `clouds:
  devstack:
    auth:
      auth_url: ${authUrl}
      username: tester
      project_name: test
      domain_name: Default
    region_name: ${process.env.KS_REGION ?? 'RegionOne'}
    interface: public
    identity_api_version: 3
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: ${authUrl}
      application_credential_id: ${process.env.KS_APPCRED_ID ?? ''}
    region_name: ${process.env.KS_REGION ?? 'RegionOne'}
  broken:
    auth:
      auth_url: ${authUrl}
      username: tester
      password: wrong
      project_name: test
      user_domain_name: Default
      project_domain_name: Default
`,
  );
  // secrets live in secure.yaml, merged over clouds.yaml
  writeFileSync(
    join(dir, 'secure.yaml'),
    `clouds:
  devstack:
    auth:
      password: testing
  appcred:
    auth:
      application_credential_secret: ${process.env.KS_APPCRED_SECRET ?? ''}
`,
  );
  mkdirSync(join(dir, 'elsewhere'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

const volatile = ['Containers', 'Objects', 'Bytes', 'X-Timestamp', 'Last-Modified'];

describe('Keystone credentials', { concurrency: true }, () => {
  before(needKeystone);
  test('openrc variables: stat and auth as swift prints them', async () => {
    const env = cleanEnv(openrc());
    const [a, b, authA, authB, authV] = await Promise.all([
      ours(['stat'], { env }),
      python(['stat'], { env }),
      ours(['auth'], { env }),
      python(['auth', '-v'], { env }),
      ours(['auth', '-v'], { env }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(normaliseStat(a.stdout, volatile), normaliseStat(b.stdout, volatile));
    assert.match(a.stdout, new RegExp(`Account: ${storageUrl.split('/').pop()}\\n`));
    assert.equal(authA.stdout.split('\n')[0], `export OS_STORAGE_URL=${storageUrl}`);
    assert.match(authA.stdout.split('\n')[1] ?? '', /^export OS_AUTH_TOKEN=\S{20,}$/);
    assert.equal(authV.stdout, authB.stdout);
  });

  test('application credentials, from flags and from the environment', async () => {
    const flags = [
      '--os-auth-url',
      process.env.KS_AUTH_URL ?? '',
      '--os-auth-type',
      'v3applicationcredential',
      '--os-application-credential-id',
      process.env.KS_APPCRED_ID ?? '',
      '--os-application-credential-secret',
      process.env.KS_APPCRED_SECRET ?? '',
    ];
    const env = cleanEnv({
      OS_AUTH_URL: process.env.KS_AUTH_URL,
      OS_IDENTITY_API_VERSION: '3',
      OS_AUTH_TYPE: 'v3applicationcredential',
      OS_APPLICATION_CREDENTIAL_ID: process.env.KS_APPCRED_ID,
      OS_APPLICATION_CREDENTIAL_SECRET: process.env.KS_APPCRED_SECRET,
    });
    const [a, b, c] = await Promise.all([ours([...flags, 'auth'], { env: cleanEnv() }), ours(['auth'], { env }), python([...flags, '-V', '3', 'auth'], { env: cleanEnv() })]);
    for (const r of [a, b, c]) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.split('\n')[0], `export OS_STORAGE_URL=${storageUrl}`);
    }
    const missing = await ours(['--os-auth-type', 'v3applicationcredential', 'stat'], { env: cleanEnv({ OS_AUTH_URL: process.env.KS_AUTH_URL }) });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Auth version 3 \(application credential\) requires OS_APPLICATION_CREDENTIAL_ID/);
  });

  test('clouds.yaml by OS_CLIENT_CONFIG_FILE, from the current directory, --os-cloud; secure.yaml merged', async () => {
    const byFile = cleanEnv({ OS_CLOUD: 'devstack', OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'), OS_CLIENT_SECURE_FILE: join(dir, 'secure.yaml') });
    const [a, b, c, d, py] = await Promise.all([
      ours(['stat'], { env: byFile, cwd: join(dir, 'elsewhere') }),
      ours(['auth'], { env: cleanEnv({ OS_CLOUD: 'devstack' }), cwd: dir }),
      ours(['--os-cloud', 'appcred', 'auth'], { env: cleanEnv(), cwd: dir }),
      // the cloud wins over ST_* and OS_* variables, as in openstacksdk
      ours(['auth'], { env: cleanEnv({ ...TEMPAUTH, ...openrc(), OS_PASSWORD: 'wrong', OS_CLOUD: 'devstack' }), cwd: dir }),
      python(['stat'], { env: cleanEnv(openrc()) }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(normaliseStat(a.stdout, volatile), normaliseStat(py.stdout, volatile));
    for (const r of [b, c, d]) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.split('\n')[0], `export OS_STORAGE_URL=${storageUrl}`);
    }
  });

  test('clouds.yaml errors: an unknown cloud, wrong credentials', async () => {
    const [unknown, wrong, none] = await Promise.all([
      ours(['--os-cloud', 'nope', 'stat'], { env: cleanEnv(), cwd: dir }),
      ours(['stat'], { env: cleanEnv({ OS_CLOUD: 'broken' }), cwd: dir }),
      ours(['stat'], { env: cleanEnv({ OS_CLOUD: 'devstack', OS_CLIENT_CONFIG_FILE: join(dir, 'missing.yaml') }), cwd: join(dir, 'elsewhere') }),
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^Cloud nope was not found in \S+clouds\.yaml\n$/);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr.trimEnd().split('\n').length, 1, wrong.stderr);
    assert.match(wrong.stderr, /401/);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^Cloud devstack was not found: no clouds\.yaml in /);
  });
});

describe('Keystone auth refused with 404 (a wrong auth URL path)', () => {
  before(needKeystone);
  test('is reported as the auth failure it is, never as a missing account or container', async () => {
    const env = cleanEnv({ ...openrc(), OS_AUTH_URL: `${process.env.KS_AUTH_URL ?? 'http://127.0.0.1:5000/v3'}/nowhere` });
    const [stat, list, py] = await Promise.all([ours(['stat'], { env }), ours(['list', 'some-container'], { env }), python(['stat'], { env })]);
    assert.equal(py.code, 1);
    assert.match(py.stderr, /Not Found \(HTTP 404\)/);
    for (const run of [stat, list]) {
      assert.equal(run.code, 1);
      assert.doesNotMatch(run.stderr, /Account not found|Container '.*' not found/);
      assert.match(run.stderr, /Keystone v3 auth failed: \S+\/nowhere\S*\/auth\/tokens 404 Not Found/);
    }
  });
});

describe('TLS options', () => {
  test('--insecure, --os-cacert and SWIFTCLIENT_INSECURE against an HTTPS front of the Swift proxy', async () => {
    const pki = makePki();
    const front = await startTlsFront(pki, new URL(SWIFT.authUrl).origin);
    try {
      const info = `${front.url}/info`;
      const auth = `${front.url}/auth/v1.0`;
      const [untrusted, insecure, pyInsecure, cacert, byEnv, authed] = await Promise.all([
        ours(['capabilities', info], { env: cleanEnv() }),
        ours(['--insecure', 'capabilities', '--json', info], { env: cleanEnv() }),
        python(['--insecure', 'capabilities', '--json', info], { env: cleanEnv() }),
        ours(['--os-cacert', pki.caCert, 'capabilities', '--json', info], { env: cleanEnv() }),
        ours(['capabilities', '--json', info], { env: cleanEnv({ SWIFTCLIENT_INSECURE: 'true' }) }),
        ours(['--os-cacert', pki.caCert, '-A', auth, '-U', SWIFT.user, '-K', SWIFT.key, 'auth'], { env: cleanEnv() }),
      ]);
      assert.equal(untrusted.code, 1);
      assert.equal(untrusted.stderr.trimEnd().split('\n').length, 1, untrusted.stderr);
      assert.match(untrusted.stderr, /certificate/i);
      for (const r of [insecure, pyInsecure, cacert, byEnv, authed]) assert.equal(r.code, 0, r.stderr);
      assert.equal(insecure.stdout, pyInsecure.stdout);
      assert.equal(cacert.stdout, pyInsecure.stdout);
      assert.equal(byEnv.stdout, pyInsecure.stdout);
      assert.match(authed.stdout, /^export OS_STORAGE_URL=\S+\nexport OS_AUTH_TOKEN=AUTH_\S+\n$/);
    } finally {
      await front.close();
      pki.cleanup();
    }
  });
});
