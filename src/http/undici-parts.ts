/// <reference path="./undici-files.d.ts" />
// undici's HTTP/1.1 dispatchers and errors, imported from their own files
// instead of undici's index. The index also loads fetch, WebSocket, the mock
// agents and caches; with fetch loaded, V8 runs ~20 times more full GCs
// during a large download here (38 against 2 in a 1 GiB SLO download),
// 0.4-0.6 CPU-s per GiB, and importing the library costs more. Static
// imports, so that bundlers carry these files; by path, which Bun also needs
// (it answers the bare name `undici` with its own partial copy).
import type * as Undici from 'undici';
import api from 'undici/lib/api/index.js';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import errorClasses from 'undici/lib/core/errors.js';
import PoolClass from 'undici/lib/dispatcher/pool.js';
import ProxyAgentClass from 'undici/lib/dispatcher/proxy-agent.js';

// What undici's index does on load: every dispatcher gets request(), stream(), connect()...
// ProxyAgent opens its HTTPS tunnels with its client's connect().
Object.assign(DispatcherClass.prototype, api);

/** undici's Agent: a pool per origin. */
export const Agent: typeof Undici.Agent = AgentClass;
/** undici's Pool: the connections to one origin. */
export const Pool: typeof Undici.Pool = PoolClass;
/** undici's ProxyAgent: requests through an HTTP(S) proxy. */
export const ProxyAgent: typeof Undici.ProxyAgent = ProxyAgentClass;
/** undici's error classes (timeouts among them). */
export const errors: typeof Undici.errors = errorClasses;
