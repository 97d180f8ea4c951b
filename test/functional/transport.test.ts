// The HTTP seam against real servers: proxies from the environment through a
// real forward proxy (tinyproxy), a caller's dispatcher, pool limits.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
// undici's Pool as the library loads it: from its file, not undici's index, which would also give
// every dispatcher the connect() an HTTPS proxy tunnel needs and so hide its absence from the library.
import { Pool } from '../../src/http/undici-parts.js';
import { chooseTransport } from '../../src/http/select.js';
import { defaultUserAgent } from '../../src/http/user-agent.js';
import { ClientException, Connection, NetworkError, type ConnectionOptions } from '../../src/index.js';
import { forwardTo } from '../helpers/counting-proxy.js';
import { connect, purgeContainer, RUNTIME, SWIFT, undiciOnly, unique } from '../helpers/env.js';
import { startTinyproxy, TINYPROXY, type Tinyproxy } from '../helpers/tinyproxy.js';

const SWIFT_ORIGIN = new URL(SWIFT.authUrl).origin;

/** A plain forwarder to Swift that records each request and the sockets it was sent on. */
interface Recorder {
  url: string;
  seen: Array<{ method: string; path: string; userAgent: string | undefined; token: boolean }>;
  sockets: number;
  maxOpen: number;
  close(): Promise<void>;
}

