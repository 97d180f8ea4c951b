import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ByteProxy } from './byte-proxy.js';
import { childCommand } from './runtime.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./transfer-child.ts', import.meta.url));

/** How a killed child ended. */
export interface KillOutcome {
  /** True when the child was killed; false when it finished before reaching the threshold. */
  killed: boolean;
  code: number | null;
  stderr: string;
}

/**
 * Runs a command, and SIGKILLs it (no chance to clean up, as an OOM kill or
 * a power cut) as soon as `reached(proxy)` holds after some bytes went
 * through the proxy, or, with `pollMs`, at a check every that many ms (for
 * conditions on what the child wrote to disk, which may lag behind the bytes
 * the proxy passed on). Resolves once the process has exited.
 */
export function runAndKill(
  command: string,
  args: string[],
  proxy: ByteProxy,
  reached: (proxy: ByteProxy) => boolean,
  o: { stdin?: string; env?: NodeJS.ProcessEnv; pollMs?: number } = {},
): Promise<KillOutcome> {
  return new Promise((resolve, reject) => {
    // `stdin`: a file the child reads as its standard input.
    const input = o.stdin === undefined ? 'ignore' : openSync(o.stdin, 'r');
    const child = spawn(command, args, { cwd: ROOT, stdio: [input, 'ignore', 'pipe'], env: { ...(o.env ?? process.env), LANG: 'C.UTF-8' } });
    if (typeof input === 'number') closeSync(input);
    let killed = false;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const check = (): void => {
      if (!killed && reached(proxy)) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    proxy.onBytes = check;
    const poll = o.pollMs === undefined ? undefined : setInterval(check, o.pollMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      proxy.onBytes = undefined;
      resolve({ killed, code, stderr });
    });
  });
}

/** Runs a SwiftService transfer (see transfer-child.ts) in a child process, killed by `reached`. */
export function transferAndKill(job: Record<string, unknown>, proxy: ByteProxy, reached: (proxy: ByteProxy) => boolean, o: { pollMs?: number } = {}): Promise<KillOutcome> {
  const [command, args] = childCommand(CHILD, [JSON.stringify(job)]);
  return runAndKill(command, args, proxy, reached, o);
}
