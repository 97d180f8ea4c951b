'use strict';
// What the CLI's own code takes from undici (src/info.ts: an Agent and its
// request()), without undici's index.js: the index loads every part of
// undici (fetch, WebSocket, the mock agents, the sqlite cache, the
// interceptors) and with them Node's http2, sqlite, zlib, dns,
// worker_threads and child_process modules, most of a short command's
// start-up CPU. build.mjs points `undici` and `undici/index.js` here for the
// bundle. The library imports undici's files the same way by itself
// (src/http/undici-parts.ts).
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');
const api = require('undici/lib/api/index.js');

// As undici's index does: request(), stream()... on every dispatcher.
Object.assign(Dispatcher.prototype, api);

module.exports = {
  Agent: require('undici/lib/dispatcher/agent.js'),
  Dispatcher,
  Pool: require('undici/lib/dispatcher/pool.js'),
  errors: require('undici/lib/core/errors.js'),
  // Only a proxied connection needs it (and what it loads).
  get ProxyAgent() {
    return require('undici/lib/dispatcher/proxy-agent.js');
  },
};
