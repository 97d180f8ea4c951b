import { ClientException } from '../errors.js';
import type { Transport } from '../http/transport.js';

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
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
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
    throw new ClientException(`${method} ${url} failed while reading the response`, { cause: err });
  }
  return { status: res.status, headers: res.headers, body: text };
}

/** Builds the ClientException for a refused auth request (no secrets in it). */
export function authFailure(label: string, url: string, res: AuthResponse, reason = ''): ClientException {
  let detail = res.body;
  try {
    const parsed = JSON.parse(res.body) as { error?: { message?: string } };
    if (parsed.error?.message) detail = parsed.error.message;
  } catch {
    // not JSON: keep the text
  }
  return ClientException.fromResponse(label, url, res.status, reason || statusText(res.status), res.headers, detail);
}

function statusText(status: number): string {
  const known: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return known[status] ?? '';
}
