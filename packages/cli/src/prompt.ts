import { UsageError } from './output.js';

/**
 * python's `getpass.getpass()` for `--prompt`: reads a password from the
 * terminal without echo. Without a terminal it stops, as swift does.
 */
export async function promptForPassword(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) throw new UsageError('Input stream incompatible with --prompt option');
  // Echo off before the prompt shows: a password typed (or piped into a
  // terminal) right after it must not be echoed.
  input.setRawMode(true);
  output.write('Password: ');
  input.resume();
  return new Promise<string>((resolve, reject) => {
    let password = '';
    const done = (error?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(password);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new UsageError(' Aborted', 2));
        if (ch === '\u007f' || ch === '\b') password = [...password].slice(0, -1).join('');
        else password += ch;
      }
    };
    input.on('data', onData);
  });
}
