// Which JavaScript runtime we run on, and what it lets the fetch engine do.
import { isUserAgentName, withDefaultUserAgent } from './headers.js';

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

/**
 * The request's headers as to `User-Agent`, for the fetch engine. In a page
 * none is sent, the caller's nor `agent`, so the browser's own goes out:
 * Chromium drops one set through fetch without a word, Firefox sends it, and
 * as a header no CORS safelist names it needs a preflight that allows it.
 * Elsewhere (Node, Deno, Bun, workers) a caller's `User-Agent` wins, else
 * `agent` (the `userAgent` option or the platform's default) when there is one.
 */
export function withUserAgent(headers: Record<string, string>, agent: string | undefined, runtime: RuntimeKind): Record<string, string> {
  if (runtime !== 'browser') return withDefaultUserAgent(headers, agent);
  return Object.keys(headers).some(isUserAgentName) ? Object.fromEntries(Object.entries(headers).filter(([name]) => !isUserAgentName(name))) : headers;
}

/** Ports fetch never connects to (the Fetch standard's "bad ports"). */
const BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123,
  135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995,
  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** True for a port fetch refuses to connect to. */
export function isBlockedPort(port: number): boolean {
  return BAD_PORTS.has(port);
}
