// HTTP proxies from the environment, as python's requests reads them.

/** The proxy settings of an environment. */
export interface ProxyEnv {
  /** Proxy for http:// URLs (`http_proxy`, else `HTTP_PROXY`, else `all_proxy`/`ALL_PROXY`). */
  http: string | undefined;
  /** Proxy for https:// URLs (`https_proxy`, else `HTTPS_PROXY`, else `all_proxy`/`ALL_PROXY`); never the http one. */
  https: string | undefined;
  /** `no_proxy` / `NO_PROXY` entries: hosts, domain suffixes, `host:port`, IPv4 CIDRs, or `*`. */
  noProxy: string[];
}

function variable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  // requests (urllib) lets the lower-case form win
  const value = env[name] ?? env[name.toUpperCase()];
  return value ? value.trim() || undefined : undefined;
}

/** A proxy URL as requests accepts it: `host:port` means `http://host:port`. */
function withScheme(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
}

/** Reads the proxy variables of `env`. */
export function proxyEnv(env: NodeJS.ProcessEnv = globalThis.process?.env ?? {}): ProxyEnv {
  const all = variable(env, 'all_proxy');
  return {
    http: withScheme(variable(env, 'http_proxy') ?? all),
    https: withScheme(variable(env, 'https_proxy') ?? all),
    noProxy: (variable(env, 'no_proxy') ?? '')
      .split(/[,\s]+/)
      .filter(Boolean),
  };
}

const IPV4_PART = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = new RegExp(`^${IPV4_PART}(?:\\.${IPV4_PART}){3}$`);

/** A dotted-quad IPv4 address, as node:net's isIPv4 accepts it (no leading zeros). */
export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const size = Number(bits);
  if (!net || !isIPv4(net) || !Number.isInteger(size) || size < 0 || size > 32) return false;
  if (size === 0) return true;
  const shift = 32 - size;
  return ipv4Number(ip) >>> shift === ipv4Number(net) >>> shift;
}

/** True when `no_proxy` says to reach `url` directly (requests' `should_bypass_proxies`). */
export function bypassesProxy(url: URL, noProxy: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy) {
    const entry = raw.toLowerCase();
    if (entry === '*') return true;
    if (isIPv4(host)) {
      if (entry.includes('/') ? inCidr(host, entry) : entry === host || entry === `${host}:${port}`) return true;
      continue;
    }
    const name = entry.replace(/^\*?\./, '');
    const [entryHost, entryPort] = name.includes(':') && !name.includes(']') ? name.split(':') : [name, undefined];
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === entryHost || host.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}

/** The proxy URL to reach `url` through, or undefined to connect directly. */
export function proxyFor(url: URL, env: ProxyEnv): string | undefined {
  const proxy = url.protocol === 'https:' ? env.https : env.http;
  if (proxy === undefined || bypassesProxy(url, env.noProxy)) return undefined;
  return proxy;
}

/** The proxy's origin, for error messages: no user or password. */
export function proxyOrigin(proxy: string): string {
  try {
    return new URL(proxy).origin;
  } catch {
    return '(unparsable proxy URL)';
  }
}
