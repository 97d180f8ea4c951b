import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ClientException } from '../../src/index.js';
import { redactHeaders, redactUrl, redactUrlQuery, redactValue, SENSITIVE_HEADERS } from '../../src/util/redact.js';

describe('ClientException', () => {
  test('is an Error with a name, msg and stack', () => {
    const err = new ClientException('boom');
    assert.ok(err instanceof Error);
    assert.ok(err instanceof ClientException);
    assert.equal(err.name, 'ClientException');
    assert.equal(err.msg, 'boom');
    assert.equal(err.message, 'boom');
    assert.equal(String(err), 'ClientException: boom');
    assert.ok(err.stack?.includes('boom'));
    assert.equal(err.httpStatus, undefined);
    assert.equal(err.transactionId, undefined);
  });

  // Expected strings produced by python-swiftclient 4.1's ClientException.__str__.
  const cases: Array<[ConstructorParameters<typeof ClientException>[1], string]> = [
    [{}, 'msg'],
    [{ httpStatus: 404 }, 'msg: 404'],
    [{ httpReason: 'Not Found' }, 'msg: - Not Found'],
    [{ httpStatus: 404, httpReason: 'Not Found' }, 'msg: 404 Not Found'],
    [{ httpDevice: 'sda1' }, 'msg: device sda1'],
    [
      {
        httpScheme: 'https',
        httpHost: 'h',
        httpPort: 443,
        httpPath: '/v1/a',
        httpQuery: 'x=1',
        httpStatus: 500,
        httpReason: 'Err',
        httpDevice: 'd1',
        httpResponseContent: 'short body',
        httpResponseHeaders: { 'x-trans-id': 'tx1' },
      },
      'msg: https://h:443/v1/a?x=1 500 Err: device d1   short body (txn: tx1)',
    ],
    [{ httpHost: 'h', httpResponseContent: 'x'.repeat(61) }, `msg: h  [first 60 chars of response] ${'x'.repeat(60)}`],
    [{ httpHost: 'h', httpResponseContent: 'y'.repeat(60) }, `msg: h   ${'y'.repeat(60)}`],
    [{ httpResponseHeaders: { 'x-openstack-request-id': 'req-1' } }, 'msg (txn: req-1)'],
    [{ httpResponseContent: 'body only' }, 'msg:    body only'],
  ];
  for (const [fields, expected] of cases) {
    test(`message layout like python: ${JSON.stringify(expected)}`, () => {
      const err = new ClientException('msg', fields);
      assert.equal(err.message, expected);
      assert.equal(err.msg, 'msg');
    });
  }

  test('fromResponse parses the URL and keeps status, reason, headers and body', () => {
    const body = '<html><h1>Not Found</h1><p>The resource could not be found.</p></html>';
    const err = ClientException.fromResponse(
      'Object GET failed',
      'http://127.0.0.1:8080/v1/AUTH_test/c/o%20x?multipart-manifest=get',
      404,
      'Not Found',
      { 'x-trans-id': 'tx123', 'content-type': 'text/html' },
      body,
    );
    assert.equal(err.httpScheme, 'http');
    assert.equal(err.httpHost, '127.0.0.1');
    assert.equal(err.httpPort, 8080);
    assert.equal(err.httpPath, '/v1/AUTH_test/c/o%20x');
    assert.equal(err.httpQuery, 'multipart-manifest=get');
    assert.equal(err.httpStatus, 404);
    assert.equal(err.httpReason, 'Not Found');
    assert.equal(err.httpResponseContent, body);
    assert.deepEqual(err.httpResponseHeaders, { 'x-trans-id': 'tx123', 'content-type': 'text/html' });
    assert.equal(err.transactionId, 'tx123');
    assert.equal(
      err.message,
      `Object GET failed: http://127.0.0.1:8080/v1/AUTH_test/c/o%20x?multipart-manifest=get 404 Not Found  [first 60 chars of response] ${body.slice(0, 60)} (txn: tx123)`,
    );
  });

  test('X-Trans-Id wins over X-Openstack-Request-Id, whatever the header case', () => {
    assert.equal(new ClientException('m', { httpResponseHeaders: { 'x-openstack-request-id': 'b', 'x-trans-id': 'a' } }).transactionId, 'a');
    assert.equal(new ClientException('m', { httpResponseHeaders: { 'X-Trans-Id': 'tx-mixed' } }).transactionId, 'tx-mixed');
    assert.equal(new ClientException('m', { httpResponseHeaders: { 'X-Openstack-Request-Id': 'req-mixed' } }).transactionId, 'req-mixed');
    assert.equal(new ClientException('m', { httpResponseHeaders: { other: 'x' } }).transactionId, undefined);
  });

  test('keeps the cause', () => {
    const cause = new Error('ECONNRESET');
    const err = new ClientException('GET request failed', { cause });
    assert.equal(err.cause, cause);
    assert.equal(new ClientException('x').cause, undefined);
  });

  test('toJSON is plain data with the message and every field that matters', () => {
    const err = new ClientException('Object GET failed', {
      httpScheme: 'http',
      httpHost: 'h',
      httpPort: 8080,
      httpPath: '/v1/a/c/o',
      httpStatus: 404,
      httpReason: 'Not Found',
      httpResponseContent: 'nope',
      httpResponseHeaders: { 'x-trans-id': 'tx9' },
    });
    const json = JSON.parse(JSON.stringify(err)) as Record<string, unknown>;
    assert.equal(json.name, 'ClientException');
    assert.equal(json.message, err.message);
    assert.equal(json.httpStatus, 404);
    assert.equal(json.httpReason, 'Not Found');
    assert.equal(json.httpHost, 'h');
    assert.equal(json.httpPort, 8080);
    assert.equal(json.httpPath, '/v1/a/c/o');
    assert.equal(json.httpResponseContent, 'nope');
    assert.equal(json.transactionId, 'tx9');
  });

  test('temp_url_sig is redacted in httpQuery, the message, JSON and inspect', () => {
    const sig = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
    const err = ClientException.fromResponse(
      'Object GET failed',
      `https://swift.example.com/v1/AUTH_a/c/o?temp_url_sig=${sig}&temp_url_expires=1700000000`,
      401,
      'Unauthorized',
      {},
      '',
    );
    assert.equal(err.httpPort, '', 'no port in the URL: none reported, as python-swiftclient');
    assert.ok(err.message.includes('https://swift.example.com/v1/'), err.message);
    assert.ok(err.httpQuery.startsWith('temp_url_sig='));
    assert.ok(err.httpQuery.endsWith('...&temp_url_expires=1700000000'), err.httpQuery);
    for (const text of [err.httpQuery, err.message, String(err), JSON.stringify(err), inspect(err, { depth: 5, showHidden: true })]) {
      assert.ok(!text.includes(sig), `signature leaked: ${text}`);
    }
    const direct = new ClientException('m', { httpQuery: `a=1&temp_url_sig=${sig}` });
    assert.ok(!direct.httpQuery.includes(sig));
    assert.ok(direct.httpQuery.startsWith('a=1&temp_url_sig='));
  });
});

