// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven
// by playwright-core (from test/runtimes, installed by scripts/setup; no
// browser download), with a fresh profile each launch.
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

const require = createRequire(new URL('../runtimes/package.json', import.meta.url));
const { chromium } = require('playwright-core') as typeof import('playwright-core');

/** The system Chromium (overridable for a machine that keeps it elsewhere). */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// No GPU, no QUIC, and none of the background traffic (updates, sync, field
// trials) a fresh profile starts: only the test's own requests leave the page.
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A browser with a throw-away profile; `close()` ends it and deletes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = await fsp.mkdtemp(join(tmpdir(), 'swiftclient-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    timeout: 60_000,
  });
  // tsx (esbuild, keepNames) wraps named functions in __name(fn, "name"); a
  // function handed to page.evaluate() carries those calls into the page.
  await context.addInitScript('globalThis.__name = (fn) => fn;');
  return {
    context,
    close: async () => {
      await context.close();
      await fsp.rm(profile, { recursive: true, force: true });
    },
  };
}
