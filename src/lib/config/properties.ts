import {UsageError} from '../errors.js';
import {VERBOSITIES} from '../log.js';
import {
  absolutePathProblem,
  accountProblem,
  artifactRegistryLocationProblem,
  DEFAULT_MIN_TOKEN_LIFETIME,
  DEFAULT_TOKEN_SOURCES,
  impersonationProblem,
  minTokenLifetimeProblem,
  portProblem,
  projectProblem,
  proxyAddressProblem,
  proxyTypeProblem,
  registryListProblem,
  tokenSourceListProblem,
} from '../validators.js';

/** One property of gcloud's `section/name` model. */
export interface PropertyDef {
  section: string;
  name: string;
  description: string;
  default?: string;
  /** Returns an error message for an invalid value, or undefined. */
  validate?: (value: string) => string | undefined;
}

// gcloud's spellings (y and n too), since its CLOUDSDK_* variables set these properties as well.
const BOOLEAN = (v: string) => (/^(true|false|1|0|yes|no|y|n|on|off)$/i.test(v) ? undefined : 'expected true or false');
const URL_VALUE = (v: string) => {
  try {
    const u = new URL(v);
    return /^https?:$/.test(u.protocol) ? undefined : 'expected an http:// or https:// URL';
  } catch {
    return 'expected an http:// or https:// URL';
  }
};
const ENDPOINT_OVERRIDE = (v: string) => URL_VALUE(v) ?? (v.endsWith('/') ? undefined : "expected a base URL ending with '/'");

export const PROPERTIES: readonly PropertyDef[] = [
  {section: 'core', name: 'account', description: 'Account gcauth uses for its credentials', validate: accountProblem},
  {section: 'core', name: 'project', description: 'Project used when a command needs one', validate: projectProblem},
  {section: 'core', name: 'disable_prompts', description: 'Never prompt; take defaults', default: 'false', validate: BOOLEAN},
  {
    section: 'core',
    name: 'verbosity',
    description: 'Logging level on stderr',
    default: 'warning',
    validate: (v) => ((VERBOSITIES as readonly string[]).includes(v) ? undefined : `expected one of ${VERBOSITIES.join(', ')}`),
  },
  {
    section: 'core',
    name: 'check_gce_metadata',
    description: 'Look for the Compute Engine metadata server (its service account is the default account on a VM); false never looks',
    default: 'true',
    validate: BOOLEAN,
  },
  {
    section: 'core',
    name: 'custom_ca_certs_file',
    description: 'Absolute path of a PEM bundle of CA certificates trusted for every HTTPS request, besides the system ones (a TLS-inspecting gateway)',
    validate: absolutePathProblem,
  },
  {
    section: 'auth',
    name: 'disable_ssl_validation',
    description: 'Do not check HTTPS certificates at all (insecure; prints a warning)',
    default: 'false',
    validate: BOOLEAN,
  },
  {
    section: 'auth',
    name: 'token_host',
    description: 'Full URL of the OAuth2 token endpoint',
    default: 'https://oauth2.googleapis.com/token',
    validate: URL_VALUE,
  },
  {
    section: 'auth',
    name: 'auth_host',
    description: 'Full URL of the OAuth2 authorization (consent) page used by auth login',
    default: 'https://accounts.google.com/o/oauth2/v2/auth',
    validate: URL_VALUE,
  },
  {section: 'auth', name: 'client_id', description: "Client ID of your own OAuth client (a Desktop app) used by auth login"},
  {section: 'auth', name: 'client_secret', description: 'Client secret of that OAuth client'},
  {section: 'api_endpoint_overrides', name: 'iam', description: 'Base URL of the IAM API', validate: ENDPOINT_OVERRIDE},
  {
    section: 'api_endpoint_overrides',
    name: 'cloudresourcemanager',
    description: 'Base URL of the Resource Manager API',
    validate: ENDPOINT_OVERRIDE,
  },
  {
    section: 'api_endpoint_overrides',
    name: 'iamcredentials',
    description: 'Base URL of the IAM Credentials API',
    validate: ENDPOINT_OVERRIDE,
  },
  {
    section: 'api_endpoint_overrides',
    name: 'artifactregistry',
    description: 'Base URL of the Artifact Registry API',
    validate: ENDPOINT_OVERRIDE,
  },
  {section: 'api_endpoint_overrides', name: 'serviceusage', description: 'Base URL of the Service Usage API', validate: ENDPOINT_OVERRIDE},
  {section: 'api_endpoint_overrides', name: 'orgpolicy', description: 'Base URL of the Organization Policy API', validate: ENDPOINT_OVERRIDE},
  {
    section: 'auth',
    name: 'impersonate_service_account',
    description: 'Service account to impersonate (DELEGATE,...,TARGET: the last is the target); tokens come from IAM Credentials',
    validate: impersonationProblem,
  },
  {
    section: 'auth',
    name: 'access_token_file',
    description:
      'A file holding an access token that every command uses as given, instead of any account (no refresh); CLOUDSDK_AUTH_ACCESS_TOKEN wins over it',
  },
  {
    section: 'docker',
    name: 'registries',
    description: "Extra registry hosts (HOST[:PORT], comma-separated) docker-credential-gcauth serves besides Google's",
    validate: registryListProblem,
  },
  {
    section: 'docker',
    name: 'token_source',
    description:
      'Where docker-credential-gcauth gets tokens, tried in order: gcauth (the active account), adc (an Application Default Credentials file), metadata (the Compute Engine metadata server)',
    default: DEFAULT_TOKEN_SOURCES,
    validate: tokenSourceListProblem,
  },
  {
    section: 'docker',
    name: 'min_token_lifetime',
    description:
      'The least time a token docker-credential-gcauth hands Docker must still live (5m to 55m: 30m, 1800s, 1800); a cached token with less is refreshed first',
    default: DEFAULT_MIN_TOKEN_LIFETIME,
    validate: minTokenLifetimeProblem,
  },
  {
    section: 'artifacts',
    name: 'location',
    description: 'Location of the repository an artifacts command names when it has no --location (us, europe, asia, us-central1, ...); artifacts repositories list lists only there',
    validate: artifactRegistryLocationProblem,
  },
  {section: 'proxy', name: 'type', description: 'Type of the proxy every request goes through: http, http_no_tunnel, socks4 or socks5 (with proxy/address and proxy/port)', validate: proxyTypeProblem},
  {section: 'proxy', name: 'address', description: 'Host name or IP address of the proxy', validate: proxyAddressProblem},
  {section: 'proxy', name: 'port', description: 'Port of the proxy', validate: portProblem},
  {section: 'proxy', name: 'username', description: 'User name for the proxy, if it asks for one'},
  {section: 'proxy', name: 'password', description: 'Password for the proxy, if it asks for one'},
  {
    section: 'proxy',
    name: 'rdns',
    description: 'Let a SOCKS proxy resolve host names (true) instead of resolving them locally',
    default: 'true',
    validate: BOOLEAN,
  },
];

