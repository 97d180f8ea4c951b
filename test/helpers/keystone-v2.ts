import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Keystone v2.0 token responder: no maintained Keystone serves v2.0 any
 * more, so this follows the documented format (access.token.id/expires,
 * serviceCatalog with publicURL/internalURL/adminURL/region). The tokens and
 * storage URL it hands out are real ones from the local Swift's tempauth, so
 * the client's follow-up calls run against the real Swift.
 */
export interface V2Responder {
  url: string;
  /** POST /v2.0/tokens requests received. */
  tokenRequests: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface V2User {
  username: string;
  password: string;
  tenantName: string;
  tenantId: string;
  /** Real credentials whose token and storage URL are handed out. */
  swiftUser: string;
  swiftKey: string;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

export async function startV2Responder(swiftAuthUrl: string, users: V2User[], region = 'RegionOne'): Promise<V2Responder> {
  const tokenRequests: Array<Record<string, unknown>> = [];
  /** Tokens handed out, with their user: a token request (v2.Token) may show one instead of a password. */
  const issued = new Map<string, V2User>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || req.url !== '/v2.0/tokens') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":404,"message":"not found"}}');
        return;
      }
      const body = await readJson(req);
      tokenRequests.push(body);
      const auth = (body.auth ?? {}) as {
        passwordCredentials?: { username?: string; password?: string };
        token?: { id?: string };
        tenantName?: string;
        tenantId?: string;
      };
      const creds = auth.passwordCredentials ?? {};
      const byToken = auth.token?.id === undefined ? undefined : issued.get(auth.token.id);
      const user = users.find(
        (u) =>
          (byToken ? u === byToken : u.username === creds.username && u.password === creds.password) &&
          (auth.tenantName === undefined || auth.tenantName === u.tenantName) &&
          (auth.tenantId === undefined || auth.tenantId === u.tenantId),
      );
      if (!user || (auth.tenantName === undefined && auth.tenantId === undefined)) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } }));
        return;
      }
      const swift = await fetch(swiftAuthUrl, { headers: { 'x-auth-user': user.swiftUser, 'x-auth-key': user.swiftKey } });
      await swift.arrayBuffer();
      const storageUrl = swift.headers.get('x-storage-url') ?? '';
      const token = swift.headers.get('x-auth-token') ?? '';
      issued.set(token, user);
      const internal = storageUrl.replace('127.0.0.1', 'localhost');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          access: {
            token: {
              id: token,
              expires: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
              tenant: { id: user.tenantId, name: user.tenantName, enabled: true },
            },
            serviceCatalog: [
              {
                type: 'identity',
                name: 'keystone',
                endpoints: [{ region, publicURL: 'http://identity.invalid/v2.0', internalURL: 'http://identity.invalid/v2.0', adminURL: 'http://identity.invalid/v2.0' }],
              },
              {
                type: 'object-store',
                name: 'swift',
                endpoints: [{ region, publicURL: storageUrl, internalURL: internal, adminURL: storageUrl }],
              },
            ],
            user: { id: `${user.username}-id`, name: user.username, roles: [{ name: 'member' }] },
          },
        }),
      );
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokenRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
