#!/usr/bin/env node
import { main } from './program.js';

// Ctrl-C stops everything at once, as swift does (exit status 2).
process.on('SIGINT', () => {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h');
  process.stderr.write(' Aborted\n');
  process.exit(2);
});

// `swiftclient list | head`: a closed pipe ends the program quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const code = await main(process.argv.slice(2));
const finish = (): never => process.exit(code);
if (process.stdout.writableNeedDrain) process.stdout.once('drain', finish);
else finish();
