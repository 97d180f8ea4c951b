// The floor for our per-request CPU: W1 as a bare undici Pool request loop
// (same requests as bench/ours.ts w1, no retries, checks or MD5).
//   node .bench/js/bench/undici-loop.js w1 '<json BenchConfig>'
import { randomBytes } from 'node:crypto';
import { Pool, request } from 'undici';
import { fail, objectName, phase, pool, readArgs, report } from './common.js';

const { workload, cfg } = readArgs();
if (workload !== 'w1') fail(`undici-loop runs w1 only, not ${workload}`);

const auth = await request(cfg.authUrl, { headers: { 'x-auth-user': cfg.user, 'x-auth-key': cfg.key } });
await auth.body.dump();
const storageUrl = new URL(String(auth.headers['x-storage-url'] ?? fail('no X-Storage-Url')));
const token = String(auth.headers['x-auth-token'] ?? fail('no X-Auth-Token'));

const n = cfg.count ?? 300;
const conc = cfg.concurrency ?? 1;
const data = randomBytes(cfg.objectSize ?? 1024);
const client = new Pool(storageUrl.origin, { connections: conc });
const base = `${storageUrl.pathname}/${cfg.container}/`;

async function call(method: 'PUT' | 'GET' | 'DELETE', i: number, prefix = 'w1'): Promise<void> {
  const res = await client.request({
    method,
    path: base + objectName(prefix, i),
    headers: { 'x-auth-token': token },
    body: method === 'PUT' ? data : null,
  });
  if (method === 'GET') {
    const body = await res.body.bytes();
    if (body.length !== data.length) fail(`GET: ${body.length} bytes`);
  } else {
    await res.body.dump();
  }
  if (res.statusCode < 200 || res.statusCode >= 300) fail(`${method}: ${res.statusCode}`);
}

if (cfg.warmup) {
  // steady state (W6): a full round on other objects first, not measured
  for (const method of ['PUT', 'GET', 'DELETE'] as const) await pool(cfg.warmup, conc, (i) => call(method, i, 'warmup'));
}
const phases = [];
for (const method of ['PUT', 'GET', 'DELETE'] as const) {
  phases.push(
    await phase(method, async () => {
      await pool(n, conc, (i) => call(method, i));
      return { ops: n };
    }),
  );
}
await client.close();
report(phases);
