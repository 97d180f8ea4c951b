// API.md behaviours beyond the python port, checked against the local Swift:
// names quoted on the wire, request and response headers, responseDict,
// preauth and the public url/token/attempts fields.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClientException, Connection, quote, type ResponseDict } from '../../src/index.js';
import { rejectsAsync, startContractSuite, type ContractSuite } from '../helpers/contract-suite.js';
import { connect, md5, unique } from '../helpers/env.js';

let t: ContractSuite;
let conn: Connection;
let storageUrl: string;
let token: string;
let created: string[];

before(async () => {
  t = await startContractSuite();
  ({ conn, storageUrl, token, created } = t);
});

after(() => t.close());

const newContainer = (suffix?: string, headers?: Record<string, string>): Promise<string> => t.newContainer(suffix, headers);

describe('names are quoted correctly', () => {
  const OBJECT_NAMES = [
    'with space',
    'per%cent',
    '%25already-quoted',
    'question?mark',
    'hash#tag',
    'plus+sign',
    'amp&equals=',
    'semi;colon,comma',
    "quotes'\"",
    'back\\slash',
    'ünï©ødé 👍 ت',
    '/leading-slash',
    '//double/leading',
    'dir/sub/obj',
    'trailing/',
    'tilde~star*paren()',
  ];
  let container: string;

  before(async () => {
    container = await newContainer(' ü%?#+& x');
  });

  test('a container name with Unicode, spaces, %, ?, #, + works', async () => {
    const headers = await conn.headContainer(container);
    assert.equal(headers['x-container-object-count'], '0');
    const [, containers] = await conn.getAccount({ prefix: container });
    assert.deepEqual(
      containers.map((c) => c.name),
      [container],
    );
  });

  for (const name of OBJECT_NAMES) {
    test(`object ${JSON.stringify(name)} round-trips, is listed, copied and deleted`, async () => {
      const data = Buffer.from(`contents of ${name}`);
      const etag = await conn.putObject(container, name, data);
      assert.equal(etag, md5(data));
      const [, body] = await conn.getObject(container, name);
      assert.ok(body.equals(data));
      const hdrs = await conn.headObject(container, name);
      assert.equal(hdrs['content-length'], String(data.length));
      const [, listing] = await conn.getContainer(container, { prefix: name });
      assert.ok(
        listing.some((o) => o.name === name),
        `${JSON.stringify(name)} not listed: ${JSON.stringify(listing.map((o) => o.name))}`,
      );

      // copy: the Destination header is quoted too
      const copyName = `${name}~copy`;
      await conn.copyObject(container, name, { destination: `/${container}/${copyName}` });
      const [, copied] = await conn.getObject(container, copyName);
      assert.ok(copied.equals(data));

      await conn.deleteObject(container, copyName);
      await conn.deleteObject(container, name);
      await assert.rejects(conn.headObject(container, name), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);
    });
  }

  test('the error path shows the quoted URL', async () => {
    const name = 'missing ?#%+ü';
    const err = await rejectsAsync(() => conn.getObject(container, name));
    assert.ok(err instanceof ClientException);
    const basePath = new URL(storageUrl).pathname;
    const expectedPath = `${basePath}/${quote(container)}/${quote(name)}`;
    assert.equal(err.httpPath, expectedPath);
    assert.equal(err.httpQuery, '');
    assert.ok(err.message.includes(expectedPath));
    assert.ok(expectedPath.includes('%3F%23%25%2B%C3%BC'));
  });

  test('a 1024-byte object name works, 1025 bytes is rejected', async () => {
    const longName = `${'é'.repeat(511)}xy`; // 1022 + 2 bytes
    assert.equal(Buffer.byteLength(longName), 1024);
    await conn.putObject(container, longName, 'long');
    const [, body] = await conn.getObject(container, longName);
    assert.equal(body.toString(), 'long');
    await conn.copyObject(container, longName, { destination: `/${container}/short-copy` });
    assert.equal((await conn.getObject(container, 'short-copy'))[1].toString(), 'long');

    const tooLong = `${longName}z`;
    assert.equal(Buffer.byteLength(tooLong), 1025);
    await rejectsAsync(() => conn.putObject(container, tooLong, 'x'), (err) => err instanceof ClientException && /\b1024-byte limit\b/.test(err.message));
    const [, listing] = await conn.getContainer(container, { prefix: 'é' });
    assert.deepEqual(
      listing.map((o) => o.name),
      [longName],
    );
    await conn.deleteObject(container, longName);
    await conn.deleteObject(container, 'short-copy');
  });
});

