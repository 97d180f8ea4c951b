// The built packages (dist/ and packages/cli/dist/), rebuilt only when a source is newer.
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The bundled CLI as npm installs it (packages/cli/build.mjs). */
export const CLI_DIST = join(ROOT, 'packages/cli/dist');

function newest(dir: string): number {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

/** Whether dist/index.js and the CLI bundle are newer than every source of the library and the CLI. */
export function isBuilt(): boolean {
  try {
    const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'packages/cli/src')), statSync(join(ROOT, 'packages/cli/build.mjs')).mtimeMs);
    return statSync(join(ROOT, 'dist/index.js')).mtimeMs >= sources && statSync(join(CLI_DIST, 'main.js')).mtimeMs >= sources;
  } catch {
    return false; // not built
  }
}

/** `npm run build` unless {@link isBuilt} (scripts/test has just built). */
export async function ensureBuilt(): Promise<void> {
  if (!isBuilt()) await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: ROOT, maxBuffer: 16 << 20 });
}