export const SECTIONS = [...new Set(PROPERTIES.map((p) => p.section))];

/** The full `section/name` of a property. */
export const keyOf = (p: PropertyDef) => `${p.section}/${p.name}`;

/** Environment variable that overrides a property: `GCAUTH_<SECTION>_<NAME>`. */
export const envNameOf = (p: PropertyDef) => `GCAUTH_${p.section}_${p.name}`.toUpperCase();

/**
 * gcloud's variable for a property: `CLOUDSDK_<SECTION>_<NAME>`, upper-cased with nothing else changed (gcloud's
 * `Property.EnvironmentName`; every gcauth name is `[a-z0-9_]`, so the name is one a shell can export).
 */
export const gcloudEnvNameOf = (p: PropertyDef) => `CLOUDSDK_${p.section}_${p.name}`.toUpperCase();

/** The variables that set a property, first one set wins: gcauth's own, then gcloud's. */
export const envNamesOf = (p: PropertyDef): [string, string] => [envNameOf(p), gcloudEnvNameOf(p)];

/**
 * Looks up `section/name`, or a bare `name` in `core`, as gcloud does.
 * @throws UsageError naming the valid sections or properties.
 */
export function findProperty(key: string): PropertyDef {
  // Split at the first '/' only, so `core/project/x` is reported rather than read as core/project.
  const slash = key.indexOf('/');
  const [section, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : ['core', key];
  if (!SECTIONS.includes(section!)) {
    throw new UsageError(`Section [${section}] does not exist. Valid sections: ${SECTIONS.join(', ')}.`);
  }
  const def = PROPERTIES.find((p) => p.section === section && p.name === name);
  if (!def) {
    const names = PROPERTIES.filter((p) => p.section === section).map((p) => p.name);
    throw new UsageError(`Property [${name}] does not exist in section [${section}]. Valid properties: ${names.join(', ')}.`);
  }
  return def;
}

/**
 * Checks a value against its property's rule.
 * @throws UsageError showing the accepted form.
 */
export function validateProperty(def: PropertyDef, value: string): void {
  const problem = def.validate?.(value);
  if (problem) throw new UsageError(`Invalid value for property [${keyOf(def)}]: ${JSON.stringify(value)}: ${problem}.`);
}

/** True for the spellings of a true boolean property. */
export const isTrue = (v: string | undefined) => v !== undefined && /^(true|1|yes|y|on)$/i.test(v);
