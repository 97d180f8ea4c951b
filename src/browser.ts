// The browser and worker entry (package conditions `browser`, `worker`,
// `default`): the Connection, auth, the native surface and signing, over the
// platform's fetch, Web Crypto and hash-wasm's MD5; no Node built-in and no
// undici. Not here (Node, Deno and Bun only): fileSource and SwiftService,
// which read and write local files. Bytes the Node entry gives as Buffers
// are plain Uint8Arrays here.
import './platform/web.js';

export * from './exports-common.js';
