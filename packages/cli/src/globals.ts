import { InvalidArgumentError, Option, type Command } from 'commander';

/** The `os_*` settings, named as python-swiftclient's options (without the `os_` prefix), in camelCase. */
export const OS_SETTINGS = [
  'username',
  'userId',
  'userDomainId',
  'userDomainName',
  'password',
  'tenantId',
  'tenantName',
  'projectId',
  'projectName',
  'projectDomainId',
  'projectDomainName',
  'authUrl',
  'authType',
  'applicationCredentialId',
  'applicationCredentialSecret',
  'authToken',
  'storageUrl',
  'regionName',
  'serviceType',
  'endpointType',
  'cacert',
  'cert',
  'key',
] as const;

export type OsSetting = (typeof OS_SETTINGS)[number];

/** Global options as commander gives them (all optional: environment and clouds.yaml fill the gaps). */
export interface GlobalFlags {
  snet?: boolean;
  verbose: number;
  quiet?: boolean;
  debug?: boolean;
  info?: boolean;
  auth?: string;
  authVersion?: string;
  osIdentityApiVersion?: string;
  user?: string;
  key?: string;
  timeout?: number;
  retries?: number;
  insecure?: boolean;
  sslCompression?: boolean;
  forceAuthRetry?: boolean;
  prompt?: boolean;
  osHelp?: boolean;
  osCloud?: string;
  /** `--os-<setting>` values, e.g. `osUsername`. */
  [osFlag: `os${string}`]: string | boolean | undefined;
}

/** `username` -> `--os-username`. */
export function osFlagName(setting: OsSetting): string {
  return `--os-${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `username` -> `osUsername` (commander's attribute name). */
export function osAttribute(setting: OsSetting): `os${string}` {
  return `os${setting[0]?.toUpperCase()}${setting.slice(1)}`;
}

/** `username` -> `OS_USERNAME`. */
export function osEnvName(setting: OsSetting): string {
  return `OS_${setting.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

const OS_HELP: Record<OsSetting, string> = {
  username: 'OpenStack username. Defaults to env[OS_USERNAME].',
  userId: 'OpenStack user ID. Defaults to env[OS_USER_ID].',
  userDomainId: 'OpenStack user domain ID. Defaults to env[OS_USER_DOMAIN_ID].',
  userDomainName: 'OpenStack user domain name. Defaults to env[OS_USER_DOMAIN_NAME].',
  password: 'OpenStack password. Defaults to env[OS_PASSWORD].',
  tenantId: 'OpenStack tenant ID. Defaults to env[OS_TENANT_ID].',
  tenantName: 'OpenStack tenant name. Defaults to env[OS_TENANT_NAME].',
  projectId: 'OpenStack project ID. Defaults to env[OS_PROJECT_ID].',
  projectName: 'OpenStack project name. Defaults to env[OS_PROJECT_NAME].',
  projectDomainId: 'OpenStack project domain ID. Defaults to env[OS_PROJECT_DOMAIN_ID].',
  projectDomainName: 'OpenStack project domain name. Defaults to env[OS_PROJECT_DOMAIN_NAME].',
  authUrl: 'OpenStack auth URL. Defaults to env[OS_AUTH_URL].',
  authType: 'OpenStack auth type for v3 (password, v3applicationcredential). Defaults to env[OS_AUTH_TYPE].',
  applicationCredentialId: 'OpenStack application credential id. Defaults to env[OS_APPLICATION_CREDENTIAL_ID].',
  applicationCredentialSecret: 'OpenStack application credential secret. Defaults to env[OS_APPLICATION_CREDENTIAL_SECRET].',
  authToken: 'OpenStack token. Defaults to env[OS_AUTH_TOKEN]. Used with --os-storage-url to bypass the usual username/password authentication.',
  storageUrl: 'OpenStack storage URL. Defaults to env[OS_STORAGE_URL]. Overrides the storage url returned during auth. Will bypass authentication when used with --os-auth-token.',
  regionName: 'OpenStack region name. Defaults to env[OS_REGION_NAME].',
  serviceType: 'OpenStack Service type. Defaults to env[OS_SERVICE_TYPE].',
  endpointType: 'OpenStack Endpoint type. Defaults to env[OS_ENDPOINT_TYPE].',
  cacert: 'Specify a CA bundle file to use in verifying a TLS (https) server certificate. Defaults to env[OS_CACERT].',
  cert: 'Specify a client certificate file (for client auth). Defaults to env[OS_CERT].',
  key: 'Specify a client certificate key file (for client auth). Defaults to env[OS_KEY].',
};

function integer(value: string): number {
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`invalid int value: '${value}'`);
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`invalid number of seconds: '${value}'`);
  return n;
}

/** The options every command takes, before or after the command name (as `swift` does). */
export function addGlobalOptions(program: Command): void {
  program
    .option('-s, --snet', 'Use SERVICENET internal network (not supported by this client).')
    .option('-v, --verbose', 'Print more info.', (_value: string, previous: number) => previous + 1, 1)
    .option('--debug', 'Show the curl commands and results of all http queries (secrets redacted); stack traces on errors.')
    .option('--info', 'Show the curl commands and results of all http queries which return an error.')
    .option('-q, --quiet', 'Suppress status output.')
    .option('-A, --auth <auth_url>', 'URL for obtaining an auth token. Defaults to env[ST_AUTH].')
    .option('-V, --auth-version <auth_version>', 'Specify a version for authentication. Defaults to env[ST_AUTH_VERSION], env[OS_AUTH_VERSION], env[OS_IDENTITY_API_VERSION] or 1.0.')
    .addOption(new Option('--os-identity-api-version <auth_version>', 'Same as --auth-version.'))
    .option('-U, --user <username>', 'User name for obtaining an auth token. Defaults to env[ST_USER].')
    .option('-K, --key <api_key>', 'Key for obtaining an auth token. Defaults to env[ST_KEY].')
    .option('-T, --timeout <seconds>', 'Timeout in seconds to wait for response.', seconds)
    .option('-R, --retries <num_retries>', 'The number of times to retry a failed connection.', integer)
    .option('--insecure', "Allow swiftclient to access servers without having to verify the SSL certificate. Defaults to env[SWIFTCLIENT_INSECURE] (set to 'true' to enable).")
    .option('--no-ssl-compression', 'This option is deprecated and not used anymore.')
    .option('--force-auth-retry', 'Force a re-auth attempt on any error other than 401 unauthorized')
    .option('--prompt', 'Prompt user to enter a password which overrides any password supplied via --key, --os-password or environment variables.')
    .option('--os-help', 'Show OpenStack authentication options.')
    .option('--os-cloud <cloud>', 'Named cloud of clouds.yaml to authenticate with. Defaults to env[OS_CLOUD].');
  for (const setting of OS_SETTINGS) {
    const metavar = setting === 'cacert' ? 'ca-certificate' : setting === 'cert' ? 'client-certificate-file' : setting === 'key' ? 'client-certificate-key-file' : setting;
    const option = new Option(`${osFlagName(setting)} <${metavar}>`, OS_HELP[setting]);
    program.addOption(option);
  }
}

/**
 * python's argparse also takes `--os_username` style spellings (and
 * `--opt=value`): rewritten to the dashed form before commander sees them.
 */
export function normaliseArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const arg of argv) {
    if (passthrough || arg === '--') {
      passthrough = true;
      out.push(arg);
      continue;
    }
    const match = /^--(os_[a-z_]+)(=.*)?$/.exec(arg);
    out.push(match ? `--${(match[1] as string).replace(/_/g, '-')}${match[2] ?? ''}` : arg);
  }
  return out;
}