describe('headers', () => {
  let container: string;
  before(async () => {
    container = await newContainer();
  });

  test('response header names are lower-case everywhere', async () => {
    await conn.putObject(container, 'h', 'x', { headers: { 'X-Object-Meta-MixedCase': 'Value' } });
    const rd: ResponseDict = {};
    const [getHeaders] = await conn.getObject(container, 'h', { responseDict: rd });
    const all = [
      await conn.headAccount(),
      (await conn.getAccount({ limit: 1 }))[0],
      await conn.headContainer(container),
      (await conn.getContainer(container))[0],
      await conn.headObject(container, 'h'),
      getHeaders,
      rd.headers ?? {},
    ];
    for (const headers of all) {
      assert.ok(Object.keys(headers).length > 3);
      for (const key of Object.keys(headers)) assert.equal(key, key.toLowerCase());
    }
    assert.equal(getHeaders['x-object-meta-mixedcase'], 'Value');
    assert.ok(getHeaders.etag && getHeaders['x-trans-id']);
  });

  test('Unicode header values go out and come back as UTF-8', async () => {
    const value = 'ü ت 👍 «quoted»';
    await conn.postObject(container, 'h', { 'x-object-meta-uni': value });
    const hdrs = await conn.headObject(container, 'h');
    assert.equal(hdrs['x-object-meta-uni'], value);
    await conn.postContainer(container, { 'x-container-meta-uni': value });
    assert.equal((await conn.headContainer(container))['x-container-meta-uni'], value);
  });

  for (const [label, value] of [
    ['CR LF', 'evil\r\nx-object-meta-injected: yes'],
    ['LF', 'evil\nx-object-meta-injected: yes'],
    ['CR', 'evil\rmore'],
    ['NUL', 'evil\u0000more'],
  ] as const) {
    test(`${label} in a header value is refused before anything is sent`, async () => {
      const name = `crlf-${label.replace(/\W/g, '')}`;
      await rejectsAsync(
        () => conn.putObject(container, name, 'data', { headers: { 'x-object-meta-bad': value } }),
        (err) => err instanceof Error && err.message.includes('x-object-meta-bad'),
      );
      await assert.rejects(conn.headObject(container, name), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);

      const badContainer = `${container}-${name}`;
      await rejectsAsync(
        () => conn.putContainer(badContainer, { headers: { 'x-container-meta-bad': value } }),
        (err) => err instanceof Error && err.message.includes('x-container-meta-bad'),
      );
      await assert.rejects(conn.headContainer(badContainer), (err: unknown) => err instanceof ClientException && err.httpStatus === 404);
    });
  }

  test('a bad value on a POST leaves the existing metadata unchanged', async () => {
    await conn.postObject(container, 'h', { 'x-object-meta-color': 'blue' });
    await rejectsAsync(
      () => conn.postObject(container, 'h', { 'x-object-meta-color': 'red', 'x-object-meta-evil': 'a\r\nb' }),
      (err) => err instanceof Error && err.message.includes('x-object-meta-evil'),
    );
    assert.equal((await conn.headObject(container, 'h'))['x-object-meta-color'], 'blue');
  });

  test('header names that are not HTTP tokens are refused, naming the header', async () => {
    await conn.postObject(container, 'h', { 'x-object-meta-color': 'green' });
    for (const name of ['x-object-meta-ü', 'x-object-meta-with space', 'x-object-meta-a\r\nb', 'x-object-meta-(x)']) {
      await rejectsAsync(
        () => conn.postObject(container, 'h', { 'x-object-meta-color': 'red', [name]: 'v' }),
        // the name as given, or JSON-escaped when it holds control characters
        (err) => err instanceof Error && (err.message.includes(name) || err.message.includes(JSON.stringify(name))),
      );
    }
    await rejectsAsync(() => conn.postObject(container, 'h', { '': 'v' }), (err) => err instanceof Error);
    assert.equal((await conn.headObject(container, 'h'))['x-object-meta-color'], 'green');
  });

  test('numbers and booleans are sent as their string forms', async () => {
    await conn.postContainer(container, { 'x-container-meta-n': 123, 'x-container-meta-f': 45.67, 'x-container-meta-b': true });
    const hdrs = await conn.headContainer(container);
    assert.equal(hdrs['x-container-meta-n'], '123');
    assert.equal(hdrs['x-container-meta-f'], '45.67');
    assert.equal(hdrs['x-container-meta-b'], 'true');
  });
});

