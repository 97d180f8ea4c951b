// What differs between Node/Deno/Bun and browsers/workers, set once by the
// package entry (src/index.ts registers node:crypto and both engines,
// src/browser.ts Web Crypto, hash-wasm and the fetch engine only). The rest
// of the tree imports no Node built-in and no undici, so a bundler building
// the browser entry never sees them.
import { ClientException } from '../errors.js';
import type { RuntimeKind } from '../http/runtime.js';
import type { Transport, TransportOptions } from '../http/transport.js';

/** An incremental MD5 (node:crypto's Hash and hash-wasm's hasher both fit). */
export interface Md5Hasher {
  update(data: Uint8Array | string): unknown;
  digest(encoding: 'hex'): string;
}

/** HMAC digests Swift's temp URLs and form posts use. */
export type HmacDigest = 'sha1' | 'sha256' | 'sha512';

/** Builds one engine for the options (the runtime is the detected one). */
export type EngineFactory = (options: TransportOptions, runtime: RuntimeKind) => Transport;

/** One platform's implementations. */
export interface Platform {
  /** The build's name, for messages: `node` (Node, Deno, Bun) or `browser` (browsers and workers). */
  readonly name: 'node' | 'browser';
  /** A fresh incremental MD5. */
  md5(): Md5Hasher;
  /** MD5 (hex) of bytes at once, where the platform has a one-shot hash (cheaper than a hasher for small bodies). */
  readonly md5Hex?: ((data: Uint8Array | string) => string) | undefined;
  /** Synchronous HMAC (node:crypto), absent where only Web Crypto's async one exists. */
  readonly hmac?: ((digest: HmacDigest, key: Uint8Array, data: string) => Uint8Array) | undefined;
  /** The engines this build carries: `fetch` always, `undici` on Node/Deno/Bun. */
  readonly engines: { readonly fetch: EngineFactory; readonly undici?: EngineFactory | undefined };
  /** The User-Agent the engines send by default, or undefined to leave it to the platform. */
  userAgent(): string | undefined;
  /** The standard reason phrase of an HTTP status ('' when unknown). */
  statusText(status: number): string;
  /** Settles once asynchronous set-up (hash-wasm's WebAssembly) is done; absent when there is none. */
  readonly ready?: Promise<void> | undefined;
}

let current: Platform | undefined;

/** Registers the platform (the package entry does, on load). */
export function setPlatform(platform: Platform): void {
  current = platform;
}

/** The registered platform; a clear error when a module was loaded without a package entry. */
export function platform(): Platform {
  if (current === undefined) {
    throw new ClientException("swiftclient: no platform registered; import the package ('swiftclient') rather than one of its modules");
  }
  return current;
}
