import { BadAnswerError, ClientException, responseFields, UnauthorizedError } from '../errors.js';
import type { Transport } from '../http/transport.js';
import type { AccessInfo } from './access.js';
import { authRequest, statusText } from './http.js';

/** Swift v1 (tempauth / swauth): GET the auth URL with X-Auth-User / X-Auth-Key. */
export async function v1Authenticate(
  transport: Transport,
  authUrl: string,
  user: string,
  key: string,
  signal?: AbortSignal,
): Promise<AccessInfo> {
  const res = await authRequest(transport, 'GET', authUrl, { 'x-auth-user': user, 'x-auth-key': key }, undefined, signal);
  const storageUrl = res.headers['x-storage-url'];
  // A 200 with a body and no storage URL is some other page, not an auth answer.
  if (res.status < 200 || res.status >= 300 || (res.body && !storageUrl) || !storageUrl) {
    // 401/403 refuse the credentials. A 404 stays a NotFoundError: python
    // reports a v1 404 as "Account not found" too.
    const fields = responseFields(authUrl, res.status, statusText(res.status), res.headers, res.body);
    if (res.status === 401 || res.status === 403) throw new UnauthorizedError('Auth GET failed', fields);
    throw ClientException.fromResponse('Auth GET failed', authUrl, res.status, statusText(res.status), res.headers, res.body);
  }
  const token = res.headers['x-storage-token'] ?? res.headers['x-auth-token'];
  if (!token) throw new BadAnswerError(`Auth GET ${authUrl} answered without a token`);
  const expiresIn = Number(res.headers['x-auth-token-expires']);
  return {
    token,
    storageUrl,
    catalog: [],
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000) : undefined,
  };
}

