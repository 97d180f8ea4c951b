import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

/** Bytes of the files under `paths` (directories walked, symlinked directories not followed), for the progress bar. */
export async function totalSize(paths: readonly string[]): Promise<number> {
  let total = 0;
  const visit = async (path: string, top: boolean): Promise<void> => {
    const info = await (top ? fsp.stat(path) : fsp.lstat(path)).catch(() => undefined);
    if (!info) return;
    if (info.isSymbolicLink()) {
      const target = await fsp.stat(path).catch(() => undefined);
      if (target?.isFile()) total += target.size;
      return;
    }
    if (info.isFile()) {
      total += info.size;
      return;
    }
    if (!info.isDirectory()) return;
    const names = await fsp.readdir(path).catch(() => [] as string[]);
    for (const name of names) await visit(join(path, name), false);
  };
  for (const path of paths) await visit(path, true);
  return total;
}

/** `isfile(path) or isdir(path)`. */
export async function exists(path: string): Promise<boolean> {
  const info = await fsp.stat(path).catch(() => undefined);
  return info !== undefined && (info.isFile() || info.isDirectory());
}
