'use strict';
// The bundle's twin of the library's src/http/undici-parts.ts, which loads
// each part of undici from its own file at run time (createRequire, which
// esbuild cannot follow): the same parts, required statically so esbuild
// bundles them, and never undici's index (see undici-parts.ts for why).
// build.mjs points `undici-parts.js` and the bare `undici` here.
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');
const api = require('undici/lib/api/index.js');

// As undici's index does: request(), stream()... on every dispatcher (the CLI's capabilities command uses request()).
Object.assign(Dispatcher.prototype, api);

module.exports = {
  Agent: require('undici/lib/dispatcher/agent.js'),
  Dispatcher,
  Pool: require('undici/lib/dispatcher/pool.js'),
  errors: require('undici/lib/core/errors.js'),
  // Only a proxied connection needs it (and what it loads).
  proxyAgentClass: () => require('undici/lib/dispatcher/proxy-agent.js'),
};
