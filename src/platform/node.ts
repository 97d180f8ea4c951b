// Node, Deno and Bun: node:crypto, Node's reason phrases, both engines.
import { createHash, createHmac } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { FetchTransport } from '../http/fetch.js';
import { UndiciTransport } from '../http/undici.js';
import { defaultUserAgent } from '../http/user-agent.js';
import { setPlatform } from './index.js';

setPlatform({
  name: 'node',
  md5: () => createHash('md5'),
  hmac: (digest, key, data) => createHmac(digest, key).update(data, 'utf8').digest(),
  engines: {
    fetch: (options, runtime) => new FetchTransport(options, runtime),
    undici: (options) => new UndiciTransport(options),
  },
  userAgent: defaultUserAgent,
  statusText: (status) => STATUS_CODES[status] ?? '',
});
