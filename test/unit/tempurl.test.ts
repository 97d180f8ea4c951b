// generateTempUrl against python-swiftclient's generate_temp_url: every
// case runs through both, in one python process per time zone, and the
// outputs (or error messages) must be identical.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ClientException } from '../../src/index.js';
import { formPostHiddenInputs, generateFormPost, generateTempUrl, signTempUrl, type TempUrlDigest } from '../../src/extras.js';

const PYTHON = '/usr/bin/python3';

// Bytes travel as {"b64": ...}; python's bytes results come back the same way.
const PY_SCRIPT = String.raw`
import base64, json, sys
from swiftclient import utils

def arg(v):
    return base64.b64decode(v['b64']) if isinstance(v, dict) else v

out = []
for c in json.load(sys.stdin):
    utils.time.time = (lambda n: (lambda: n))(c['now'])
    try:
        r = utils.generate_temp_url(arg(c['path']), arg(c['seconds']), arg(c['key']), c['method'],
                                    absolute=c['absolute'], prefix=c['prefix'], iso8601=c['iso8601'],
                                    ip_range=arg(c['ipRange']), digest=c['digest'])
        out.append({'ok': {'b64': base64.b64encode(r).decode()} if isinstance(r, bytes) else r})
    except Exception as e:
        out.append({'error': str(e)})
json.dump(out, sys.stdout)
`;

const havePython = spawnSync(PYTHON, ['-c', 'import swiftclient.utils'], { stdio: 'ignore' }).status === 0;

type Wire = string | { b64: string };
interface Case {
  name: string;
  path: string | Buffer;
  seconds: number | string;
  key: string | Buffer;
  method: string;
  absolute?: boolean;
  prefix?: boolean;
  iso8601?: boolean;
  ipRange?: string | Buffer;
  digest?: string;
  now?: number;
}

const NOW = 1700000000.75;
const OBJ = '/v1/AUTH_test/c/o';

