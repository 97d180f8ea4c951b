// Browsers and workers: the fetch engine, MD5 from hash-wasm (Web Crypto has
// none), HMAC through Web Crypto only (async), the browser's own User-Agent.
import { createMD5, type IHasher } from 'hash-wasm';
import { ClientException } from '../errors.js';
import { FetchTransport } from '../http/fetch.js';
import { setPlatform, type Md5Hasher, type Platform } from './index.js';

// The Node globals the shared declarations name, for a browser project that
// type-checks them without @types/node (`"types": []`, `lib: ["dom", ...]`).
// Each merges with @types/node's declaration of the same name where that is
// loaded too (the forms match @types/node for TypeScript >= 5.7).
declare global {
  /** At run time in a browser a plain `Uint8Array`: the Node entry's Buffers are Uint8Arrays here. */
  interface Buffer<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends Uint8Array<TArrayBuffer> {}
  namespace NodeJS {
    /** The variables `connectionOptionsFromEnv` and `Connection.fromEnv` read (a browser passes its own). */
    interface ProcessEnv {
      [name: string]: string | undefined;
    }
  }
  interface SymbolConstructor {
    /** `await using conn = new Connection(...)` (ES2026's explicit resource management). */
    readonly asyncDispose: unique symbol;
  }
}

/**
 * hash-wasm's hashers are created asynchronously (WebAssembly), the MD5s the
 * library needs synchronously: one hasher, started when the entry loads,
 * serves them all by saving and loading each one's state around its update
 * (each update runs to its end before another starts).
 */
let shared: { hasher: IHasher; initial: Uint8Array } | undefined;
let failure: unknown;

const ready = createMD5().then(
  (hasher) => {
    hasher.init();
    shared = { hasher, initial: hasher.save() };
  },
  (err: unknown) => {
    failure = err;
  },
);

class SharedMd5 implements Md5Hasher {
  private state: Uint8Array;

  constructor(private readonly owner: { hasher: IHasher; initial: Uint8Array }) {
    this.state = owner.initial;
  }

  update(data: Uint8Array | string): this {
    const { hasher } = this.owner;
    hasher.load(this.state);
    hasher.update(data);
    this.state = hasher.save();
    return this;
  }

  digest(): string {
    return this.owner.hasher.load(this.state).digest('hex');
  }
}

function md5(): Md5Hasher {
  if (shared) return new SharedMd5(shared);
  const why = failure === undefined ? 'it is still loading' : `it could not start (${String(failure)}; a Content-Security-Policy must allow 'wasm-unsafe-eval')`;
  throw new ClientException(`MD5 is not available: hash-wasm's WebAssembly ${why}; pass \`checksum: false\` to go without MD5 checks`);
}

/** Reason phrases for the statuses an auth service answers with (a browser's fetch often gives none). */
const STATUS_TEXTS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The browser and worker implementations. */
export const webPlatform: Platform = {
  name: 'browser',
  md5,
  engines: { fetch: (options, runtime) => new FetchTransport(options, runtime) },
  userAgent: () => undefined,
  statusText: (status) => STATUS_TEXTS[status] ?? '',
  ready,
};

setPlatform(webPlatform);
