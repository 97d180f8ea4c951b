// Our client on one workload, in a process of its own:
//   node .bench/js/bench/ours.js <w1|w2|w3|w4|w4-setup> '<json BenchConfig>'
// Prints one JSON line: the measured phases (wall and CPU of each).
import { randomBytes } from 'node:crypto';
import { Connection, fileSource } from '../src/index.js';
import { fail, objectName, phase, pool, readArgs, report, type BenchConfig, type Phase } from './common.js';

const { workload, cfg } = readArgs();
const conn = new Connection({ authUrl: cfg.authUrl, user: cfg.user, key: cfg.key, checksum: cfg.checksum ?? true });
await conn.getAuth(); // start-up and auth are outside the phases

const CHUNK = 1 << 20;

async function w1(c: BenchConfig): Promise<Phase[]> {
  const n = c.count ?? 300;
  const data = randomBytes(c.objectSize ?? 1024);
  let prefix = 'w1';
  const name = (i: number): string => objectName(prefix, i);
  const ops: Record<string, (i: number) => Promise<void>> = {
    PUT: async (i) => {
      await conn.putObject(c.container, name(i), data);
    },
    GET: async (i) => {
      const [, body] = await conn.getObject(c.container, name(i));
      if (body.length !== data.length) fail(`GET ${name(i)}: ${body.length} bytes`);
    },
    DELETE: (i) => conn.deleteObject(c.container, name(i)),
  };
  if (c.warmup) {
    prefix = 'warmup';
    for (const op of Object.values(ops)) await pool(c.warmup, c.concurrency ?? 1, op);
    prefix = 'w1';
  }
  const phases: Phase[] = [];
  for (const [method, op] of Object.entries(ops)) {
    phases.push(
      await phase(method, async () => {
        await pool(n, c.concurrency ?? 1, op);
        return { ops: n };
      }),
    );
  }
  return phases;
}

/** Streams the whole object through `getObject` and returns its length. */
async function download(container: string, obj: string, chunk = CHUNK): Promise<number> {
  const [, body] = await conn.getObject(container, obj, { respChunkSize: chunk });
  if (Buffer.isBuffer(body)) return body.length; // never with respChunkSize > 0
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.length;
  return bytes;
}

async function w2(c: BenchConfig): Promise<Phase[]> {
  const size = c.size ?? fail('size');
  const file = c.file ?? fail('file');
  const up = await phase('up', async () => {
    await conn.putObject(c.container, 'w2', fileSource(file, { size }));
    return { bytes: size };
  });
  const down = await phase('down', async () => {
    const bytes = await download(c.container, 'w2', c.chunk ?? CHUNK);
    if (bytes !== size) fail(`downloaded ${bytes} of ${size} bytes`);
    return { bytes };
  });
  return [up, down];
}

/**
 * A static large object made with Connection alone: segments PUT from byte
 * ranges of the file, `segmentThreads` at a time, then the manifest.
 */
async function sloUpload(c: BenchConfig, file: string, size: number): Promise<void> {
  const segSize = c.segmentSize ?? fail('segmentSize');
  const segContainer = `${c.container}_segments`;
  await conn.putContainer(segContainer);
  const count = Math.ceil(size / segSize);
  const prefix = `w3/slo/${Date.now()}/${size}/${segSize}`;
  const segments: Array<{ path: string; etag: string; size_bytes: number }> = new Array(count);
  await pool(count, c.segmentThreads ?? 4, async (i) => {
    const start = i * segSize;
    const end = Math.min(size, start + segSize) - 1;
    const name = `${prefix}/${String(i).padStart(8, '0')}`;
    const etag = await conn.putObject(segContainer, name, fileSource(file, { start, end }));
    segments[i] = { path: `/${segContainer}/${name}`, etag, size_bytes: end - start + 1 };
  });
  await conn.putObject(c.container, 'w3', JSON.stringify(segments), {
    queryString: 'multipart-manifest=put',
    contentType: 'application/octet-stream',
  });
}

/**
 * SwiftService (src/service) when it is there, as `swift upload --use-slo`
 * and `swift download` use python's; else the Connection-only upload above
 * and a streamed getObject.
 */
