// What differs between the runtimes the suites run on (scripts/test: Node,
// Deno, Bun), for the few tests that assert a runtime-dependent value.
import v8 from 'node:v8';
import vm from 'node:vm';

/** The JavaScript runtime running the tests. */
export const RUNTIME: 'node' | 'deno' | 'bun' = 'Deno' in globalThis ? 'deno' : 'Bun' in globalThis ? 'bun' : 'node';

/**
 * Deno's `fs.stat` (and `Deno.stat`) gives file times to the millisecond, so
 * the mtime the client writes (X-Object-Meta-Mtime, segment names) is python's
 * cut after three decimals; python and Node see the microseconds.
 */
export const MTIME_TO_THE_MS = RUNTIME === 'deno';

/**
 * A full garbage collection on demand, for memory-bound tests: V8's `gc`
 * (exposed at run time), or Bun's (JavaScriptCore counts Buffers in
 * `heapUsed`, where V8 counts them in `arrayBuffers`: tests add the two).
 */
export function garbageCollector(): () => void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) return () => bun.gc(true);
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
}

/**
 * Node's and Deno's `https.Server` emit `tlsClientError` (with OpenSSL's
 * reason) for a handshake they refuse; Bun's emits nothing, so a refusal is
 * seen there only from the client and from what reached the upstream.
 */
export const REPORTS_TLS_CLIENT_ERRORS = RUNTIME !== 'bun';

/** Python's `"%f"` mtime string as this runtime's stat sees the same file. */
export function mtimeAsSeenHere(pythonMtime: string): string {
  return MTIME_TO_THE_MS ? pythonMtime.replace(/\.(\d{3})\d{3}$/, '.$1000') : pythonMtime;
}

/**
 * The executable and arguments that run TypeScript file `file` in a child
 * process on this runtime (Node through tsx, Deno with the flags the suites
 * run with, Bun natively).
 */
export function childCommand(file: string, args: string[] = []): [string, string[]] {
  if (RUNTIME === 'deno') return [process.execPath, ['run', '-A', '--no-check', '--node-modules-dir=manual', '--unstable-sloppy-imports', file, ...args]];
  if (RUNTIME === 'bun') return [process.execPath, [file, ...args]];
  return [process.execPath, ['--import', 'tsx', file, ...args]];
}

/**
 * The Node.js that runs our CLI in child processes: the CLI is a Node
 * program (its package's `engines`), whatever runtime runs the tests.
 */
export const NODE_FOR_CLI = RUNTIME === 'node' ? process.execPath : 'node';
