// The Node default HTTP stack: an undici Agent with keep-alive, a pool
// limit when asked, TLS settings, and proxies from the environment.
import type { Dispatcher, Pool as UndiciPool, ProxyAgent as UndiciProxyAgent } from 'undici';
import { Agent, Pool, ProxyAgent } from './undici-parts.js';
import { proxyFor, type ProxyEnv } from './proxy.js';
import type { PoolOptions } from './transport.js';

/** Seconds an idle pooled connection is kept by default. */
export const DEFAULT_KEEP_ALIVE = 30;

export interface DefaultDispatcherOptions extends PoolOptions {
  /** Milliseconds to wait for a TCP/TLS connection. */
  connectTimeoutMs: number;
  /** TLS settings for the servers (and https proxies). */
  tls: { rejectUnauthorized: boolean; ca?: Buffer; cert?: Buffer; key?: Buffer };
  proxies: ProxyEnv;
}

/**
 * An Agent whose per-origin pools go through the proxy the environment
 * names for that origin: plain http is sent to the proxy as absolute-URI
 * requests (as requests does, so the proxy sees and logs them), https
 * through a CONNECT tunnel (the proxy sees only the host and port).
 */
export function defaultDispatcher(options: DefaultDispatcherOptions): Dispatcher {
  const { tls, proxies } = options;
  return new Agent({
    keepAliveTimeout: (options.keepAlive ?? DEFAULT_KEEP_ALIVE) * 1000,
    ...(options.maxConnections !== undefined ? { connections: options.maxConnections } : {}),
    connect: { timeout: options.connectTimeoutMs, ...tls },
    factory: (origin, opts) => {
      const proxy = proxyFor(new URL(String(origin)), proxies);
      if (proxy === undefined) return new Pool(origin, opts as UndiciPool.Options);
      return new ProxyAgent({
        ...(opts as UndiciProxyAgent.Options),
        uri: proxy,
        proxyTunnel: false,
        requestTls: tls,
        proxyTls: { rejectUnauthorized: tls.rejectUnauthorized, ...(tls.ca ? { ca: tls.ca } : {}) },
      });
    },
  });
}
