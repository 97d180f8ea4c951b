// Which JavaScript runtime we run on, and what it lets the fetch engine do.

/** The runtimes the package tells apart. */
export type RuntimeKind = 'node' | 'deno' | 'bun' | 'browser' | 'worker';

/** The globals runtime detection reads (globalThis, or a stand-in in tests). */
export interface RuntimeGlobals {
  process?: { versions?: Record<string, string | undefined> } | undefined;
  Bun?: unknown;
  Deno?: unknown;
  document?: unknown;
  window?: unknown;
}

/**
 * The runtime from its globals: Bun and Deno also define
 * `process.versions.node`, so they are told apart first; a page has a
 * `document`; anything else without Node's `process` is a worker (service
 * worker, edge function).
 */
export function detectRuntime(g: RuntimeGlobals = globalThis as RuntimeGlobals): RuntimeKind {
  const versions = g.process?.versions;
  if (g.Bun !== undefined || versions?.bun) return 'bun';
  if (g.Deno !== undefined || versions?.deno) return 'deno';
  if (versions?.node) return 'node';
  if (g.document !== undefined || g.window !== undefined) return 'browser';
  return 'worker';
}

/**
 * True where fetch can stream a request body of unknown length: Node, Deno
 * and Bun. Browsers need HTTP/2 for it (Chrome) or cannot at all (Firefox,
 * Safari), and local Swift speaks HTTP/1.1.
 */
export function canStreamUploads(runtime: RuntimeKind): boolean {
  return runtime === 'node' || runtime === 'deno' || runtime === 'bun';
}

/**
 * Request headers a browser's fetch drops without a word (the Fetch
 * standard's forbidden names, plus `Proxy-*` and `Sec-*`): sending one is
 * refused instead. Content-Length is the engine's own business.
 */
const FORBIDDEN = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);

/** True for a header a browser will not send. */
export function isForbiddenHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return FORBIDDEN.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-');
}
