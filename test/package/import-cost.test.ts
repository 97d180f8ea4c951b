// What importing the built library loads: undici's dispatchers from their own
// files, not undici's index (which brings fetch, WebSocket, the mocks and
// caches, and Node's zlib, worker_threads and internal undici with them).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as undici from 'undici/index.js';
import { Agent, errors, Pool, proxyAgentClass } from '../../src/http/undici-parts.js';
import { ensureBuilt } from '../helpers/build.js';
import { ROOT } from '../cli/helpers.js';

before(ensureBuilt);

test("the parts are undici's own classes", () => {
  assert.equal(Agent, undici.Agent);
  assert.equal(Pool, undici.Pool);
  assert.equal(errors.BodyTimeoutError, undici.errors.BodyTimeoutError);
  assert.equal(proxyAgentClass(), undici.ProxyAgent);
});

test("importing the library loads neither undici's index nor the Node modules only it needs", () => {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(join(ROOT, 'dist/index.js'))});
    const cached = Object.keys(createRequire(process.cwd() + '/').cache);
    process.stdout.write(JSON.stringify({ modules: process.moduleLoadList, cached }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { modules: string[]; cached: string[] };
  assert.ok(out.cached.some((file) => file.endsWith('/undici/lib/dispatcher/agent.js')), 'the Agent came from its own file');
  assert.ok(!out.cached.some((file) => file.endsWith('/undici/index.js')), "undici's index was loaded");
  for (const name of ['zlib', 'worker_threads', 'internal/deps/undici/undici']) assert.ok(!out.modules.includes(`NativeModule ${name}`), `${name} is loaded`);
});
