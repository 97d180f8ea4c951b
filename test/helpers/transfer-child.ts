// A transfer in its own process, for tests that SIGKILL it half-way:
//   node --import tsx test/helpers/transfer-child.ts '<json>'
// json: { op: 'upload' | 'download', storageUrl, token, container, objects, options }
import { Connection, SwiftService } from '../../src/index.js';

interface ChildJob {
  op: 'upload' | 'download';
  storageUrl: string;
  token: string;
  container: string;
  objects: unknown[];
  options: Record<string, unknown>;
}

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
const swift = new SwiftService(new Connection({ preauthUrl: job.storageUrl, preauthToken: job.token, retries: 0 }));
const results =
  job.op === 'upload'
    ? swift.upload(job.container, job.objects as string[], job.options)
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
