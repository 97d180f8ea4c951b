import { STATUS_CODES } from 'node:http';
import { ClientException, UnauthorizedError } from '../errors.js';
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

const AUTH_FAILURES = new WeakSet<object>();

/** True for Keystone's refusal of an auth request: its 404 is a wrong auth URL, never a missing account or container. */
export function isAuthFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && AUTH_FAILURES.has(err);
}

/** Marks `err` as an auth refusal (see isAuthFailure). */
function markAuthFailure<E extends object>(err: E): E {
  AUTH_FAILURES.add(err);
  return err;
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
  // an UnauthorizedError whatever the status: Keystone's 404 is a wrong auth URL, never a missing container
  const answer = ClientException.fromResponse(label, url, res.status, reason || statusText(res.status), res.headers, detail);
  return markAuthFailure(new UnauthorizedError(answer.msg, answer.fields()));
}

/** The standard reason phrase (the auth response keeps no server phrase). */
export function statusText(status: number): string {
  return STATUS_CODES[status] ?? '';
}
