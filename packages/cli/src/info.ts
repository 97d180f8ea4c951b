import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { ClientException, NetworkError } from 'swiftclient';
import { Agent } from 'undici';

/** TLS and timeout settings of the one anonymous GET. */
export interface InfoRequestOptions {
  /** Seconds; none: undici's default. */
  timeout?: number | undefined;
  cacert?: string | undefined;
  insecure?: boolean | undefined;
  cert?: string | undefined;
  certKey?: string | undefined;
}

function readTls(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new ClientException(`Could not find the TLS ${what} file, invalid path: ${path}`);
  }
}

/**
 * The `/info` document as text, fetched anonymously. The CLI prints it as
 * python does, floats as floats (`0.0`), which the library's
 * getCapabilities (plain JSON numbers) cannot tell apart from integers.
 */
export async function fetchInfoText(infoUrl: string, o: InfoRequestOptions): Promise<string> {
  const https = infoUrl.startsWith('https:');
  const ca = https && o.cacert && !o.insecure ? readTls('CA certificate bundle', o.cacert) : undefined;
  const cert = o.cert ? readTls('certificate', o.cert) : undefined;
  const key = o.certKey ? readTls('key', o.certKey) : undefined;
  const ms = o.timeout && o.timeout > 0 ? o.timeout * 1000 : undefined;
  const agent = new Agent({
    connect: { rejectUnauthorized: !o.insecure, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ms ? { timeout: ms } : {}) },
    ...(ms ? { headersTimeout: ms, bodyTimeout: ms } : {}),
  });
  try {
    let res: Awaited<ReturnType<Agent['request']>>;
    try {
      const url = new URL(infoUrl);
      res = await agent.request({ origin: url.origin, path: url.pathname + url.search, method: 'GET', headers: { 'accept-encoding': 'identity' } });
    } catch (err) {
      const code = (err as { code?: string } | null)?.code;
      const what = err instanceof Error ? err.message : String(err);
      throw new NetworkError(`Capabilities GET failed: ${what}${code ? ` [${code}]` : ''}`, { cause: err });
    }
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = String(value);
      throw ClientException.fromResponse('Capabilities GET failed', infoUrl, res.statusCode, STATUS_CODES[res.statusCode] ?? '', headers, text);
    }
    return text;
  } finally {
    await agent.close();
  }
}
