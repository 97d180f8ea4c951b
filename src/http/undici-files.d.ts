// Types of the undici files src/http/undici-parts.ts imports by path: each
// file's module.exports is the class or object undici's index exports under
// that name (lib/api/index.js: the request(), stream(), connect()...
// functions the index puts on every dispatcher).
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici';
  export = Agent;
}
declare module 'undici/lib/dispatcher/pool.js' {
  import { Pool } from 'undici';
  export = Pool;
}
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  import { ProxyAgent } from 'undici';
  export = ProxyAgent;
}
declare module 'undici/lib/core/errors.js' {
  import { errors } from 'undici';
  export = errors;
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  import { Dispatcher } from 'undici';
  export = Dispatcher;
}
declare module 'undici/lib/api/index.js' {
  import { connect, pipeline, request, stream, upgrade } from 'undici';
  const api: { request: typeof request; stream: typeof stream; pipeline: typeof pipeline; upgrade: typeof upgrade; connect: typeof connect };
  export = api;
}
