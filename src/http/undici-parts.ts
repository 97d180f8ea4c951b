// The parts of undici the library uses, each loaded from its own file.
// undici's index loads all of undici (fetch, WebSocket, the mock agents, the
// caches, the interceptors) and with them Node's http2, zlib, worker_threads
// and its own internal undici: about 60 of the ~140 ms of CPU an import of
// this library costs (docs/PERFORMANCE.md, "Start-up"). The files are not
// undici's public API, so each falls back to the index should a later
// undici move one. The CLI bundle swaps this module for its static twin,
// packages/cli/undici-lean.cjs.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const load = createRequire(import.meta.url);

function part<K extends 'Agent' | 'Pool' | 'ProxyAgent' | 'errors'>(name: K, file: string): (typeof Undici)[K] {
  try {
    return load(file) as (typeof Undici)[K];
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw err;
    // by path: Bun answers the bare name with its own partial copy
    return (load('undici/index.js') as typeof Undici)[name];
  }
}

/** undici's Agent. */
export const Agent = part('Agent', 'undici/lib/dispatcher/agent.js');
/** undici's Pool. */
export const Pool = part('Pool', 'undici/lib/dispatcher/pool.js');
/** undici's error classes. */
export const errors = part('errors', 'undici/lib/core/errors.js');

let proxyAgent: typeof Undici.ProxyAgent | undefined;
/** undici's ProxyAgent, loaded when a proxy is first used. */
export function proxyAgentClass(): typeof Undici.ProxyAgent {
  proxyAgent ??= part('ProxyAgent', 'undici/lib/dispatcher/proxy-agent.js');
  return proxyAgent;
}
