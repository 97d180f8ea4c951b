// An in-memory Swift stand-in for the steady-state small-object workload
// (W6): the client's CPU alone, with no real server sharing its cores'
// caches and scheduler slots in the measured process. tempauth-style
// GET /auth/v1.0, and PUT / GET / HEAD / DELETE of objects (ETag = MD5);
// containers exist as soon as named.
//   node .bench/js/bench/mem-server.js     (prints "port <n>" when listening)
import { createHash } from 'node:crypto';
import http from 'node:http';

const TOKEN = 'AUTH_tk_membench';
const objects = new Map<string, { body: Buffer; etag: string }>();

function reply(res: http.ServerResponse, status: number, headers: Record<string, string>, body?: Buffer): void {
  res.writeHead(status, { 'content-length': String(body?.length ?? 0), 'x-trans-id': 'txmem', ...headers });
  res.end(body);
}

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/auth/')) {
    const host = req.headers.host ?? '127.0.0.1';
    reply(res, 200, { 'x-storage-url': `http://${host}/v1/AUTH_mem`, 'x-auth-token': TOKEN, 'x-storage-token': TOKEN });
    return;
  }
  if (req.headers['x-auth-token'] !== TOKEN) return reply(res, 401, {});
  const key = url.split('?', 1)[0] as string;
  const isObject = key.split('/').length > 4; // /v1/AUTH_mem/container/object
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    switch (req.method) {
      case 'PUT': {
        if (!isObject) return reply(res, 201, {});
        const body = Buffer.concat(chunks);
        const etag = createHash('md5').update(body).digest('hex');
        objects.set(key, { body, etag });
        return reply(res, 201, { etag });
      }
      case 'GET':
      case 'HEAD': {
        const o = objects.get(key);
        if (!isObject) return reply(res, 204, { 'x-container-object-count': '0' });
        if (!o) return reply(res, 404, {});
        const headers = { etag: o.etag, 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
        if (req.method === 'HEAD') {
          res.writeHead(200, { ...headers, 'content-length': String(o.body.length) });
          return res.end();
        }
        return reply(res, 200, headers, o.body);
      }
      case 'DELETE':
        if (!isObject) return reply(res, 204, {});
        return reply(res, objects.delete(key) ? 204 : 404, {});
      default:
        return reply(res, 405, {});
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`port ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
