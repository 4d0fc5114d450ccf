import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {INFO_FILE, type EmulatorInfo} from './server.js';
import {isAlive, shellQuote} from './util.js';

/** Raised when a data dir has no running emulator to describe. */
export class EmulatorNotRunningError extends Error {}


/**
 * Reads `dataDir/emulator.json` of a running emulator.
 * Throws EmulatorNotRunningError when it is missing, unreadable, malformed or names a dead process.
 */
export async function readEmulatorInfo(dataDir: string): Promise<EmulatorInfo> {
  const file = join(dataDir, INFO_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EmulatorNotRunningError(
      code === 'ENOENT'
        ? `No emulator is running for ${dataDir} (${file} does not exist)`
        : `Cannot read ${file}: ${(error as Error).message}`,
    );
  }
  let info: Partial<EmulatorInfo>;
  try {
    info = JSON.parse(text) as Partial<EmulatorInfo>;
  } catch {
    throw new EmulatorNotRunningError(`${file} is not valid JSON`);
  }
  if (typeof info.url !== 'string' || typeof info.pid !== 'number' || typeof info.project !== 'string' || typeof info.ownerKeyFile !== 'string') {
    throw new EmulatorNotRunningError(`${file} lacks url, pid, project or ownerKeyFile`);
  }
  if (!isAlive(info.pid)) {
    throw new EmulatorNotRunningError(`The emulator for ${dataDir} (pid ${info.pid}) is no longer running`);
  }
  return info as EmulatorInfo;
}


/**
 * The variables that make a shell an "emulated VM": Google's libraries read GCE_METADATA_HOST (google-auth-library
 * for Node prefers GCE_METADATA_IP), Python's google-auth pings GCE_METADATA_IP and reads GCE_METADATA_HOST, gcloud's
 * own GCE check reads GCE_METADATA_ROOT. All three name the emulator's HOST:PORT, so no probe leaves loopback.
 */
export function metadataEnv(url: string): Array<[string, string]> {
  const hostPort = url.replace(/^https?:\/\//, '');
  return [
    ['GCE_METADATA_HOST', hostPort],
    ['GCE_METADATA_IP', hostPort],
    ['GCE_METADATA_ROOT', hostPort],
  ];
}

/**
 * The two variables a GitHub Actions job has for asking for its OIDC token, here naming the emulator's CI issuer and
 * its default job. Throws EmulatorNotRunningError when emulator.json predates the CI issuer.
 */
export function ciEnv(info: EmulatorInfo): Array<[string, string]> {
  if (!info.ci) throw new EmulatorNotRunningError(`The emulator at ${info.url} has no CI token issuer; restart it with this version of gcauth`);
  return [
    ['ACTIONS_ID_TOKEN_REQUEST_URL', info.ci.requestUrl],
    ['ACTIONS_ID_TOKEN_REQUEST_TOKEN', info.ci.requestToken],
  ];
}

/**
 * The variables that point gcauth (or, with `gcloud`, the real gcloud) at a running emulator; with `registry`,
 * distribution's `REGISTRY_AUTH_TOKEN_*` overrides that make a registry use the emulator as its token server;
 * with `metadata`, also the GCE_METADATA_* lines of an emulated VM (and, for gcloud, its GCE check left on); with `ci`,
 * also the ACTIONS_ID_TOKEN_REQUEST_* lines of the CI issuer's default job.
 * Throws EmulatorNotRunningError for `registry` or `ci` when emulator.json predates the registry front or CI issuer.
 */
export function emulatorEnv(info: EmulatorInfo, opts: {gcloud?: boolean; registry?: boolean; metadata?: boolean; ci?: boolean} = {}): Array<[string, string]> {
  const {url, project} = info;
  const vm = opts.metadata ? metadataEnv(url) : [];
  const ci = opts.ci ? ciEnv(info) : [];
  if (opts.registry) {
    if (!info.registry) throw new EmulatorNotRunningError(`The emulator at ${url} has no registry front; restart it with this version of gcauth`);
    return [
      ['REGISTRY_AUTH_TOKEN_REALM', info.registry.realm],
      ['REGISTRY_AUTH_TOKEN_SERVICE', info.registry.service],
      ['REGISTRY_AUTH_TOKEN_ISSUER', info.registry.issuer],
      ['REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE', info.registry.rootCertBundle],
    ];
  }
  if (opts.gcloud) {
    return [
      ['CLOUDSDK_AUTH_TOKEN_HOST', `${url}/token`],
      // gcloud auth login against the consent page; python's oauthlib also needs OAUTHLIB_INSECURE_TRANSPORT=1 for http.
      ['CLOUDSDK_AUTH_AUTH_HOST', `${url}/o/oauth2/auth`],
      ['CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM', `${url}/iam/`],
      ['CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER', `${url}/cloudresourcemanager/`],
      ['CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS', `${url}/iamcredentials/`],
      ['CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY', `${url}/artifactregistry/`],
      ['CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE', `${url}/serviceusage/`],
      ['CLOUDSDK_API_ENDPOINT_OVERRIDES_ORGPOLICY', `${url}/orgpolicy/`],
      ['CLOUDSDK_CORE_PROJECT', project],
      // gcloud otherwise probes the real GCE metadata server (off-box traffic and seconds of delay); both switches
      // are needed. On an emulated VM the check stays on and GCE_METADATA_* point it at the emulator instead.
      ...(opts.metadata ? vm : [['CLOUDSDK_CORE_CHECK_GCE_METADATA', 'false'] as [string, string]]),
      ['CLOUDSDK_METRICS_ENVIRONMENT', 'gcauth-emulator'],
      ['CLOUDSDK_CORE_DISABLE_USAGE_REPORTING', 'true'],
      ['CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK', 'true'],
      ['CLOUDSDK_SURVEY_DISABLE_PROMPTS', 'true'],
      ...ci,
    ];
  }
  return [
    ['GCAUTH_AUTH_TOKEN_HOST', `${url}/token`],
    ['GCAUTH_AUTH_AUTH_HOST', `${url}/o/oauth2/v2/auth`],
    ['GCAUTH_API_ENDPOINT_OVERRIDES_IAM', `${url}/iam/`],
    ['GCAUTH_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER', `${url}/cloudresourcemanager/`],
    ['GCAUTH_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS', `${url}/iamcredentials/`],
    ['GCAUTH_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY', `${url}/artifactregistry/`],
    ['GCAUTH_API_ENDPOINT_OVERRIDES_SERVICEUSAGE', `${url}/serviceusage/`],
    ['GCAUTH_API_ENDPOINT_OVERRIDES_ORGPOLICY', `${url}/orgpolicy/`],
    ['GCAUTH_CORE_PROJECT', project],
    ...vm,
    ...ci,
  ];
}

/** Renders variables as `export K=V` lines for `eval "$(...)"`. */
export function renderExports(vars: Array<[string, string]>): string {
  return vars.map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join('');
}