async function startRecorder(): Promise<Recorder> {
  const forward = forwardTo(SWIFT_ORIGIN);
  let open = 0;
  const rec: Omit<Recorder, 'url' | 'close'> = { seen: [], sockets: 0, maxOpen: 0 };
  const server: Server = createHttpServer((req: IncomingMessage, res) => {
    rec.seen.push({ method: req.method ?? '', path: req.url ?? '', userAgent: req.headers['user-agent'], token: 'x-auth-token' in req.headers });
    forward(req, res);
  });
  server.on('connection', (socket) => {
    rec.sockets += 1;
    open += 1;
    rec.maxOpen = Math.max(rec.maxOpen, open);
    socket.once('close', () => (open -= 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(rec, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Runs `fn` with these proxy variables (and no others) in the environment. */
async function withProxyEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const names = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  for (const n of names) delete process.env[n];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  }
}

/** A Connection whose auth and storage requests both go to `origin` (the recorder). */
function through(origin: string, extra: ConnectionOptions = {}): Connection {
  const account = 'AUTH_test';
  return connect({ authUrl: `${origin}/auth/v1.0`, osOptions: { objectStorageUrl: `${origin}/v1/${account}` }, ...extra });
}

/** A round trip: container, object up and down, deletes. Returns the request lines `METHOD path`. */
async function roundTrip(conn: Connection): Promise<void> {
  const container = unique('seam-proxy');
  await conn.putContainer(container);
  try {
    await conn.putObject(container, 'o', 'through the proxy');
    const [, body] = await conn.getObject(container, 'o');
    assert.equal(body.toString(), 'through the proxy');
  } finally {
    await purgeContainer(conn, container);
  }
}

describe('proxies from the environment (a real tinyproxy)', { skip: undiciOnly("Node's fetch ignores HTTP_PROXY") || (TINYPROXY ? false : 'tinyproxy is not installed') }, () => {
  let proxy: Tinyproxy;
  let recorder: Recorder;
  before(async () => {
    proxy = await startTinyproxy();
    recorder = await startRecorder();
  });
  after(async () => {
    await proxy?.close();
    await recorder?.close();
  });

  // Only the lines for one origin: under Deno and Bun the test files of a run share one process
  // environment, so another file's requests can pass through this proxy while HTTP_PROXY is set here.
  const proxied = (origin: string): string[] => {
    const host = new URL(origin).host;
    return proxy.requests().filter((line) => {
      const target = line.split(' ')[1] ?? '';
      return target === host || target.startsWith(`http://${host}/`) || target.startsWith(`https://${host}/`);
    });
  };

  test('with HTTP_PROXY every request, auth included, goes through the proxy with our User-Agent; no token in its log', async () => {
    const before = proxied(recorder.url).length;
    recorder.seen.length = 0;
    const conn = through(recorder.url);
    try {
      await withProxyEnv({ HTTP_PROXY: proxy.url }, () => roundTrip(conn));
    } finally {
      await conn.close();
    }
    const logged = proxied(recorder.url).slice(before);
    const sent = recorder.seen.map((r) => `${r.method} ${recorder.url}${r.path} HTTP/1.1`);
    assert.ok(sent.length >= 7, sent.join('\n'));
    assert.deepEqual(logged, sent, 'the proxy logged exactly the requests the server got');
    assert.match(logged[0] as string, /^GET http:\/\/127\.0\.0\.1:\d+\/auth\/v1\.0 HTTP\/1\.1$/);
    for (const r of recorder.seen) assert.equal(r.userAgent, defaultUserAgent(), `${r.method} ${r.path}`);
    assert.ok(recorder.seen.slice(1).every((r) => r.token), 'the storage requests carried their token (in a header)');
    assert.ok(conn.token && !proxy.log().includes(conn.token), 'the token is in no URL the proxy logs');
  });

  test('lower-case http_proxy and a userAgent option', async () => {
    const before = proxied(recorder.url).length;
    recorder.seen.length = 0;
    const conn = through(recorder.url, { userAgent: 'seam-test/1.0' });
    try {
      await withProxyEnv({ http_proxy: proxy.url }, () => conn.headAccount());
    } finally {
      await conn.close();
    }
    assert.equal(proxied(recorder.url).length - before, 2);
    assert.deepEqual(
      recorder.seen.map((r) => r.userAgent),
      ['seam-test/1.0', 'seam-test/1.0'],
    );
  });

  test('with NO_PROXY=127.0.0.1 no request goes through the proxy', async () => {
    const before = proxied(recorder.url).length;
    recorder.seen.length = 0;
    const conn = through(recorder.url);
    try {
      await withProxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }, () => roundTrip(conn));
    } finally {
      await conn.close();
    }
    assert.ok(recorder.seen.length >= 7);
    assert.equal(proxied(recorder.url).length, before);
  });

  test('HTTPS through the proxy is tunnelled (CONNECT), with cacert still verifying the server', async () => {
    const { makePki, startTlsFront } = await import('../helpers/tls-front.js');
    const pki = makePki();
    const front = await startTlsFront(pki, SWIFT_ORIGIN);
    const before = proxied(front.url).length;
    try {
      const port = new URL(front.url).port;
      const trusted = new Connection({ authUrl: `${front.url}/auth/v1.0`, user: SWIFT.user, key: SWIFT.key, cacert: pki.caCert, osOptions: { objectStorageUrl: `${front.url}/v1/AUTH_test` } });
      const untrusted = new Connection({ authUrl: `${front.url}/auth/v1.0`, user: SWIFT.user, key: SWIFT.key, retries: 0 });
      try {
        await withProxyEnv({ HTTPS_PROXY: proxy.url }, async () => {
          assert.ok((await trusted.headAccount())['x-account-container-count'] !== undefined);
          await assert.rejects(untrusted.headAccount(), (err: unknown) => err instanceof NetworkError && /certificate/i.test(err.message));
        });
      } finally {
        await trusted.close();
        await untrusted.close();
      }
      const logged = proxied(front.url).slice(before);
      assert.ok(logged.length >= 1 && logged.every((line) => line === `CONNECT 127.0.0.1:${port} HTTP/1.1`), logged.join('\n'));
    } finally {
      await front.close();
      pki.cleanup();
    }
  });
});

describe('a proxy that fails', { skip: undiciOnly("Node's fetch ignores HTTP_PROXY") }, () => {
  test('refused or dropped connections are NetworkErrors that name the proxy, not Swift', async () => {
    // a port nothing listens on, and a server that drops every connection at once
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const refusedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dropper: NetServer = createNetServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const dropPort = (dropper.address() as AddressInfo).port;
    try {
      for (const port of [refusedPort, dropPort]) {
        const conn = connect({ retries: 0 });
        try {
          await withProxyEnv({ HTTP_PROXY: `http://127.0.0.1:${port}` }, () =>
            assert.rejects(conn.headAccount(), (err: unknown) => {
              assert.ok(err instanceof NetworkError, String(err));
              assert.equal(err.code, 'NETWORK');
              assert.ok(err.message.includes(`through the proxy http://127.0.0.1:${port}`), err.message);
              return true;
            }),
          );
        } finally {
          await conn.close();
        }
      }
    } finally {
      await new Promise<void>((resolve) => dropper.close(() => resolve()));
    }
  });
});

describe('a caller-supplied dispatcher and pool limits', () => {
  let recorder: Recorder;
  let container: string;
  const setup = connect();
  before(async () => {
    recorder = await startRecorder();
    container = unique('seam-pool');
    await setup.putContainer(container);
    await setup.putObject(container, 'o', 'x');
  });
  after(async () => {
    await purgeContainer(setup, container);
    await setup.close();
    await recorder?.close();
  });

  test("a user's Pool with connections: 2 is honoured under 50 concurrent calls", { skip: chooseTransport(RUNTIME, undefined, undefined, true) === 'undici' ? false : `a dispatcher needs undici, which cannot run on ${RUNTIME}` }, async () => {
    const pool = new Pool(recorder.url, { connections: 2 });
    const conn = through(recorder.url, { dispatcher: pool });
    const socketsBefore = recorder.sockets;
    try {
      const results = await Promise.all(Array.from({ length: 50 }, () => conn.headObject(container, 'o')));
      assert.equal(results.length, 50);
      assert.ok(results.every((h) => h['content-length'] === '1'));
    } finally {
      await conn.close();
      await pool.close();
    }
    assert.ok(recorder.sockets - socketsBefore <= 2, `${recorder.sockets - socketsBefore} sockets`);
    assert.ok(recorder.maxOpen <= 2, `${recorder.maxOpen} open at once`);
  });

  test('maxConnections limits the default dispatcher the same way', { skip: undiciOnly('fetch pools connections itself') }, async () => {
    const conn = through(recorder.url, { maxConnections: 2 });
    const socketsBefore = recorder.sockets;
    try {
      await Promise.all(Array.from({ length: 50 }, () => conn.headObject(container, 'o')));
    } finally {
      await conn.close();
    }
    assert.ok(recorder.sockets - socketsBefore <= 2, `${recorder.sockets - socketsBefore} sockets`);
  });

  test('invalid pool options are refused before anything is sent', () => {
    assert.throws(() => new Connection({ maxConnections: 0 }), (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT');
    assert.throws(() => new Connection({ keepAlive: 36_000 }), (err: unknown) => err instanceof ClientException && /seconds/.test(err.message));
  });
});
