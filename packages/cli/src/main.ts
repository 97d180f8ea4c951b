#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// A short-lived command: V8's optimising WebAssembly tier would spend ~0.1
// CPU-s and ~30 MiB compiling undici's HTTP parser (llhttp) for a speed-up a
// CLI run hardly lasts long enough to use. Set before the first request
// compiles it (undici compiles it lazily).
setFlagsFromString('--liftoff-only');

// Ctrl-C stops everything at once, as swift does (exit status 2).
process.on('SIGINT', () => {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h');
  process.stderr.write(' Aborted\n');
  process.exit(2);
});

// `swiftclient list | head`: a closed pipe ends the program quietly. Any
// other failure to write the output (`-o - > file` on a full disk: ENOSPC)
// is one line on stderr and exit status 1, not a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (stream === process.stdout) process.stderr.write(`Error writing to standard output: ${err.message}\n`);
    process.exit(1);
  });
}

// Loaded after the handlers above; in the bundle it is a chunk of its own.
const { main } = await import('./program.js');
const code = await main(process.argv.slice(2));
const finish = (): never => process.exit(code);
if (process.stdout.writableNeedDrain) process.stdout.once('drain', finish);
else finish();