/** The hand-written table: every option and each error python raises. */
const CASES: Case[] = [
  { name: 'defaults (sha256, relative)', path: OBJ, seconds: 3600, key: 'secret', method: 'GET' },
  { name: 'sha1', path: OBJ, seconds: 60, key: 'secret', method: 'PUT', digest: 'sha1' },
  { name: 'sha512 base64url signature', path: OBJ, seconds: 60, key: 'secret', method: 'GET', digest: 'sha512' },
  { name: 'lower-case method', path: OBJ, seconds: 60, key: 'secret', method: 'head' },
  { name: 'absolute number', path: OBJ, seconds: 2000000000, key: 'k', method: 'GET', absolute: true },
  { name: 'absolute string', path: OBJ, seconds: '2000000000', key: 'k', method: 'DELETE', absolute: true },
  { name: 'relative string', path: OBJ, seconds: '86400', key: 'k', method: 'POST' },
  { name: 'suffix s', path: OBJ, seconds: '90s', key: 'k', method: 'GET' },
  { name: 'suffix m', path: OBJ, seconds: '5m', key: 'k', method: 'GET' },
  { name: 'suffix min', path: OBJ, seconds: '5min', key: 'k', method: 'GET' },
  { name: 'suffix h', path: OBJ, seconds: '2h', key: 'k', method: 'GET' },
  { name: 'suffix hr', path: OBJ, seconds: '2hr', key: 'k', method: 'GET' },
  { name: 'suffix d', path: OBJ, seconds: '7d', key: 'k', method: 'GET' },
  { name: 'fractional suffix', path: OBJ, seconds: '1.5m', key: 'k', method: 'GET' },
  { name: 'suffix with absolute', path: OBJ, seconds: '5m', key: 'k', method: 'GET', absolute: true },
  { name: 'ISO 8601 UTC', path: OBJ, seconds: '2030-01-02T03:04:05Z', key: 'k', method: 'GET' },
  { name: 'ISO 8601 local', path: OBJ, seconds: '2030-07-02T03:04:05', key: 'k', method: 'GET' },
  { name: 'ISO 8601 date', path: OBJ, seconds: '2030-07-02', key: 'k', method: 'GET' },
  { name: 'ISO 8601 lower case t and z', path: OBJ, seconds: '2030-1-2t3:4:5z', key: 'k', method: 'GET' },
  { name: 'iso8601 output', path: OBJ, seconds: 3600, key: 'k', method: 'GET', iso8601: true },
  { name: 'iso8601 output of ISO input', path: OBJ, seconds: '2030-01-02T03:04:05Z', key: 'k', method: 'GET', iso8601: true, digest: 'sha512' },
  { name: 'prefix', path: '/v1/AUTH_test/c/pre', seconds: 60, key: 'k', method: 'GET', prefix: true },
  { name: 'prefix empty', path: '/v1/AUTH_test/c/', seconds: 60, key: 'k', method: 'GET', prefix: true, digest: 'sha1' },
  { name: 'prefix with slashes', path: '/v1/AUTH_test/c/a/b/', seconds: 60, key: 'k', method: 'GET', prefix: true, iso8601: true },
  { name: 'ip range', path: OBJ, seconds: 60, key: 'k', method: 'GET', ipRange: '127.0.0.1' },
  { name: 'ip range CIDR + prefix + sha512', path: '/v1/AUTH_test/c/p', seconds: 60, key: 'k', method: 'GET', ipRange: '10.0.0.0/8', prefix: true, digest: 'sha512' },
  { name: 'ip range IPv6', path: OBJ, seconds: 60, key: 'k', method: 'PUT', ipRange: '::1/128' },
  { name: 'ip range bytes', path: OBJ, seconds: 60, key: 'k', method: 'GET', ipRange: Buffer.from('192.168.0.0/16') },
  { name: 'ip range empty string', path: OBJ, seconds: 60, key: 'k', method: 'GET', ipRange: '' },
  { name: 'unicode path and key', path: '/v1/AUTH_test/cöntainer/ôbject ✓', seconds: 60, key: 'kéy☃', method: 'GET' },
  { name: 'bytes path', path: Buffer.from('/v1/AUTH_test/c/öbj'), seconds: 60, key: 'k', method: 'GET' },
  { name: 'bytes key', path: OBJ, seconds: 60, key: Buffer.from([0xff, 0x00, 0x80]), method: 'GET' },
  { name: 'empty key', path: OBJ, seconds: 60, key: '', method: 'GET' },
  { name: 'object with slashes', path: '/v1/AUTH_test/c/a/b/c', seconds: 60, key: 'k', method: 'GET' },
  { name: 'non-standard method', path: OBJ, seconds: 60, key: 'k', method: 'PATCH' },
  { name: 'zero seconds', path: OBJ, seconds: 0, key: 'k', method: 'GET' },
  { name: 'error: negative seconds', path: OBJ, seconds: -1, key: 'k', method: 'GET' },
  { name: 'error: fractional seconds', path: OBJ, seconds: 1.5, key: 'k', method: 'GET' },
  { name: 'error: garbage seconds', path: OBJ, seconds: 'soon', key: 'k', method: 'GET' },
  { name: 'error: impossible date', path: OBJ, seconds: '2030-02-30', key: 'k', method: 'GET' },
  { name: 'error: infinite suffix', path: OBJ, seconds: 'infs', key: 'k', method: 'GET' },
  { name: 'error: container only', path: '/v1/AUTH_test/c', seconds: 60, key: 'k', method: 'GET' },
  { name: 'error: empty object', path: '/v1/AUTH_test/c/', seconds: 60, key: 'k', method: 'GET' },
  { name: 'error: relative path', path: 'v1/AUTH_test/c/o', seconds: 60, key: 'k', method: 'GET' },
  { name: 'error: empty account', path: '/v1//c/o', seconds: 60, key: 'k', method: 'GET' },
  { name: 'error: prefix without trailing slash', path: '/v1/AUTH_test/c', seconds: 60, key: 'k', method: 'GET', prefix: true },
  { name: 'error: bad digest', path: OBJ, seconds: 60, key: 'k', method: 'GET', digest: 'md5' },
  { name: 'error: upper-case digest', path: OBJ, seconds: 60, key: 'k', method: 'GET', digest: 'SHA256' },
  { name: 'error: bytes path not UTF-8', path: Buffer.from([0x2f, 0xff, 0x2f]), seconds: 60, key: 'k', method: 'GET' },
  { name: 'error: bytes ip range not UTF-8', path: OBJ, seconds: 60, key: 'k', method: 'GET', ipRange: Buffer.from([0xc3]) },
  { name: 'error: time checked before path', path: 'bad', seconds: 'bad', key: 'k', method: 'GET', digest: 'md5' },
];

