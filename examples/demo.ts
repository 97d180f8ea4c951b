// The seed's walkthrough: every step printed, against the Swift named by
// ST_AUTH / ST_USER / ST_KEY (scripts/demo starts a local one).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, fileSource } from '../src/index.js';

const conn = new Connection({
  authUrl: process.env.ST_AUTH ?? 'http://127.0.0.1:8080/auth/v1.0',
  user: process.env.ST_USER ?? 'test:tester',
  key: process.env.ST_KEY ?? 'testing',
});

const dir = await mkdtemp(join(tmpdir(), 'swiftclient-demo-'));
const localFile = join(dir, 'hello.txt');
await writeFile(localFile, `Hello from swiftclient at ${new Date().toISOString()}\n`);
const container = `demo-${Date.now()}`;

try {
  const [, containers] = await conn.getAccount();
  console.log(`1. containers in the account: ${containers.length ? containers.map((c) => c.name).join(', ') : '(none)'}`);

  await conn.putContainer(container);
  console.log(`2. created container ${container}`);

  const etag = await conn.putObject(container, 'hello.txt', fileSource(localFile), { contentType: 'text/plain' });
  console.log(`3. uploaded ${localFile} as ${container}/hello.txt (etag ${etag})`);

  const headers = await conn.headObject(container, 'hello.txt');
  console.log(`4. HEAD: ${headers['content-length']} bytes, ${headers['content-type']}, etag ${headers.etag}`);

  const [, body] = await conn.getObject(container, 'hello.txt');
  const same = body.equals(await readFile(localFile));
  console.log(`5. downloaded: ${JSON.stringify(body.toString())} (${same ? 'identical to the local file' : 'DIFFERENT'})`);
  if (!same) process.exitCode = 1;

  await conn.deleteObject(container, 'hello.txt');
  await conn.deleteContainer(container);
  console.log(`6. deleted ${container}/hello.txt and the container`);
} finally {
  await conn.close();
  await rm(dir, { recursive: true, force: true });
}
