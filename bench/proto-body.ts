// Prototypes of the body path, outside src/: one streamed GET or PUT of a
// large object by one method, in a process of its own (driven by
// bench/proto_body.py, which also runs curl and python beside these):
//   node .bench/js/bench/proto-body.js <variant> '<json config>'
// Prints one JSON line: wall and CPU seconds of the transfer alone (after
// start-up and auth; CPU of every thread of the process, workers included),
// the bytes moved and, where the variant hashes, the MD5 and whether it
// matched the ETag.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import { Connection, fileSource } from '../src/index.js';
import { fail, phase, readArgs, report } from './common.js';
import { Md5Worker } from './proto-md5-worker.js';

interface ProtoConfig {
  authUrl: string;
  user: string;
  key: string;
  container: string;
  object: string;
  /** PUT variants: the file to send, and its size. */
  file?: string;
  size?: number;
  /** Size of the buffers handed to the caller (GET) or read from the file (PUT). */
  chunk?: number;
}

const { workload: variant, cfg: raw } = readArgs();
const cfg = raw as unknown as ProtoConfig;
const CHUNK = cfg.chunk ?? 1 << 20;

const auth = await request(cfg.authUrl, { headers: { 'x-auth-user': cfg.user, 'x-auth-key': cfg.key } });
await auth.body.dump();
const storage = new URL(String(auth.headers['x-storage-url'] ?? fail('no X-Storage-Url')));
const token = String(auth.headers['x-auth-token'] ?? fail('no X-Auth-Token'));
const path = `${storage.pathname}/${cfg.container}/${cfg.object}`;
const url = `${storage.origin}${path}`;
const agent = new Agent({ connections: 4 });

interface Outcome {
  bytes: number;
  md5?: string | undefined;
  etag?: string | undefined;
}

// ------------------------------------------------------------------ GET

/** (a) today's base: undici request() and its Readable body, `for await`. */
async function getRequest(md5: boolean, bodyTimeout?: number): Promise<Outcome> {
  const res = await request(url, { dispatcher: agent, headers: { 'x-auth-token': token }, ...(bodyTimeout === undefined ? {} : { bodyTimeout }) });
  if (res.statusCode !== 200) fail(`GET: ${res.statusCode}`);
  const hash = md5 ? createHash('md5') : undefined;
  let bytes = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    hash?.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, md5: hash?.digest('hex'), etag: String(res.headers.etag) };
}

/**
 * (b) undici dispatch(): the handler copies each network chunk into a large
 * buffer and queues full buffers for an async iterator (one promise per
 * large buffer, not per network chunk); past `highWater` queued buffers the
 * socket is paused. `onChunk` sees every network chunk as it passes (the
 * incremental MD5 of (c)); `onBuffer` every full buffer (the worker of (d)).
 */
function dispatchGet(opts: {
  onChunk?: ((chunk: Buffer) => void) | undefined;
}): { headers: Promise<Record<string, string | string[] | undefined>>; body: AsyncIterable<Buffer> } {
  const queue: Buffer[] = [];
  let waiter: (() => void) | undefined;
  let done = false;
  let error: Error | undefined;
  let controller: Dispatcher.DispatchController | undefined;
  const highWater = 4;
  let buf = Buffer.allocUnsafeSlow(CHUNK);
  let fill = 0;
  const wake = (): void => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  const flush = (): void => {
    if (fill === 0) return;
    queue.push(fill === buf.length ? buf : buf.subarray(0, fill));
    buf = Buffer.allocUnsafeSlow(CHUNK);
    fill = 0;
    if (queue.length >= highWater) controller?.pause();
    wake();
  };
  let resolveHeaders!: (h: Record<string, string | string[] | undefined>) => void;
  let rejectHeaders!: (e: Error) => void;
  const headers = new Promise<Record<string, string | string[] | undefined>>((res, rej) => {
    resolveHeaders = res;
    rejectHeaders = rej;
  });
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(c) {
      controller = c;
    },
    onResponseStart(_c, status, h) {
      if (status !== 200) rejectHeaders(new Error(`GET: ${status}`));
      resolveHeaders(h as Record<string, string | string[] | undefined>);
    },
    onResponseData(_c, chunk) {
      opts.onChunk?.(chunk);
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, buf.length - fill);
        chunk.copy(buf, fill, at, at + n);
        fill += n;
        at += n;
        if (fill === buf.length) flush();
      }
    },
    onResponseEnd() {
      flush();
      done = true;
      wake();
    },
    onResponseError(_c, err) {
      error = err;
      rejectHeaders(err);
      wake();
    },
  };
  agent.dispatch({ origin: storage.origin, path, method: 'GET', headers: { 'x-auth-token': token } }, handler);
  const body = {
    async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
      for (;;) {
        const next = queue.shift();
        if (next) {
          if (queue.length < highWater && controller?.paused) controller.resume();
          yield next;
          continue;
        }
        if (error) throw error;
        if (done) return;
        await new Promise<void>((resolve) => (waiter = resolve));
      }
    },
  };
  return { headers, body };
}

