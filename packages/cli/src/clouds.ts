import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OsSetting } from './globals.js';
import { UsageError } from './output.js';

/** What a clouds.yaml entry contributes: `os_*` settings plus a few connection ones. */
export interface CloudSettings {
  os: Partial<Record<OsSetting, string>>;
  authVersion?: string;
  insecure?: boolean;
  timeout?: number;
  /** The file the cloud came from. */
  file: string;
}

type Tree = Record<string, unknown>;

const NAMES = ['clouds.yaml', 'clouds.yml', 'clouds.json'];
const SECURE_NAMES = ['secure.yaml', 'secure.yml', 'secure.json'];

/** openstacksdk's search path: the current directory, the user's config directory, then /etc/openstack. */
export function configDirs(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return [cwd, join(xdg, 'openstack'), '/etc/openstack'];
}

function candidates(names: string[], override: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string[] {
  const list = override ? [resolve(cwd, override)] : [];
  for (const dir of configDirs(env, cwd)) for (const name of names) list.push(join(dir, name));
  return list;
}

function firstExisting(paths: string[]): string | undefined {
  return paths.find((path) => existsSync(path));
}

async function load(path: string): Promise<Tree> {
  // loaded only when a cloud is asked for: most runs never need a YAML parser
  const { parse } = await import('./yaml.js');
  let data: unknown;
  try {
    data = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`Cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return isTree(data) ? data : {};
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge; values of `over` win. */
function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? merge(current, value) : value;
  }
  return out;
}

/** openstacksdk accepts `project-name` as well as `project_name`. */
function underscored(tree: Tree): Tree {
  const out: Tree = {};
  for (const [key, value] of Object.entries(tree)) out[key.replace(/-/g, '_')] = isTree(value) ? underscored(value) : value;
  return out;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

/**
 * The named cloud of the first clouds.yaml found (OS_CLIENT_CONFIG_FILE,
 * ./clouds.yaml, $XDG_CONFIG_HOME/openstack or ~/.config/openstack,
 * /etc/openstack), with the first secure.yaml found (OS_CLIENT_SECURE_FILE
 * or the same directories) merged over it.
 */
export async function loadCloud(name: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<CloudSettings> {
  const searched = candidates(NAMES, env.OS_CLIENT_CONFIG_FILE, env, cwd);
  const file = firstExisting(searched);
  if (!file) throw new UsageError(`Cloud ${name} was not found: no clouds.yaml in ${searched.join(', ')}`);
  let clouds = await load(file);
  const secureFile = firstExisting(candidates(SECURE_NAMES, env.OS_CLIENT_SECURE_FILE, env, cwd));
  if (secureFile) clouds = merge(clouds, await load(secureFile));
  const all = isTree(clouds.clouds) ? clouds.clouds : {};
  const entry = all[name];
  if (!isTree(entry)) throw new UsageError(`Cloud ${name} was not found in ${file}`);
  return settingsOf(underscored(entry), file);
}

function settingsOf(cloud: Tree, file: string): CloudSettings {
  const auth: Tree = isTree(cloud.auth) ? { ...cloud.auth } : {};
  if (auth.tenant_name !== undefined && auth.project_name === undefined) auth.project_name = auth.tenant_name;
  if (auth.tenant_id !== undefined && auth.project_id === undefined) auth.project_id = auth.tenant_id;
  // openstacksdk: a project-scoped cloud's domain_* is the default of user_domain_* and project_domain_*
  for (const kind of ['id', 'name'] as const) {
    const domain = auth[`domain_${kind}`];
    if (domain === undefined) continue;
    auth[`user_domain_${kind}`] ??= domain;
    auth[`project_domain_${kind}`] ??= domain;
  }
  const authType = text(cloud.auth_type);
  const regions = Array.isArray(cloud.regions) ? cloud.regions : [];
  const firstRegion = regions.length > 0 ? (isTree(regions[0]) ? regions[0].name : regions[0]) : undefined;
  const os: CloudSettings['os'] = {};
  const set = (key: OsSetting, value: unknown): void => {
    const t = text(value);
    if (t !== undefined) os[key] = t;
  };
  set('authUrl', auth.auth_url);
  set('username', auth.username);
  set('userId', auth.user_id);
  set('password', auth.password);
  set('projectName', auth.project_name);
  set('projectId', auth.project_id);
  set('userDomainName', auth.user_domain_name);
  set('userDomainId', auth.user_domain_id);
  set('projectDomainName', auth.project_domain_name);
  set('projectDomainId', auth.project_domain_id);
  set('applicationCredentialId', auth.application_credential_id);
  set('applicationCredentialSecret', auth.application_credential_secret);
  set('authToken', auth.token);
  set('regionName', cloud.region_name ?? firstRegion);
  set('endpointType', cloud.interface ?? cloud.endpoint_type);
  set('storageUrl', cloud.object_store_endpoint_override);
  set('serviceType', cloud.object_store_service_type);
  set('cacert', cloud.cacert);
  set('cert', cloud.cert);
  set('key', cloud.key);
  if (authType && !['password', 'token', 'v3token'].includes(authType)) set('authType', authType);
  const settings: CloudSettings = { os, file };
  const version = text(cloud.identity_api_version) ?? (authType === 'v2password' || authType === 'v2token' ? '2.0' : '3');
  settings.authVersion = version;
  if (cloud.verify === false || cloud.insecure === true) settings.insecure = true;
  const timeout = Number(cloud.api_timeout);
  if (cloud.api_timeout !== undefined && Number.isFinite(timeout) && timeout > 0) settings.timeout = timeout;
  return settings;
}