async function w3(c: BenchConfig): Promise<Phase[]> {
  const size = c.size ?? fail('size');
  const file = c.file ?? fail('file');
  const service = await import('../src/service/index.js').catch(() => undefined);
  const swift = service ? new service.SwiftService(conn) : undefined;
  impl = swift ? 'SwiftService' : 'Connection';
  const checksum = c.checksum ?? true;
  const up = await phase('up', async () => {
    if (swift) {
      const options = { segmentSize: c.segmentSize, segmentThreads: c.segmentThreads, useSlo: true, checksum };
      for await (const r of swift.upload(c.container, [{ source: file, objectName: 'w3' }], options)) {
        if (!r.success) fail(`upload ${r.action} ${r.object ?? ''}: ${String((r as { error?: unknown }).error)}`);
      }
    } else {
      await sloUpload(c, file, size);
    }
    return { bytes: size };
  });
  const down = await phase('down', async () => {
    let bytes = 0;
    if (swift) {
      // fetched and checked, written nowhere (the swift CLI writes to /dev/null)
      for await (const r of swift.download(c.container, ['w3'], { noDownload: true, checksum })) {
        if (!r.success) fail(`download: ${String(r.error)}`);
        bytes += r.bytes ?? 0;
      }
    } else {
      bytes = await download(c.container, 'w3');
    }
    if (bytes !== size) fail(`downloaded ${bytes} of ${size} bytes`);
    return { bytes };
  });
  return [up, down];
}

/**
 * W5: a large object (an SLO) downloaded to a file by SwiftService, as
 * `swift download -o FILE` does; the harness checks the file's MD5 after.
 */
async function w5(c: BenchConfig): Promise<Phase[]> {
  const service = await import('../src/service/index.js');
  const swift = new service.SwiftService(conn);
  const obj = c.object ?? fail('object');
  const down = await phase('download', async () => {
    let bytes = 0;
    for await (const r of swift.download(c.container, [obj], { outFile: c.outFile ?? fail('outFile'), checksum: c.checksum ?? true })) {
      if (!r.success) fail(`download: ${String(r.error)}`);
      bytes += r.bytes ?? 0;
    }
    if (c.size !== undefined && bytes !== c.size) fail(`downloaded ${bytes} of ${c.size} bytes`);
    return { bytes };
  });
  impl = 'SwiftService';
  return [down];
}

async function w4(c: BenchConfig): Promise<Phase[]> {
  const list = await phase('list', async () => {
    const [, objects] = await conn.getContainer(c.container, { fullListing: true });
    if (c.objects !== undefined && objects.length !== c.objects) fail(`listed ${objects.length} of ${c.objects} objects`);
    return { ops: objects.length };
  });
  return [list];
}

/**
 * Not measured: makes the W4 container hold exactly the objects w4-00000..
 * of one byte each, PUTting what is missing. Not empty: rclone 1.60 HEADs
 * every 0-byte object it lists (a DLO manifest lists as 0 bytes), even with
 * --swift-no-large-objects, which would turn its listing into 20,000 HEADs.
 */
async function w4Setup(c: BenchConfig): Promise<Phase[]> {
  const want = c.objects ?? fail('objects');
  await conn.putContainer(c.container);
  for (let round = 0; round < 3; round++) {
    const [, objects] = await conn.getContainer(c.container, { fullListing: true });
    const have = new Set(objects.filter((o) => o.bytes === 1).map((o) => o.name));
    const missing: string[] = [];
    for (let i = 0; i < want; i++) if (!have.has(objectName('w4', i))) missing.push(objectName('w4', i));
    if (missing.length === 0 && objects.length === want) return [];
    if (missing.length === 0) fail(`container ${c.container} holds ${objects.length} objects, expected ${want}`);
    process.stderr.write(`w4-setup: creating ${missing.length} objects in ${c.container}\n`);
    await pool(missing.length, c.concurrency ?? 16, async (i) => {
      await conn.putObject(c.container, missing[i] as string, 'x');
    });
  }
  return fail(`container ${c.container} is still incomplete after 3 rounds`);
}

/** What W3 ran on, reported with the phases. */
let impl = 'Connection';

const workloads: Record<string, (c: BenchConfig) => Promise<Phase[]>> = { w1, w2, w3, w4, w5, 'w4-setup': w4Setup };
const run = workloads[workload] ?? fail(`unknown workload ${workload}`);
const phases = await run(cfg);
await conn.close();
report(phases, { impl });
