import type { ConnectionOptions, OsOptions } from './options.js';

function pick(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Connection options from the environment: swiftclient's `ST_AUTH` /
 * `ST_USER` / `ST_KEY` (v1 by default) or an openrc file's `OS_*`
 * variables (Keystone v3 unless OS_IDENTITY_API_VERSION says otherwise).
 * ST_AUTH wins when both are set, as in the `swift` CLI.
 */
export function connectionOptionsFromEnv(env: NodeJS.ProcessEnv = globalThis.process?.env ?? {}): ConnectionOptions {
  const osOptions: OsOptions = defined({
    tenantId: pick(env, 'OS_TENANT_ID'),
    tenantName: pick(env, 'OS_TENANT_NAME'),
    projectId: pick(env, 'OS_PROJECT_ID'),
    projectName: pick(env, 'OS_PROJECT_NAME'),
    userId: pick(env, 'OS_USER_ID'),
    userDomainId: pick(env, 'OS_USER_DOMAIN_ID'),
    userDomainName: pick(env, 'OS_USER_DOMAIN_NAME'),
    projectDomainId: pick(env, 'OS_PROJECT_DOMAIN_ID'),
    projectDomainName: pick(env, 'OS_PROJECT_DOMAIN_NAME'),
    authType: pick(env, 'OS_AUTH_TYPE'),
    applicationCredentialId: pick(env, 'OS_APPLICATION_CREDENTIAL_ID'),
    applicationCredentialName: pick(env, 'OS_APPLICATION_CREDENTIAL_NAME'),
    applicationCredentialSecret: pick(env, 'OS_APPLICATION_CREDENTIAL_SECRET'),
    serviceType: pick(env, 'OS_SERVICE_TYPE'),
    endpointType: pick(env, 'OS_ENDPOINT_TYPE', 'OS_INTERFACE'),
    regionName: pick(env, 'OS_REGION_NAME'),
    objectStorageUrl: pick(env, 'OS_STORAGE_URL'),
    authToken: pick(env, 'OS_AUTH_TOKEN'),
  });
  const stAuth = pick(env, 'ST_AUTH');
  const common: ConnectionOptions = defined({
    cacert: pick(env, 'OS_CACERT'),
    cert: pick(env, 'OS_CERT'),
    certKey: pick(env, 'OS_KEY'),
    insecure: pick(env, 'SWIFTCLIENT_INSECURE') === 'true' ? true : undefined,
    osOptions,
  });
  if (stAuth) {
    return defined({
      ...common,
      authUrl: stAuth,
      user: pick(env, 'ST_USER'),
      key: pick(env, 'ST_KEY'),
      authVersion: pick(env, 'ST_AUTH_VERSION') ?? '1.0',
    });
  }
  return defined({
    ...common,
    authUrl: pick(env, 'OS_AUTH_URL'),
    user: pick(env, 'OS_USERNAME'),
    key: pick(env, 'OS_PASSWORD'),
    authVersion: pick(env, 'OS_IDENTITY_API_VERSION', 'OS_AUTH_VERSION') ?? '3',
  });
}