/** How `seconds` is read: every form python accepts or refuses, each with absolute and iso8601 on and off. */
const SECONDS = [
  '2024-01-01T00:00:00Z', '2024-1-1t1:2:3z', '2024-02-29', '2023-02-29', '0000-01-01', '0050-01-01T00:00:00Z',
  '2024-01-01T00:00:61Z', '2024-01-01T00:00:61', ' 2024-01-01', '2024-01- 1', '2024-13-01', '2024-12-31T24:00:00',
  '2024-01-011', '1969-12-31T23:59:59Z', '9999-12-31T23:59:59Z', '٢٠٢٤-01-01T00:00:00Z', '1800-01-01',
  '1_000', '1_000s', '1__0', '5_', '1_e5', '-5s', '1.5m', '1.9s', '-1.9s', '.5s', '-0.0s', 'nans', 'infs', '1e400s',
  '1E2m', '-infd', ' 5 s', '5min', '5hr', '-1hr', '2d', '2x', '5s', '',
  '٣٠', '٣٠s', '𝟘𝟙', '²', '\u00a05\u2003', '\x1c5\x1f', '\ufeff5', '\x855', '1\x0b', '3600\n',
  '0x10', '5', '1e3', '-0', '+5', '5.', '1.e5', '._5', '1e', 'Infinity', '-iNf', '1_0.5_0e1_0',
  '12345678901234567890', '1e20', '1e308s', '-1e20s', '1e17', '67767976233532800', '-6.7768040609740800e16s', '-6.7768040609740801e16s',
];

const wire = (v: string | Buffer | undefined): Wire | null => (v === undefined ? null : Buffer.isBuffer(v) ? { b64: v.toString('base64') } : v);

function runPython(cases: Case[], tz: string): Array<{ ok?: Wire; error?: string }> {
  const input = cases.map((c) => ({
    path: wire(c.path),
    seconds: c.seconds,
    key: wire(c.key),
    method: c.method,
    absolute: c.absolute ?? false,
    prefix: c.prefix ?? false,
    iso8601: c.iso8601 ?? false,
    ipRange: wire(c.ipRange),
    digest: c.digest ?? 'sha256',
    now: c.now ?? NOW,
  }));
  const out = execFileSync(PYTHON, ['-c', PY_SCRIPT], { input: JSON.stringify(input), env: { ...process.env, TZ: tz }, maxBuffer: 64 << 20 });
  return JSON.parse(out.toString('utf8')) as Array<{ ok?: Wire; error?: string }>;
}

function runOurs(c: Case): { ok?: Wire; error?: string } {
  try {
    const options = {
      absolute: c.absolute ?? false,
      prefix: c.prefix ?? false,
      iso8601: c.iso8601 ?? false,
      digest: (c.digest ?? 'sha256') as TempUrlDigest,
      now: c.now ?? NOW,
      ...(c.ipRange === undefined ? {} : { ipRange: c.ipRange }),
    };
    const result = Buffer.isBuffer(c.path)
      ? generateTempUrl(c.path, c.seconds, c.key, c.method, options)
      : generateTempUrl(c.path, c.seconds, c.key, c.method, options);
    return { ok: wire(result) as Wire };
  } catch (err) {
    assert.ok(err instanceof ClientException, `${c.name}: expected a ClientException, got ${String(err)}`);
    return { error: err.message };
  }
}

function secondsCases(): Case[] {
  const cases: Case[] = [];
  for (const seconds of SECONDS) {
    for (const absolute of [false, true]) {
      for (const iso8601 of [false, true]) cases.push({ name: `seconds ${JSON.stringify(seconds)}`, path: OBJ, seconds, key: 'k', method: 'GET', absolute, iso8601 });
    }
  }
  return cases;
}

function compare(cases: Case[], tz: string): void {
  const expected = runPython(cases, tz);
  assert.equal(expected.length, cases.length);
  const previousTz = process.env.TZ;
  process.env.TZ = tz; // Node applies a changed TZ at once
  try {
    const mismatches: string[] = [];
    cases.forEach((c, i) => {
      const ours = runOurs(c);
      const theirs = expected[i];
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        mismatches.push(`${c.name} (absolute=${c.absolute ?? false}, iso8601=${c.iso8601 ?? false}):\n  ours   ${JSON.stringify(ours)}\n  python ${JSON.stringify(theirs)}`);
      }
    });
    assert.deepEqual(mismatches, []);
  } finally {
    if (previousTz === undefined) delete process.env.TZ;
    else process.env.TZ = previousTz;
  }
}

