// Runs tsc on test/types: the `@ts-expect-error` lines there prove the
// listing entry unions narrow on `kind` and the records are typed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TSC = join('node_modules', 'typescript', 'bin', 'tsc');

async function tsc(project: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [TSC, '-p', project]);
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? 1, output: e.stdout ?? '' };
  }
}

test('test/types compiles: every expected type error occurs', { timeout: 120_000 }, async () => {
  const { code, output } = await tsc(join('test', 'types', 'tsconfig.json'));
  assert.equal(code, 0, output);
});

test('the check has teeth: an @ts-expect-error on a valid line fails tsc', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join('test', 'types', 'control-'));
  try {
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../../../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '../../..' }, include: ['./*.ts'] }),
    );
    await writeFile(
      join(dir, 'control.ts'),
      "import type { ListObjectsEntry } from '../../../src/index.js';\ndeclare const entry: ListObjectsEntry;\n// @ts-expect-error\nexport const name: string = entry.name;\n",
    );
    const { code, output } = await tsc(join(dir, 'tsconfig.json'));
    assert.notEqual(code, 0);
    assert.match(output, /TS2578/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