/**
 * (b0) undici dispatch() without copying: the network chunks themselves,
 * handed over in batches (one promise per batch of whatever arrived).
 */
async function getDispatchBatches(md5: boolean): Promise<Outcome> {
  const hash = md5 ? createHash('md5') : undefined;
  let batch: Buffer[] = [];
  let waiter: (() => void) | undefined;
  let done = false;
  let error: Error | undefined;
  let etag = '';
  let controller: Dispatcher.DispatchController | undefined;
  const wake = (): void => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  agent.dispatch(
    { origin: storage.origin, path, method: 'GET', headers: { 'x-auth-token': token } },
    {
      onRequestStart(c) {
        controller = c;
      },
      onResponseStart(_c, _status, h) {
        etag = String(h.etag);
      },
      onResponseData(_c, chunk) {
        hash?.update(chunk);
        batch.push(chunk);
        if (batch.length >= 64) controller?.pause();
        wake();
      },
      onResponseEnd() {
        done = true;
        wake();
      },
      onResponseError(_c, err) {
        error = err;
        wake();
      },
    },
  );
  let bytes = 0;
  for (;;) {
    if (batch.length) {
      const got = batch;
      batch = [];
      if (controller?.paused) controller.resume();
      for (const b of got) bytes += b.length;
      continue;
    }
    if (error) throw error;
    if (done) break;
    await new Promise<void>((resolve) => (waiter = resolve));
  }
  return { bytes, md5: hash?.digest('hex'), etag };
}

/**
 * (f) a plain socket reading into one 1 MiB buffer of its own (net's
 * `onread`: no allocation per read, reads of up to 1 MiB), a minimal
 * HTTP/1.1 response parser (Content-Length bodies only) and MD5 on the
 * bytes in place: the floor of what Node can do per byte.
 */
