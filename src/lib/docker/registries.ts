/**
 * Google's container registry hosts, kept as data in this one file. The helper does not depend on these lists
 * (they go stale as Google adds regions): it recognises Google hosts by pattern (`isGoogleRegistryHost`). The
 * lists are what `auth configure-docker` writes into Docker's credHelpers, which must name each host exactly.
 */

/** Hosts `gcauth auth configure-docker` configures by default: gcloud's list. */
export const GCR_DEFAULT_HOSTS: readonly string[] = ['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io', 'staging-k8s.gcr.io', 'marketplace.gcr.io'];

/**
 * The gcr.io hosts that are repositories of a project (Container Registry served by Artifact Registry: the repository
 * is named after the host) and the multi-region each lives in.
 */
export const GCR_REPOSITORY_LOCATIONS: Readonly<Record<string, string>> = {'gcr.io': 'us', 'us.gcr.io': 'us', 'eu.gcr.io': 'europe', 'asia.gcr.io': 'asia'};

/**
 * Artifact Registry locations served both as `<location>-docker.pkg.dev` and by the regional endpoint
 * `docker.<location>.rep.pkg.dev`: the union of docker-credential-gcr's list and gcloud's
 * (gcloud adds us-central2 and us-east7).
 */
const AR_REGIONAL_LOCATIONS: readonly string[] = [
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
const AR_DOCKER_ONLY_LOCATIONS: readonly string[] = ['asia', 'europe', 'us', 'asia-southeast3', 'europe-north2', 'northamerica-south1'];

/** Every Artifact Registry location (multi-regions first), the locations a repository may be created in. */
export const ARTIFACT_REGISTRY_LOCATIONS: readonly string[] = [...AR_DOCKER_ONLY_LOCATIONS.slice(0, 3), ...AR_REGIONAL_LOCATIONS, ...AR_DOCKER_ONLY_LOCATIONS.slice(3)];

/** Every Artifact Registry Docker host: `<location>-docker.pkg.dev`, then `docker.<region>.rep.pkg.dev`. */
export const ARTIFACT_REGISTRY_HOSTS: readonly string[] = [
  ...ARTIFACT_REGISTRY_LOCATIONS.map((l) => `${l}-docker.pkg.dev`),
  ...AR_REGIONAL_LOCATIONS.map((l) => `docker.${l}.rep.pkg.dev`),
];

/** Hosts of Docker Hub, whose credentials gcauth must never stand in for. */
export const DOCKER_HUB_HOSTS: readonly string[] = ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'];

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The host name of `host[:port]` without its port or a trailing dot, or undefined for a bracketed IPv6 address. */
function hostName(host: string): string | undefined {
  if (host.startsWith('[')) return undefined;
  return host.replace(/:\d+$/, '').replace(/\.$/, '');
}

/**
 * True for a host Google serves registries on: `gcr.io`, `*.gcr.io` (Container Registry and its mirrors) and
 * `*.pkg.dev` (Artifact Registry), on any port. Takes a normalised host (`registryHost`).
 */
export function isGoogleRegistryHost(host: string): boolean {
  const name = hostName(host);
  if (!name || !DNS_NAME.test(name)) return false;
  return name === 'gcr.io' || name.endsWith('.gcr.io') || name.endsWith('.pkg.dev');
}
