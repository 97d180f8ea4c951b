// What differs between the runtimes the suites run on (scripts/test: Node,
// Deno, Bun), for the few tests that assert a runtime-dependent value.

/** The JavaScript runtime running the tests. */
export const RUNTIME: 'node' | 'deno' | 'bun' = 'Deno' in globalThis ? 'deno' : 'Bun' in globalThis ? 'bun' : 'node';

/**
 * Deno's `fs.stat` (and `Deno.stat`) gives file times to the millisecond, so
 * the mtime the client writes (X-Object-Meta-Mtime, segment names) is python's
 * cut after three decimals; python and Node see the microseconds.
 */
export const MTIME_TO_THE_MS = RUNTIME === 'deno';

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