describe('generateTempUrl matches python-swiftclient 4.1', () => {
  // the comparison is part of the suite: without python it fails, never skips
  before(() => assert.ok(havePython, 'python3-swiftclient is not installed (scripts/swift-aio installs it)'));
  test(`the option table (${CASES.length} cases) is byte-identical, errors included`, () => {
    // Both sides must really produce results and errors, or the table proves little.
    const expected = runPython(CASES, 'UTC');
    assert.ok(expected.filter((r) => r.ok !== undefined).length >= 30);
    assert.ok(expected.filter((r) => r.error !== undefined).length >= 10);
    compare(CASES, 'UTC');
  });

  test(`every form of seconds (${SECONDS.length * 4} cases) reads the same, in UTC`, () => {
    compare(secondsCases(), 'UTC');
  });

  test('local-time ISO 8601 input follows TZ as python does (America/New_York, Australia/Lord_Howe)', () => {
    // Local times that exist exactly once (python's choice for a repeated
    // hour depends on glibc's internal state and cannot be matched).
    const local = ['2030-07-02T03:04:05', '2030-01-02T03:04:05', '2030-07-02', '2024-03-10T02:30:00', '1883-11-18T12:03:58', '0001-01-01'];
    for (const tz of ['America/New_York', 'Australia/Lord_Howe']) {
      compare(
        local.map((seconds) => ({ name: `${tz} ${seconds}`, path: OBJ, seconds, key: 'k', method: 'GET', iso8601: true })),
        tz,
      );
      compare(
        local.map((seconds) => ({ name: `${tz} ${seconds}`, path: OBJ, seconds, key: 'k', method: 'GET' })),
        tz,
      );
    }
  });
});

describe('generateTempUrl', () => {
  test('is the documented HMAC over method, expiry and path', () => {
    const url = generateTempUrl('/v1/AUTH_a/c/o', 100, 'key', 'get', { now: 1000.9 });
    const sig = createHmac('sha256', 'key').update('GET\n1100\n/v1/AUTH_a/c/o').digest('hex');
    assert.equal(url, `/v1/AUTH_a/c/o?temp_url_sig=${sig}&temp_url_expires=1100`);
  });

  test('ip range and prefix are signed and appended in python\'s order', () => {
    const url = generateTempUrl('/v1/AUTH_a/c/pre', 100, 'key', 'GET', { now: 0, prefix: true, ipRange: '1.2.3.4', digest: 'sha512' });
    const sig = createHmac('sha512', 'key').update('ip=1.2.3.4\nGET\n100\nprefix:/v1/AUTH_a/c/pre').digest('base64url');
    assert.equal(url, `/v1/AUTH_a/c/pre?temp_url_sig=sha512:${sig}&temp_url_expires=100&temp_url_ip_range=1.2.3.4&temp_url_prefix=pre`);
  });

  test('now may be a Date; the default is the clock', () => {
    const fromDate = generateTempUrl(OBJ, 60, 'k', 'GET', { now: new Date(1_700_000_000_500) });
    assert.equal(fromDate, generateTempUrl(OBJ, 60, 'k', 'GET', { now: 1_700_000_000.5 }));
    const before = Math.trunc(Date.now() / 1000) + 60;
    const parts = signTempUrl(OBJ, 60, 'k', 'GET');
    const after = Math.trunc(Date.now() / 1000) + 60;
    assert.ok(Number(parts.expires) >= before && Number(parts.expires) <= after, parts.expires);
  });

  test('a bytes path gives bytes back', () => {
    const out = generateTempUrl(Buffer.from(OBJ), 60, 'k', 'GET', { now: 0 });
    assert.ok(Buffer.isBuffer(out));
    assert.equal(out.toString(), generateTempUrl(OBJ, 60, 'k', 'GET', { now: 0 }));
  });

  test('bad input rejects with a ClientException carrying python\'s message', () => {
    assert.throws(() => generateTempUrl('/v1/a/c', 60, 'k', 'GET'), (err: unknown) => err instanceof ClientException && err.message === 'path must be full path to an object e.g. /v1/a/c/o');
    assert.throws(() => generateTempUrl(OBJ, 'tomorrow', 'k', 'GET'), /time must either be a whole number or in specific ISO 8601 format/);
    assert.throws(() => generateTempUrl(OBJ, 60, 'k', 'GET', { digest: 'md5' as TempUrlDigest }), /digest must be one of sha1, sha256, or sha512/);
    assert.throws(() => generateTempUrl(OBJ, 60, undefined as unknown as string, 'GET'), /key must be a string or bytes/);
    assert.throws(() => generateTempUrl(OBJ, null as unknown as number, 'k', 'GET'), /seconds must be a number or a string/);
    assert.throws(() => generateTempUrl(OBJ, 60, 'k', 'GET', { now: NaN }), /now must be a finite number/);
    assert.throws(() => generateTempUrl('/v1/a/c/\ud800', 60, 'k', 'GET'), /representable as UTF-8/);
  });

  test('a non-standard method is allowed with a process warning, as python logs one', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error & { code?: string }): void => {
      if (w.code === 'SWIFTCLIENT_TEMPURL_METHOD' && w.message.includes('PURGE')) warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      generateTempUrl(OBJ, 60, 'k', 'purge', { now: 0 });
      generateTempUrl(OBJ, 60, 'k', 'GET', { now: 0 });
      generateTempUrl(OBJ, 60, 'k', 'Delete', { now: 0 });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]?.message ?? '', /Non default HTTP method PURGE for tempurl specified, possibly an error/);
  });
});

