// Node, Deno and Bun: node:crypto, Node's reason phrases, both engines.
import * as crypto from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { FetchTransport } from '../http/fetch.js';
import { UndiciTransport } from '../http/undici.js';
import { defaultUserAgent } from '../http/user-agent.js';
import { setPlatform, type Platform } from './index.js';
import type { Readable as StreamReadable } from 'node:stream';
import type { Dispatcher as UndiciDispatcher } from 'undici';

// The Node types the shared declarations name (see node-types.ts): this
// module is loaded by the Node entry's declarations, never by the browser's.
declare module './node-types.js' {
  interface NodeOnlyTypes {
    Readable: StreamReadable;
    Dispatcher: UndiciDispatcher;
  }
}

const oneShotHash = (crypto as { hash?: (algorithm: string, data: Uint8Array | string, encoding: 'hex') => string }).hash;

/** Node's implementations (also Deno's and Bun's, through their Node compatibility). */
export const nodePlatform: Platform = {
  name: 'node',
  md5: () => crypto.createHash('md5'),
  // crypto.hash (Node >= 20.12, 21.7): one call, no Hash object; absent on older Node and some runtimes
  md5Hex: oneShotHash ? (data) => oneShotHash('md5', data, 'hex') : undefined,
  hmac: (digest, key, data) => crypto.createHmac(digest, key).update(data, 'utf8').digest(),
  engines: {
    fetch: (options, runtime) => new FetchTransport(options, runtime),
    undici: (options) => new UndiciTransport(options),
  },
  userAgent: defaultUserAgent,
  statusText: (status) => STATUS_CODES[status] ?? '',
};

setPlatform(nodePlatform);
