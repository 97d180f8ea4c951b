// The browser bundle as `npm run build:browser` makes it (esbuild, ESM,
// --platform=browser, which fails on any Node built-in), built from the
// sources for each run so a test never loads a stale one.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../src/browser.ts', import.meta.url));

/** The minified ESM bundle of the browser entry, as text. */
export async function browserBundle(): Promise<string> {
  const out = await build({ entryPoints: [ENTRY], bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, logLevel: 'silent' });
  return out.outputFiles[0]?.text ?? '';
}
