import { ClientException } from '../errors.js';
import { readJson, send, type OpContext } from './request.js';

/** The cluster's `/info` document. */
export type Capabilities = Record<string, Record<string, unknown> | undefined> & {
  /** The core section: `max_file_size`, `container_listing_limit`, `policies`, `version`, ... */
  swift?: Record<string, unknown>;
};

/** Maps a storage URL (or any cluster URL) to its `/info` URL, as swiftclient does. */
export function capabilitiesUrl(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch (err) {
    throw new ClientException(`Invalid URL ${JSON.stringify(base)}`, { cause: err });
  }
  const versioned = /\/v\d+\.?\d*(\/.*)?/;
  if (versioned.test(url.pathname)) url.pathname = url.pathname.replace(versioned, '/info');
  else if (!/\/info/.test(url.pathname)) url.pathname = url.pathname.endsWith('/') ? `${url.pathname}info` : `${url.pathname}/info`;
  return url.toString();
}

export async function getCapabilities(ctx: OpContext): Promise<Capabilities> {
  const res = await send(ctx, { method: 'GET', label: 'Capabilities GET', path: '', headers: {}, anonymous: true });
  return (await readJson<Capabilities>(res, 'Capabilities GET', ctx.signal)) ?? {};
}