describe('redact', () => {
  test('redactValue reveals like python safe_value: at most 16 chars, at most half, less when short', () => {
    const token = `AUTH_tk${'0123456789abcdef'.repeat(2)}`; // 39 chars
    assert.equal(redactValue(token), `${token.slice(0, 16)}...`);
    assert.equal(redactValue('abcdefgh'), 'ab...'); // min(16, 64/32, 4) = 2
    assert.equal(redactValue('abcdefghijklmnopqrst'), 'abcdefghij...'); // min(16, 12.5, 10)
    assert.equal(redactValue('abc'), '...');
    assert.equal(redactValue(''), '...');
    assert.equal(redactValue(token, 4), `${token.slice(0, 4)}...`);
    for (const value of ['x', 'xy', 'secret', token, 'z'.repeat(100)]) {
      const shown = redactValue(value).slice(0, -3);
      assert.ok(shown.length <= value.length / 2 && shown.length <= 16);
      assert.notEqual(redactValue(value), value);
    }
  });

  test('redactHeaders lower-cases names and redacts only secrets', () => {
    const token = 'AUTH_tk0123456789abcdef0123456789abcdef';
    const out = redactHeaders({ 'X-Auth-Token': token, 'X-Storage-Token': token, 'Content-Type': 'text/plain', 'X-Service-Token': token });
    assert.deepEqual(Object.keys(out), ['x-auth-token', 'x-storage-token', 'content-type', 'x-service-token']);
    assert.equal(out['content-type'], 'text/plain');
    for (const name of ['x-auth-token', 'x-storage-token', 'x-service-token']) {
      assert.equal(out[name], `${token.slice(0, 16)}...`);
    }
    for (const name of ['x-auth-token', 'x-auth-key', 'x-service-token', 'x-account-meta-temp-url-key', 'x-container-meta-temp-url-key-2', 'set-cookie']) {
      assert.ok(SENSITIVE_HEADERS.has(name), name);
    }
    // keys and passwords: not even a prefix
    const keys = redactHeaders({
      'X-Auth-Key': 'SuperSecretPassword123',
      'X-Storage-Pass': 'hunter2hunter2',
      'X-Account-Meta-Temp-URL-Key': 'k'.repeat(40),
      Authorization: 'Basic dXNlcjpwYXNz',
      'X-Container-Sync-Key': 'sync-secret-value',
    });
    assert.deepEqual(Object.values(keys), ['...', '...', '...', '...', '...']);
  });

  test('redactUrlQuery redacts temp_url_sig and signature values only', () => {
    const sig = 'f'.repeat(40);
    assert.equal(redactUrlQuery(`temp_url_sig=${sig}&temp_url_expires=1`), `temp_url_sig=${'f'.repeat(16)}...&temp_url_expires=1`);
    assert.equal(redactUrlQuery(`?a=1&temp_url_sig=${sig}`), `?a=1&temp_url_sig=${'f'.repeat(16)}...`);
    assert.equal(redactUrlQuery(`signature=${sig}`), `signature=${'f'.repeat(16)}...`);
    assert.equal(redactUrlQuery(`xtemp_url_sig=${sig}`), `xtemp_url_sig=${sig}`);
    assert.equal(redactUrlQuery('format=json&limit=2'), 'format=json&limit=2');
    assert.equal(redactUrlQuery(''), '');
  });

  test('redactUrl redacts only the query part', () => {
    const sig = 'a'.repeat(40);
    assert.equal(redactUrl(`https://h/v1/AUTH_a/c/temp_url_sig=x?temp_url_sig=${sig}`), `https://h/v1/AUTH_a/c/temp_url_sig=x?temp_url_sig=${'a'.repeat(16)}...`);
    assert.equal(redactUrl('http://h/v1/AUTH_a'), 'http://h/v1/AUTH_a');
  });
});
