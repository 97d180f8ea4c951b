import { ClientException, NetworkError, responseFields, UnauthorizedError, urlFields } from '../errors.js';
import type { Transport } from '../http/transport.js';
import { platform } from '../platform/index.js';
import { utf8Bytes } from '../util/bytes.js';

export interface AuthResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One auth request: small bodies read whole; network errors as ClientException. */
export async function authRequest(
  transport: Transport,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
  signal?: AbortSignal,
): Promise<AuthResponse> {
  const payload = body === undefined ? undefined : utf8Bytes(JSON.stringify(body));
  const res = await transport.request({
    method,
    url,
    headers: payload ? { ...headers, 'content-type': 'application/json', accept: 'application/json' } : headers,
    body: payload,
    signal,
  });
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw new NetworkError(`${method} ${url} failed while reading the response`, { cause: err, ...urlFields(url) });
  }
  return { status: res.status, headers: res.headers, body: text };
}

/**
 * True when the auth service's answer refuses the request itself: any 4xx
 * but a timeout or rate limit. Keystone's 404 is a wrong auth URL, never a
 * missing account or container.
 */
export function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429 && status !== 499;
}

/**
 * Builds the exception for a failed Keystone request (no secrets in it): an
 * {@link UnauthorizedError} for a refusal, whatever its status; a server
 * error stays a plain HTTP ClientException (retried).
 */
export function authFailure(label: string, url: string, res: AuthResponse, reason = ''): ClientException {
  let detail = res.body;
  try {
    const parsed = JSON.parse(res.body) as { error?: { message?: string } };
    if (parsed.error?.message) detail = parsed.error.message;
  } catch {
    // not JSON: keep the text
  }
  const fields = responseFields(url, res.status, reason || statusText(res.status), res.headers, detail);
  return isRefusal(res.status) ? new UnauthorizedError(label, fields) : new ClientException(label, fields);
}

/** The standard reason phrase (the auth response keeps no server phrase). */
export function statusText(status: number): string {
  return platform().statusText(status);
}
