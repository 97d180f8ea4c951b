import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ClientException, Connection, setDebugLog } from '../../src/index.js';
import { RUNTIME, SWIFT, connect, purgeContainer, undiciOnly, unique } from '../helpers/env.js';

/** TLS options need the undici engine, or Bun's fetch (which takes them per request). */
const tlsOptions = RUNTIME === 'bun' ? false : undiciOnly("this runtime's fetch takes no TLS options");
import { makePki, startTlsFront, type TestPki, type TlsFront } from '../helpers/tls-front.js';

describe('TLS: verified by default; cacert, insecure, client certificates', () => {
  let pki: TestPki;
  let front: TlsFront;
  let mutual: TlsFront;
  let token: string;
  let storagePath: string;
  const container = unique('tls');

  before(async () => {
    pki = makePki();
    front = await startTlsFront(pki, 'http://127.0.0.1:8080');
    mutual = await startTlsFront(pki, 'http://127.0.0.1:8080', { requireClientCert: true });
    const conn = connect();
    const [url, tok] = await conn.getAuth();
    token = tok;
    storagePath = new URL(url).pathname;
    await conn.putContainer(container);
    await conn.close();
  });
  after(async () => {
    await purgeContainer(connect(), container);
    await front.close();
    await mutual.close();
    pki.cleanup();
  });

  test('an unknown CA is refused by default, as a ClientException', async () => {
    const conn = new Connection({ preauthUrl: `${front.url}${storagePath}`, preauthToken: token, retries: 0 });
    await assert.rejects(conn.headAccount(), (err: unknown) => {
      assert.ok(err instanceof ClientException);
      assert.equal(err.httpStatus, undefined);
      assert.ok(err.cause, 'the TLS error is the cause');
      assert.match(String((err.cause as Error).message), /certificate|self.signed|issuer/i);
      return true;
    });
  });

  test('a cacert that cannot be read: ignored for http (as python), a clear error for https; a missing client cert or key is one for any URL', { skip: tlsOptions }, async () => {
    const missing = '/nonexistent/ca.pem';
    const plain = connect({ cacert: missing, retries: 0 });
    assert.ok((await plain.headAccount())['x-account-object-count'] !== undefined, 'http works');
    await plain.close();
    const tls = new Connection({ preauthUrl: `${front.url}${storagePath}`, preauthToken: token, cacert: missing, retries: 0 });
    await assert.rejects(tls.headAccount(), (err: unknown) => {
      assert.ok(err instanceof ClientException);
      assert.equal(err.message, `Could not find a suitable TLS CA certificate bundle, invalid path: ${missing}`);
      return true;
    });
    await tls.close();
    for (const [option, text] of [['cert', 'certificate'], ['certKey', 'key']] as const) {
      const conn = connect({ [option]: '/nonexistent/client.pem', retries: 0 });
      await assert.rejects(conn.headAccount(), new RegExp(`^ClientException: Could not find the TLS ${text} file, invalid path: /nonexistent/client.pem$`));
      await conn.close();
    }
  });

  test('cacert verifies the server; data round-trips over TLS', { skip: tlsOptions }, async () => {
    const conn = new Connection({ preauthUrl: `${front.url}${storagePath}`, preauthToken: token, cacert: pki.caCert });
    await conn.putObject(container, 'tls.txt', 'over tls');
    const [, body] = await conn.getObject(container, 'tls.txt');
    assert.equal(body.toString(), 'over tls');
    await conn.close();
  });

  test('insecure skips verification', { skip: tlsOptions }, async () => {
    const conn = new Connection({ preauthUrl: `${front.url}${storagePath}`, preauthToken: token, insecure: true });
    const headers = await conn.headContainer(container);
    assert.ok(headers['x-container-object-count'] !== undefined);
    await conn.close();
  });

  test('cert/certKey present a client certificate; without one the server refuses', { skip: tlsOptions }, async () => {
    const base = { preauthUrl: `${mutual.url}${storagePath}`, preauthToken: token, cacert: pki.caCert, retries: 0 };
    const anonymous = new Connection(base);
    await assert.rejects(anonymous.headAccount(), (err: unknown) => err instanceof ClientException && err.httpStatus === undefined);
    const withCert = new Connection({ ...base, cert: pki.clientCert, certKey: pki.clientKey });
    const headers = await withCert.headAccount();
    assert.ok(headers['x-account-container-count'] !== undefined);
    await withCert.close();
  });
});

describe('redirects never carry the token to another origin', () => {
  let redirector: Server;
  let collector: Server;
  let redirectorUrl: string;
  const collected: IncomingHttpHeaders[] = [];

  before(async () => {
    collector = createServer((req, res) => {
      collected.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/octet-stream', etag: 'd41d8cd98f00b204e9800998ecf8427e' }).end();
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const collectorPort = (collector.address() as AddressInfo).port;
    redirector = createServer((req, res) => {
      if (req.url?.includes('same-origin')) {
        res.writeHead(302, { location: req.url.replace('same-origin', 'landed') }).end();
      } else if (req.url?.includes('landed')) {
        collected.push({ ...req.headers, 'x-landed': 'same' });
        res.writeHead(200, { etag: 'd41d8cd98f00b204e9800998ecf8427e' }).end();
      } else {
        // localhost and 127.0.0.1 are different origins
        res.writeHead(301, { location: `http://localhost:${collectorPort}/elsewhere` }).end();
      }
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/v1/AUTH_test`;
  });
  after(() => {
    redirector.close();
    collector.close();
  });

  test('cross-origin: followed without X-Auth-Token / X-Service-Token; same origin keeps it', async () => {
    const conn = new Connection({ preauthUrl: redirectorUrl, preauthToken: 'AUTH_tk_secret_token_value', retries: 0 });
    const [, body] = await conn.getObject('c', 'cross');
    assert.equal(body.length, 0);
    const crossed = collected.at(-1) as IncomingHttpHeaders;
    assert.equal(crossed['x-auth-token'], undefined);
    assert.equal(crossed['x-service-token'], undefined);
    await conn.getObject('c', 'same-origin');
    const same = collected.at(-1) as IncomingHttpHeaders;
    assert.equal(same['x-landed'], 'same');
    assert.equal(same['x-auth-token'], 'AUTH_tk_secret_token_value');
  });

  test('a PUT is never redirected (the 3xx is the answer)', async () => {
    const conn = new Connection({ preauthUrl: redirectorUrl, preauthToken: 'AUTH_tk_secret_token_value', retries: 0 });
    const before = collected.length;
    await assert.rejects(conn.putObject('c', 'cross', 'data'), (err: unknown) => err instanceof ClientException && err.httpStatus === 301);
    assert.equal(collected.length, before);
  });
});

describe('secrets stay out of logs and errors', () => {
  test('debug log shows curl-style lines with the token and key redacted', async () => {
    const lines: string[] = [];
    setDebugLog((line) => lines.push(line));
    try {
      const conn = connect();
      const [, token] = await conn.getAuth();
      await conn.headAccount();
      await assert.rejects(conn.headContainer(unique('missing')));
      const text = lines.join('\n');
      assert.match(text, /REQ: curl -i -I http:\/\/127\.0\.0\.1:8080\/v1\/AUTH_test/);
      assert.match(text, /RESP STATUS: 404/);
      assert.ok(text.includes(`x-auth-token: ${token.slice(0, 5)}`), 'a short prefix of the token is shown');
      assert.ok(!text.includes(token), 'never the whole token');
      assert.ok(!text.includes(SWIFT.key), 'never the key');
      await conn.close();
    } finally {
      setDebugLog(undefined);
    }
  });
});
