/**
 * The rules for values users type into properties (and the flags and arguments that set the same things): each
 * `*Problem` returns what is wrong in words, or undefined. A leaf on purpose, importing nothing of gcauth: the
 * property table (config, the lowest layer) validates with these, and the domain modules (auth, docker, iam) build
 * their own checks on the same rules, so a rule has one home and config depends on no domain module.
 */

// --- projects and accounts (gcloud's core/properties.py) ---

/** gcloud's own project rule: an optional `domain:` prefix, and legacy ids up to 63 characters. */
const PROJECT_ID = /^(?:(?:[-a-z0-9]{1,63}\.)*(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?):)?(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)$/;

/** The accepted form of a project, as every message about one shows it. */
export const PROJECT_FORM = 'a project ID (such as my-project-123, lower-case letters, digits and hyphens) or a project number';

/** True for a project ID (optionally domain-scoped, `example.com:my-project`) or a project number. */
export function isProjectIdentifier(value: string): boolean {
  return /^[0-9]+$/.test(value) || PROJECT_ID.test(value);
}

/** What is wrong with a value that is not a project identifier, and the likely intended one. */
export function projectFault(value: string): {reason?: string; suggestion?: string} {
  const trimmed = value.trim();
  const candidates = [trimmed, trimmed.replace(/^projects\//, ''), trimmed.toLowerCase()];
  const suggestion = candidates.find((c) => c !== value && isProjectIdentifier(c));
  let reason: string | undefined;
  if (value.startsWith('projects/')) reason = 'this takes the ID alone, without projects/';
  else if (value.length === 0) reason = 'it is empty';
  // gcloud's heuristic for a display name given where the ID belongs.
  else if (/^[-A-Z]/.test(value) || /[ !"']/.test(value)) reason = 'this looks like a project name, not its ID';
  return {reason, suggestion};
}

/** The rule of `core/project` (and of validateProjectId in iam/validate.ts): the problem in words, or undefined. */
export function projectProblem(value: string): string | undefined {
  if (isProjectIdentifier(value)) return undefined;
  const {reason, suggestion} = projectFault(value);
  return `${reason ? `${reason}; ` : ''}expected ${PROJECT_FORM}${suggestion !== undefined ? `; did you mean ${suggestion}?` : ''}`;
}

/** The rule of the `core/account` property: an email, or `default` (the metadata server's own account); the problem, or undefined. */
export function accountProblem(value: string): string | undefined {
  // Loose on purpose (NAME@HOST): the credential store, not this rule, says which accounts exist.
  const email = /^[^@\s]+@[^@\s]+$/;
  // A federated identity (an external account without impersonation) is named by its principal, as gcloud names it.
  const principal = /^principal:\/\/iam\.[a-z0-9.-]+\/\S+$/;
  if (value === 'default' || email.test(value) || principal.test(value)) return undefined;
  const trimmed = value.trim();
  const hint = trimmed !== value && email.test(trimmed) ? `; did you mean ${trimmed}?` : '';
  return `expected an account email (you@example.com, NAME@PROJECT_ID.iam.gserviceaccount.com) or default${hint}`;
}

// --- impersonation (auth/impersonate_service_account, --impersonate-service-account) ---

const SERVICE_ACCOUNT_EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/** Why a property value is not a chain of service-account emails, or undefined. */
export function impersonationProblem(value: string): string | undefined {
  const emails = value.split(',').map((e) => e.trim());
  const bad = emails.find((e) => !SERVICE_ACCOUNT_EMAIL.test(e));
  return bad === undefined ? undefined : `expected EMAIL or DELEGATE,...,EMAIL (comma-separated service-account emails), got [${bad}]`;
}

// --- registry hosts (docker/registries, configure-docker's REGISTRIES) ---

const LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(\\.${LABEL})*\\.?$`);
const IPV6 = /^\[[0-9a-f:.]*:[0-9a-f:.]*\]$/;

/** Why `host[:port]` is not a registry host, or undefined when it is one. Takes a normalised host (docker/server-url.ts). */
export function registryHostProblem(host: string): string | undefined {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (!match) return 'expected HOST or HOST:PORT';
  const [, name, port] = match;
  if (!name || !(IPV6.test(name) || HOST_NAME.test(name))) return 'expected HOST or HOST:PORT';
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65_535)) return 'the port must be between 1 and 65535';
  // Docker reads the first part of an image name as a registry only when it has a dot or a port or is
  // localhost; `foo/app` is the Docker Hub user foo's image, so a host `foo` would never be asked for.
  if (port === undefined && !name.startsWith('[') && !name.replace(/\.$/, '').includes('.') && name !== 'localhost') {
    return `[${name}] has no dot and no port, so Docker never treats it as a registry (${name}/IMAGE is an image on Docker Hub); use HOST.DOMAIN, HOST:PORT, an IP address or localhost`;
  }
  return undefined;
}

/** Checks a `docker/registries` value: comma-separated bare `host[:port]` items. Returns the problem, if any. */
export function registryListProblem(value: string): string | undefined {
  for (const item of value.split(',').map((i) => i.trim())) {
    if (!item) continue;
    if (/[/@]/.test(item)) return `[${item}]: expected HOST or HOST:PORT with no scheme or path, e.g. 127.0.0.1:5000`;
    const problem = registryHostProblem(item.toLowerCase());
    if (problem) return `[${item}]: ${problem}, e.g. 127.0.0.1:5000`;
  }
  return undefined;
}

// --- docker/token_source: the sources docker-credential-gcauth tries (docker/token-sources.ts parses the list) ---

/** Every token source, in the default order: the active gcauth account, then ADC (a file), then the metadata server. */
export const TOKEN_SOURCE_NAMES = ['gcauth', 'adc', 'metadata'] as const;

export type TokenSourceName = (typeof TOKEN_SOURCE_NAMES)[number];

/** The default of `docker/token_source`. */
export const DEFAULT_TOKEN_SOURCES = TOKEN_SOURCE_NAMES.join(',');

/** True for a name `docker/token_source` may list. */
export const isTokenSourceName = (item: string): item is TokenSourceName => (TOKEN_SOURCE_NAMES as readonly string[]).includes(item);

/** The problem with a `docker/token_source` value (a comma-separated list, spaces allowed around items), or undefined. */
export function tokenSourceListProblem(value: string): string | undefined {
  const expected = `expected a comma-separated list of ${TOKEN_SOURCE_NAMES.join(', ')}, in the order to try them`;
  const items = value.split(',').map((item) => item.trim());
  if (items.every((item) => item === '')) return `the list is empty; ${expected}`;
  const seen = new Set<string>();
  for (const item of items) {
    if (item === '') return `an item is empty; ${expected}`;
    if (!isTokenSourceName(item)) return `unknown token source [${item}]; ${expected}`;
    if (seen.has(item)) return `[${item}] is listed twice; ${expected}`;
    seen.add(item);
  }
  return undefined;
}

// --- durations (gcloud's arg_parsers.Duration: --service-account-token-lifetime-seconds, --lifetime, docker/min_token_lifetime) ---

const DURATION_SECONDS: Readonly<Record<string, number>> = {w: 604_800, d: 86_400, h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6};

/**
 * Seconds in a duration as gcloud reads one: a whole number alone is in `defaultUnit`; otherwise parts such as
 * `1h30m`, `90s`, `7.5s`, `500ms` or ISO 8601's `PT1H` (case-insensitive; weeks and days, no months or years).
 * Returns the seconds, or the problem in words.
 */
export function parseDuration(value: string, defaultUnit: 's' | 'ms'): number | {problem: string} {
  let text = value.trim().toLowerCase();
  if (/^\d+$/.test(text)) text += defaultUnit;
  const iso = text.startsWith('p');
  if (iso) text = text.slice(1);
  let inTime = !iso;
  let seconds = 0;
  let parts = 0;
  const part = /^(\d+(?:[.,]\d+)?|[.,]\d+)(ms|us|[wdhms])/;
  while (text !== '') {
    if (text.startsWith('t') && !inTime) {
      inTime = true;
      text = text.slice(1);
      continue;
    }
    const match = part.exec(text);
    if (!match) return {problem: 'expected a number of seconds, or a duration such as 90s, 10m, 1h or 1h30m'};
    const unit = match[2]!;
    // ISO 8601's M before T is months, which have no fixed length.
    if (iso && !inTime && unit !== 'w' && unit !== 'd') return {problem: 'expected a duration such as PT1H or P1D (hours, minutes and seconds go after T)'};
    seconds += Number(match[1]!.replace(',', '.')) * DURATION_SECONDS[unit]!;
    parts++;
    text = text.slice(match[0].length);
  }
  if (parts === 0) return {problem: 'expected a number of seconds, or a duration such as 90s, 10m, 1h or 1h30m'};
  return Math.round(seconds * 1e6) / 1e6;
}

/**
 * Whole seconds of a gcloud-style duration (docker/min_token_lifetime, --lifetime): plain seconds (`1800`), or
 * parseDuration's forms (`600s`, `30m`, `1h30m`, spaces between allowed); undefined for anything else or a fraction.
 */
export function durationSeconds(value: string): number | undefined {
  const seconds = parseDuration(value.replace(/\s+/g, ''), 's');
  return typeof seconds === 'number' && Number.isSafeInteger(seconds) ? seconds : undefined;
}

// --- docker/min_token_lifetime: how long a token the Docker helper hands out must still live ---

/** The default of `docker/min_token_lifetime`: long enough for most pushes. */
export const DEFAULT_MIN_TOKEN_LIFETIME = '30m';
/** Its least value: gcloud's rule, the one every gcauth token follows anyway. */
export const MIN_TOKEN_LIFETIME_FLOOR_S = 5 * 60;
/**
 * Its greatest value: Google access tokens live an hour (3599 s as issued), and a minimum above an hour less gcloud's
 * five minutes would leave a new token almost no time before it is refreshed again.
 */
export const MIN_TOKEN_LIFETIME_CEILING_S = 55 * 60;

/** The problem with a `docker/min_token_lifetime` value, or undefined. */
export function minTokenLifetimeProblem(value: string): string | undefined {
  const seconds = durationSeconds(value);
  if (seconds === undefined) return 'expected a duration such as 30m, 1800s or 1800 (seconds), from 5m to 55m';
  if (seconds > MIN_TOKEN_LIFETIME_CEILING_S) {
    return 'at most 55m: Google access tokens live 1h, so a longer minimum could not be met (and one near 1h would refresh on nearly every pull)';
  }
  if (seconds < MIN_TOKEN_LIFETIME_FLOOR_S) return 'at least 5m: no gcauth token is used with 5 minutes or less left (gcloud\'s rule)';
  return undefined;
}

// --- networks in between (gcloud's proxy section, core/custom_ca_certs_file) ---

/** gcloud's `proxy/type` values (http_proxy_types.PROXY_TYPE_MAP). */
export const PROXY_TYPES = ['http', 'http_no_tunnel', 'socks4', 'socks5'] as const;
export type ProxyType = (typeof PROXY_TYPES)[number];

/** The problem with a `proxy/type` value, or undefined. */
export function proxyTypeProblem(value: string): string | undefined {
  return (PROXY_TYPES as readonly string[]).includes(value) ? undefined : `expected one of ${PROXY_TYPES.join(', ')}`;
}

/** The problem with a TCP port number, or undefined. */
export function portProblem(value: string): string | undefined {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535 ? undefined : 'expected a port number from 1 to 65535';
}

/** The problem with a proxy host (a name or an IP address, no scheme, port or path), or undefined. */
export function proxyAddressProblem(value: string): string | undefined {
  return /^(?:\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:]*:[0-9a-fA-F:.]+|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/.test(value)
    ? undefined
    : 'expected a host name or IP address, without a scheme or port (set the port in proxy/port)';
}

/** The problem with a path that must be absolute (gcloud's rule for core/custom_ca_certs_file), or undefined. */
export function absolutePathProblem(value: string): string | undefined {
  return value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value) || value.startsWith('\\\\') ? undefined : 'expected an absolute path';
}

// --- Artifact Registry locations (artifacts/location, --location; docker/registries.ts builds its hosts from them) ---

/**
 * Artifact Registry locations served both as `<location>-docker.pkg.dev` and by the regional endpoint
 * `docker.<location>.rep.pkg.dev`: the union of docker-credential-gcr's list and gcloud's
 * (gcloud adds us-central2 and us-east7).
 */
export const AR_REGIONAL_LOCATIONS: readonly string[] = [
  'africa-south1',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'australia-southeast1',
  'australia-southeast2',
  'europe-central2',
  'europe-north1',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'me-central1',
  'me-central2',
  'me-west1',
  'northamerica-northeast1',
  'northamerica-northeast2',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-central2',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-east7',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
  'us-west8',
];

/** Locations served only as `<location>-docker.pkg.dev`: the multi-regions and the newest regions. */
export const AR_DOCKER_ONLY_LOCATIONS: readonly string[] = ['asia', 'europe', 'us', 'asia-southeast3', 'europe-north2', 'northamerica-south1'];

/** Every Artifact Registry location (multi-regions first), the locations a repository may be created in. */
export const ARTIFACT_REGISTRY_LOCATIONS: readonly string[] = [...AR_DOCKER_ONLY_LOCATIONS.slice(0, 3), ...AR_REGIONAL_LOCATIONS, ...AR_DOCKER_ONLY_LOCATIONS.slice(3)];

/** The accepted form of a location, as every message about one shows it. */
export const AR_LOCATION_FORM = 'an Artifact Registry location such as us, europe, asia or us-central1';

/** What is wrong with a value that is not an Artifact Registry location, and the likely intended one. */
export function artifactRegistryLocationFault(value: string): {reason?: string; suggestion?: string} {
  const lower = value.trim().toLowerCase().replace(/-docker\.pkg\.dev$/, '');
  return ARTIFACT_REGISTRY_LOCATIONS.includes(lower) ? {suggestion: lower} : {reason: 'Artifact Registry has no such location'};
}

/** The rule of `artifacts/location` (and of --location, validateRepositoryLocation): the problem in words, or undefined. */
export function artifactRegistryLocationProblem(value: string): string | undefined {
  if (ARTIFACT_REGISTRY_LOCATIONS.includes(value)) return undefined;
  const {reason, suggestion} = artifactRegistryLocationFault(value);
  return `${reason ? `${reason}; ` : ''}expected ${AR_LOCATION_FORM}${suggestion !== undefined ? `; did you mean ${suggestion}?` : ''}`;
}
