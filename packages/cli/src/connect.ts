import type { ConnectionOptions, OsOptions } from 'swiftclient';
import { loadCloud } from './clouds.js';
import { OS_SETTINGS, osAttribute, osEnvName, type GlobalFlags, type OsSetting } from './globals.js';
import { UsageError } from './output.js';

/** python-swiftclient's option dict after `process_options`, in camelCase. */
export interface Resolved {
  auth: string | undefined;
  user: string | undefined;
  key: string | undefined;
  authVersion: string;
  os: Partial<Record<OsSetting, string>>;
  insecure: boolean;
  timeout: number | undefined;
  retries: number;
  forceAuthRetry: boolean;
  verbose: number;
  /** The clouds.yaml file used, if any. */
  cloudFile: string | undefined;
  /** OS_INTERFACE of an openrc file: the endpoint type when none is given (python ignores it). */
  osInterface: string | undefined;
}

const AUTH_TYPES = ['password', 'v1password', 'v2password', 'v3password', 'v3applicationcredential'];

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isTrue(value: string | undefined): boolean {
  return ['true', '1', 'yes', 'on', 't', 'y'].includes((value ?? '').trim().toLowerCase());
}

/**
 * Merges flags, the environment (ST_* and OS_*) or a clouds.yaml cloud
 * (OS_CLOUD / --os-cloud: then the environment's credentials are not used,
 * as in openstacksdk), then applies python-swiftclient's `process_options`.
 */
export async function resolveOptions(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<Resolved> {
  const cloudName = nonEmpty(flags.osCloud) ?? nonEmpty(env.OS_CLOUD);
  const cloud = cloudName ? await loadCloud(cloudName, env, cwd) : undefined;
  const fromEnv = (name: string): string | undefined => (cloud ? undefined : nonEmpty(env[name]));

  const os: Resolved['os'] = {};
  for (const setting of OS_SETTINGS) {
    const flag = flags[osAttribute(setting)];
    let value = typeof flag === 'string' ? flag : undefined;
    value ??= cloud ? cloud.os[setting] : fromEnv(osEnvName(setting));
    if (value !== undefined) os[setting] = value;
  }

  let authVersion =
    flags.authVersion ??
    flags.osIdentityApiVersion ??
    cloud?.authVersion ??
    fromEnv('ST_AUTH_VERSION') ??
    fromEnv('OS_AUTH_VERSION') ??
    fromEnv('OS_IDENTITY_API_VERSION') ??
    '1.0';
  let auth = flags.auth ?? fromEnv('ST_AUTH');
  let user = flags.user ?? fromEnv('ST_USER');
  let key = flags.key ?? fromEnv('ST_KEY');

  // process_options: tolerate sloppy versions, guess Keystone from the options given
  if (authVersion === '3.0') authVersion = '3';
  else if (authVersion === '2') authVersion = '2.0';
  if (!['2.0', '3'].includes(authVersion) && !(auth && user && key)) {
    const domains = os.userDomainId || os.userDomainName || os.projectDomainId || os.projectDomainName;
    authVersion = domains ? '3' : '2.0';
  }
  if (os.authType === 'v3applicationcredential') authVersion = '3';
  auth ||= os.authUrl;
  user ||= os.username;
  key ||= os.password;

  return {
    auth,
    user,
    key,
    authVersion,
    os,
    insecure: Boolean(flags.insecure) || cloud?.insecure === true || isTrue(env.SWIFTCLIENT_INSECURE),
    timeout: flags.timeout ?? cloud?.timeout,
    retries: flags.retries ?? 5,
    forceAuthRetry: Boolean(flags.forceAuthRetry),
    verbose: flags.quiet ? 0 : flags.verbose,
    cloudFile: cloud?.file,
    osInterface: fromEnv('OS_INTERFACE'),
  };
}

/** python's `parse_args` checks: the same messages when credentials are missing. */
export function checkCredentials(o: Resolved, command: string, args: readonly string[]): void {
  if (command === 'capabilities' && args.length > 0) return;
  if (o.os.storageUrl && o.os.authToken) return;
  if (o.os.authType && !AUTH_TYPES.includes(o.os.authType)) {
    throw new UsageError('Only "v3applicationcredential" is supported for --os-auth-type');
  }
  if (o.os.authType === 'v3applicationcredential') {
    if (!(o.os.applicationCredentialId && o.os.applicationCredentialSecret)) {
      throw new UsageError(
        'Auth version 3 (application credential) requires OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET to be set or overridden with --os-application-credential-id and --os-application-credential-secret respectively.',
      );
    }
    if (!o.auth) throw new UsageError('Auth version 3 requires OS_AUTH_URL to be set or overridden with --os-auth-url');
    return;
  }
  if (o.authVersion === '3') {
    if (!o.auth) throw new UsageError('Auth version 3 requires OS_AUTH_URL to be set or overridden with --os-auth-url');
    if (!(o.user || o.os.userId)) {
      throw new UsageError(
        'Auth version 3 requires either OS_USERNAME or OS_USER_ID to be set or overridden with --os-username or --os-user-id respectively.',
      );
    }
    if (!o.key) throw new UsageError('Auth version 3 requires OS_PASSWORD to be set or overridden with --os-password');
    return;
  }
  if (!(o.auth && o.user && o.key)) {
    throw new UsageError(
      [
        'Auth version 1.0 requires ST_AUTH, ST_USER, and ST_KEY environment variables',
        'to be set or overridden with -A, -U, or -K.',
        '',
        'Auth version 2.0 requires OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, and',
        'OS_TENANT_NAME OS_TENANT_ID to be set or overridden with --os-auth-url,',
        '--os-username, --os-password, --os-tenant-name or os-tenant-id. Note:',
        'adding "-V 2" is necessary for this.',
      ].join('\n'),
    );
  }
}

/** python's `get_conn`: the Connection for the resolved options. */
export function connectionOptions(o: Resolved): ConnectionOptions {
  const os = o.os;
  const osOptions: OsOptions = {
    userId: os.userId,
    userDomainId: os.userDomainId,
    userDomainName: os.userDomainName,
    tenantId: os.tenantId,
    tenantName: os.tenantName,
    projectId: os.projectId,
    projectName: os.projectName,
    projectDomainId: os.projectDomainId,
    projectDomainName: os.projectDomainName,
    serviceType: os.serviceType,
    endpointType: os.endpointType ?? o.osInterface,
    authToken: os.authToken,
    objectStorageUrl: os.storageUrl,
    regionName: os.regionName,
    authType: os.authType,
    applicationCredentialId: os.applicationCredentialId,
    applicationCredentialSecret: os.applicationCredentialSecret,
  };
  for (const k of Object.keys(osOptions) as Array<keyof OsOptions>) if (osOptions[k] === undefined) delete osOptions[k];
  const options: ConnectionOptions = {
    authUrl: o.auth,
    user: o.user,
    key: o.key,
    retries: o.retries,
    authVersion: o.authVersion,
    osOptions,
    insecure: o.insecure,
    forceAuthRetry: o.forceAuthRetry,
  };
  if (os.cacert) options.cacert = os.cacert;
  if (os.cert) options.cert = os.cert;
  if (os.key) options.certKey = os.key;
  if (o.timeout !== undefined) options.timeout = o.timeout;
  return options;
}