function getSocketOnread(md5: boolean): Promise<Outcome> {
  const hash = md5 ? createHash('md5') : undefined;
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    let inBody = false;
    let left = 0;
    let bytes = 0;
    let etag = '';
    const socket = net.connect({
      host: storage.hostname,
      port: Number(storage.port),
      onread: {
        buffer: Buffer.allocUnsafeSlow(CHUNK),
        callback(n: number, buf: Uint8Array): boolean {
          let data = Buffer.from(buf.buffer, buf.byteOffset, n);
          if (!inBody) {
            head = Buffer.concat([head, data]);
            const end = head.indexOf('\r\n\r\n');
            if (end < 0) return true;
            const text = head.subarray(0, end).toString('latin1');
            left = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? NaN);
            etag = /\r\netag: *([^\r]+)/i.exec(text)?.[1] ?? '';
            data = head.subarray(end + 4);
            inBody = true;
          }
          hash?.update(data);
          bytes += data.length;
          left -= data.length;
          if (left <= 0) {
            socket.end();
            resolve({ bytes, md5: hash?.digest('hex'), etag });
          }
          return true;
        },
      },
    });
    socket.on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${storage.host}\r\nX-Auth-Token: ${token}\r\nConnection: close\r\n\r\n`);
  });
}

async function getDispatch(md5: 'none' | 'chunks' | 'buffers'): Promise<Outcome> {
  const hash = md5 === 'none' ? undefined : createHash('md5');
  const res = dispatchGet({ onChunk: md5 === 'chunks' ? (c: Buffer) => void hash?.update(c) : undefined });
  const h = await res.headers;
  let bytes = 0;
  for await (const b of res.body) {
    if (md5 === 'buffers') hash?.update(b);
    bytes += b.length;
  }
  return { bytes, md5: hash?.digest('hex'), etag: String(h.etag) };
}

/**
 * (d) MD5 in a worker: the full buffers of (b) are sent to it, moved
 * (transfer: the main thread allocates a fresh buffer each time, as (b)
 * does anyway) or copied; the worker hashes while the main thread reads on.
 */
async function getWorker(worker: Md5Worker, mode: 'transfer' | 'copy'): Promise<Outcome> {
  const res = dispatchGet({});
  const h = await res.headers;
  let bytes = 0;
  for await (const b of res.body) {
    bytes += b.length;
    if (mode === 'transfer') worker.transfer(b);
    else worker.copy(b);
    await worker.room();
  }
  return { bytes, md5: await worker.digest(), etag: String(h.etag) };
}

/** (e) node:http directly, 'data' events. */
function getNodeHttp(md5: boolean): Promise<Outcome> {
  const httpAgent = new http.Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: httpAgent, headers: { 'x-auth-token': token } }, (res) => {
      const hash = md5 ? createHash('md5') : undefined;
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        hash?.update(chunk);
        bytes += chunk.length;
      });
      res.on('end', () => {
        httpAgent.destroy();
        resolve({ bytes, md5: hash?.digest('hex'), etag: String(res.headers.etag) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Today's library: Connection.getObject with respChunkSize = chunk (made and authenticated before the timing). */
const ours = variant.includes('ours')
  ? new Connection({ authUrl: cfg.authUrl, user: cfg.user, key: cfg.key, checksum: !variant.endsWith('-nock') })
  : undefined;
await ours?.getAuth();

async function getOurs(): Promise<Outcome> {
  const [headers, body] = await (ours as Connection).getObject(cfg.container, cfg.object, { respChunkSize: CHUNK });
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) bytes += chunk.length;
  return { bytes, etag: headers.etag };
}

// ------------------------------------------------------------------ PUT

/** The file in `CHUNK` reads into fresh buffers (a Readable's way), each passed to `each`. */
async function* fileChunks(each?: (b: Buffer) => void): AsyncGenerator<Buffer> {
  const handle = await fsp.open(cfg.file ?? fail('file'), 'r');
  try {
    for (let pos = 0; ; ) {
      const b = Buffer.allocUnsafeSlow(CHUNK);
      const { bytesRead } = await handle.read(b, 0, CHUNK, pos);
      if (bytesRead === 0) return;
      pos += bytesRead;
      const out = bytesRead === CHUNK ? b : b.subarray(0, bytesRead);
      each?.(out);
      yield out;
    }
  } finally {
    await handle.close();
  }
}

async function putRequest(body: AsyncIterable<Buffer>): Promise<string> {
  const res = await request(url, {
    dispatcher: agent,
    method: 'PUT',
    headers: { 'x-auth-token': token, 'content-length': String(cfg.size ?? fail('size')) },
    body: body as unknown as Buffer, // undici takes async iterables too
  });
  await res.body.dump();
  if (res.statusCode !== 201) fail(`PUT: ${res.statusCode}`);
  return String(res.headers.etag);
}

async function putPlain(md5: boolean): Promise<Outcome> {
  const hash = md5 ? createHash('md5') : undefined;
  const etag = await putRequest(fileChunks(hash ? (b) => void hash.update(b) : undefined));
  return { bytes: cfg.size ?? 0, md5: hash?.digest('hex'), etag };
}

/** MD5 in a worker: each read buffer copied to it, or the worker reads and hashes the file itself. */
async function putWorker(worker: Md5Worker, mode: 'copy' | 'file'): Promise<Outcome> {
  let digest: Promise<string>;
  let etag: string;
  if (mode === 'file') {
    digest = worker.digest({ file: cfg.file });
    etag = await putRequest(fileChunks());
  } else {
    etag = await putRequest(
      (async function* () {
        for await (const b of fileChunks()) {
          worker.copy(b);
          yield b;
          await worker.room();
        }
      })(),
    );
    digest = worker.digest();
  }
  return { bytes: cfg.size ?? 0, md5: await digest, etag };
}

function putNodeHttp(md5: boolean): Promise<Outcome> {
  const httpAgent = new http.Agent({ keepAlive: true });
  const hash = md5 ? createHash('md5') : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'PUT', agent: httpAgent, headers: { 'x-auth-token': token, 'content-length': String(cfg.size ?? fail('size')) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          httpAgent.destroy();
          if (res.statusCode !== 201) reject(new Error(`PUT: ${res.statusCode}`));
          else resolve({ bytes: cfg.size ?? 0, md5: hash?.digest('hex'), etag: String(res.headers.etag) });
        });
      },
    );
    req.on('error', reject);
    void (async () => {
      for await (const b of fileChunks(hash ? (c) => void hash.update(c) : undefined)) {
        if (!req.write(b)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(reject);
  });
}

async function putOurs(): Promise<Outcome> {
  const file = cfg.file ?? fail('file');
  const etag = await (ours as Connection).putObject(cfg.container, cfg.object, fileSource(file, { size: cfg.size ?? fail('size') }));
  return { bytes: cfg.size ?? 0, etag };
}

// ------------------------------------------------------------------ main

const worker = variant.includes('worker') ? new Md5Worker() : undefined;
await worker?.ready(); // a long-lived worker: its start-up is not part of one transfer

const variants: Record<string, () => Promise<Outcome>> = {
  'get-request': () => getRequest(false),
  'get-request-md5': () => getRequest(true),
  'get-request-no-body-timeout': () => getRequest(false, 0),
  'get-dispatch-batches': () => getDispatchBatches(false),
  'get-dispatch-batches-md5': () => getDispatchBatches(true),
  'get-socket-onread': () => getSocketOnread(false),
  'get-socket-onread-md5': () => getSocketOnread(true),
  'get-dispatch': () => getDispatch('none'),
  'get-dispatch-md5': () => getDispatch('chunks'),
  'get-dispatch-md5-buffers': () => getDispatch('buffers'),
  'get-dispatch-worker-transfer': () => getWorker(worker as Md5Worker, 'transfer'),
  'get-dispatch-worker-copy': () => getWorker(worker as Md5Worker, 'copy'),
  'get-node-http': () => getNodeHttp(false),
  'get-node-http-md5': () => getNodeHttp(true),
  'get-ours': getOurs,
  'get-ours-nock': getOurs,
  'put-request': () => putPlain(false),
  'put-request-md5': () => putPlain(true),
  'put-worker-copy': () => putWorker(worker as Md5Worker, 'copy'),
  'put-worker-file': () => putWorker(worker as Md5Worker, 'file'),
  'put-node-http-md5': () => putNodeHttp(true),
  'put-ours': putOurs,
  'put-ours-nock': putOurs,
};
const fn = variants[variant] ?? fail(`unknown variant ${variant}; one of ${Object.keys(variants).join(' ')}`);
let outcome: Outcome = { bytes: 0 };
const measured = await phase(variant, async () => {
  outcome = await fn();
  return { bytes: outcome.bytes };
});
await worker?.terminate();
await ours?.close();
await agent.close();
if (outcome.md5 !== undefined && outcome.md5 !== outcome.etag?.replace(/"/g, '')) fail(`MD5 ${outcome.md5} but ETag ${outcome.etag}`);
report([measured], { md5: outcome.md5 ?? null, etag: outcome.etag ?? null });