describe('generateFormPost', () => {
  const base = { path: '/v1/AUTH_test/c/uploads/', key: 'secret', seconds: 600, maxFileSize: 1024, maxFileCount: 2, now: 1000.7 };

  test('signs path, redirect, sizes and expiry; fields come in form order', () => {
    const form = generateFormPost({ ...base, redirect: 'https://example.com/done' });
    const body = '/v1/AUTH_test/c/uploads/\nhttps://example.com/done\n1024\n2\n1600';
    assert.equal(form.expires, '1600');
    assert.equal(form.signature, createHmac('sha256', 'secret').update(body).digest('hex'));
    assert.deepEqual(form.fields, [
      ['redirect', 'https://example.com/done'],
      ['max_file_size', '1024'],
      ['max_file_count', '2'],
      ['expires', '1600'],
      ['signature', form.signature],
    ]);
  });

  test('without redirect the HMAC has an empty line and no redirect field', () => {
    const form = generateFormPost({ ...base, digest: 'sha1' });
    assert.equal(form.signature, createHmac('sha1', 'secret').update('/v1/AUTH_test/c/uploads/\n\n1024\n2\n1600').digest('hex'));
    assert.deepEqual(form.fields.map(([name]) => name), ['max_file_size', 'max_file_count', 'expires', 'signature']);
  });

  test('base64 signatures carry the digest name; hex and base64 are the same MAC', () => {
    for (const digest of ['sha1', 'sha256', 'sha512'] as const) {
      const hex = generateFormPost({ ...base, digest }).signature;
      const b64 = generateFormPost({ ...base, digest, signatureEncoding: 'base64' }).signature;
      assert.ok(b64.startsWith(`${digest}:`), b64);
      assert.equal(Buffer.from(b64.slice(digest.length + 1), 'base64url').toString('hex'), hex);
    }
  });

  test('absolute and ISO expiry, delete fields, quoted action, escaped HTML', () => {
    const form = generateFormPost({ ...base, path: '/v1/AUTH_test/c/my "dir"/', seconds: '2030-01-01T00:00:00Z', deleteAfter: 60, deleteAt: new Date(2_000_000_000_000) });
    assert.equal(form.expires, '1893456000');
    assert.equal(form.action, '/v1/AUTH_test/c/my%20%22dir%22/');
    assert.deepEqual(form.fields.slice(-2), [
      ['x_delete_at', '2000000000'],
      ['x_delete_after', '60'],
    ]);
    const html = formPostHiddenInputs({ ...form, fields: [['redirect', 'https://x/?a=1&b="2"']] });
    assert.equal(html, '<input type="hidden" name="redirect" value="https://x/?a=1&amp;b=&quot;2&quot;" />');
    assert.equal(generateFormPost({ ...base, seconds: 2_000_000_000, absolute: true }).expires, '2000000000');
  });

  test('bad input is refused', () => {
    assert.throws(() => generateFormPost({ ...base, path: '/v1/AUTH_test' }), /path must at least contain \/v1\/a\/c/);
    assert.throws(() => generateFormPost({ ...base, maxFileSize: -1 }), /maxFileSize must be a non-negative whole number/);
    assert.throws(() => generateFormPost({ ...base, maxFileCount: 1.5 }), /maxFileCount/);
    assert.throws(() => generateFormPost({ ...base, digest: 'md5' as TempUrlDigest }), /digest must be one of/);
    assert.throws(() => generateFormPost({ ...base, seconds: 'later' }), /time must either be a whole number/);
  });
});