describe('responseDict', () => {
  let container: string;
  before(async () => {
    container = await newContainer();
  });

  function checkDict(rd: ResponseDict, status: number, reason: string): void {
    assert.equal(rd.status, status);
    assert.equal(rd.reason, reason);
    assert.ok(rd.headers && typeof rd.headers['x-trans-id'] === 'string', 'headers missing');
    assert.ok(Array.isArray(rd.responseDicts) && rd.responseDicts.length >= 1, 'responseDicts missing');
    const last = rd.responseDicts[rd.responseDicts.length - 1] as ResponseDict;
    assert.equal(last.status, status);
    assert.equal(last.reason, reason);
  }

  test('is filled by every write and by getObject', async () => {
    let rd: ResponseDict = {};
    await conn.putContainer(`${container}-rd`, { responseDict: rd });
    created.push(`${container}-rd`);
    checkDict(rd, 201, 'Created');

    rd = {};
    await conn.postContainer(container, { 'x-container-meta-a': '1' }, { responseDict: rd });
    checkDict(rd, 204, 'No Content');

    rd = {};
    const etag = await conn.putObject(container, 'o', 'hello', { responseDict: rd });
    checkDict(rd, 201, 'Created');
    assert.equal(rd.headers?.etag, etag);

    rd = {};
    await conn.postObject(container, 'o', { 'x-object-meta-a': '1' }, { responseDict: rd });
    checkDict(rd, 202, 'Accepted');

    rd = {};
    await conn.copyObject(container, 'o', { destination: `/${container}/o2`, responseDict: rd });
    checkDict(rd, 201, 'Created');

    rd = {};
    const [, body] = await conn.getObject(container, 'o2', { responseDict: rd });
    assert.equal(body.toString(), 'hello');
    checkDict(rd, 200, 'OK');
    assert.equal(rd.headers?.['content-length'], '5');

    rd = {};
    await conn.deleteObject(container, 'o2', { responseDict: rd });
    checkDict(rd, 204, 'No Content');

    rd = {};
    await conn.postAccount({}, { responseDict: rd });
    checkDict(rd, 204, 'No Content');

    rd = {};
    await conn.deleteContainer(`${container}-rd`, { responseDict: rd });
    checkDict(rd, 204, 'No Content');
  });

  test('is filled on failure too', async () => {
    const rd: ResponseDict = {};
    await assert.rejects(conn.deleteObject(container, 'missing', { responseDict: rd }));
    checkDict(rd, 404, 'Not Found');
  });
});

describe('preauth and public fields', () => {
  test('preauthUrl + preauthToken work without any credentials', async () => {
    const c = new Connection({ preauthUrl: storageUrl, preauthToken: token });
    try {
      const container = unique('contract-preauth');
      created.push(container);
      await c.putContainer(container);
      await c.putObject(container, 'o', 'preauth');
      const [, body] = await c.getObject(container, 'o');
      assert.equal(body.toString(), 'preauth');
      assert.equal(c.url, storageUrl);
      assert.equal(c.token, token);
      assert.equal(c.attempts, 1);
    } finally {
      await c.close();
    }
  });

  test('without credentials a 401 is raised after one try', async () => {
    const c = new Connection({ preauthUrl: storageUrl, preauthToken: 'AUTH_tkNotAValidToken000000000000', retries: 2 });
    try {
      await assert.rejects(c.headAccount(), (err: unknown) => err instanceof ClientException && err.httpStatus === 401);
      assert.equal(c.attempts, 1);
    } finally {
      await c.close();
    }
  });

  test('url, token and attempts are public and settable', async () => {
    const c = new Connection({ startingBackoff: 0.01 });
    try {
      assert.equal(c.url, undefined);
      assert.equal(c.token, undefined);
      c.url = storageUrl;
      c.token = token;
      const headers = await c.headAccount();
      assert.ok(headers['x-account-container-count']);
      assert.equal(c.attempts, 1);
      c.attempts = 42;
      assert.equal(c.attempts, 42);
      await c.headAccount();
      assert.equal(c.attempts, 1);

      // the URL really is the one used: point it at another account
      c.url = storageUrl.replace(/AUTH_[^/]+$/, 'AUTH_test2');
      await assert.rejects(c.headAccount(), (err: unknown) => {
        assert.ok(err instanceof ClientException);
        assert.equal(err.httpStatus, 403);
        assert.ok(err.httpPath.endsWith('/AUTH_test2'));
        return true;
      });
    } finally {
      await c.close();
    }
  });

  test('a token set on an authenticating connection is used, and a bad one is renewed', async () => {
    const c = connect();
    try {
      c.token = 'AUTH_tkInvalid';
      c.url = storageUrl;
      await c.headAccount();
      assert.equal(c.attempts, 2);
      assert.equal(c.token, token); // tempauth hands out the same token again
    } finally {
      await c.close();
    }
  });
});
