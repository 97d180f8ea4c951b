import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** Set when a bundler inlines this module (the CLI's build.mjs): no package.json sits next to a bundle. */
declare const SWIFTCLIENT_VERSION: string | undefined;

/** This package's version, from its package.json. */
function packageVersion(): string {
  if (typeof SWIFTCLIENT_VERSION === 'string') return SWIFTCLIENT_VERSION;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The runtime as `name/version`: node, or bun / deno when they run us. */
function runtime(): string {
  const versions = process.versions as NodeJS.ProcessVersions & { bun?: string; deno?: string };
  if (versions.bun) return `bun/${versions.bun}`;
  if (versions.deno) return `deno/${versions.deno}`;
  return `node/${versions.node}`;
}

/** The default User-Agent: `swiftclient/<version> node/<version>`. */
export function defaultUserAgent(): string {
  cached ??= `swiftclient/${packageVersion()} ${runtime()}`;
  return cached;
}
