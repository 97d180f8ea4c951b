// A transfer in its own process, for tests that SIGKILL it half-way:
//   node --import tsx test/helpers/transfer-child.ts '<json>'
// json: { op: 'upload' | 'download', storageUrl, token, container, objects, options }
// (an upload object `{ generate: path, objectName, options }` reads the file through a generator)
import { createReadStream } from 'node:fs';
import { Connection, SwiftService } from '../../src/index.js';

interface ChildJob {
  op: 'upload' | 'download';
  storageUrl: string;
  token: string;
  container: string;
  objects: unknown[];
  options: Record<string, unknown>;
  fileSizeLimitFails?: boolean;
}

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
// A file size limit set on this process (prlimit --fsize) then fails writes with EFBIG rather than killing it: a full disk, for tests.
if (job.fileSizeLimitFails) process.on('SIGXFSZ', () => undefined);

/** A file's bytes as a generator: a stream without a stable identity, as stdin is. */
async function* generated(path: string): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
}

// `{ generate: path, objectName, options }` uploads the file's bytes from a generator.
const objects = job.objects.map((o) => {
  const spec = o as { generate?: string };
  return spec.generate === undefined ? o : { ...spec, source: generated(spec.generate) };
});
const swift = new SwiftService(new Connection({ preauthUrl: job.storageUrl, preauthToken: job.token, retries: 0 }));
const results =
  job.op === 'upload'
    ? swift.upload(job.container, objects as string[], job.options)
    : swift.download(job.container, job.objects as string[], job.options);
let failed = 0;
for await (const r of results) {
  if (!r.success) {
    failed += 1;
    process.stderr.write(`${r.action} ${r.object ?? ''}: ${r.error?.message}\n`);
  }
}
await swift.close();
process.exitCode = failed ? 1 : 0;
