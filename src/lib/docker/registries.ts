/**
 * Google's container registry hosts, kept as data in this one file (the Artifact Registry locations they are made
 * of are in validators.ts, beside the rule of `artifacts/location` that reads them). The helper does not depend on these lists
 * (they go stale as Google adds regions): it recognises Google hosts by pattern (`isGoogleRegistryHost`). The
 * lists are what `auth configure-docker` writes into Docker's credHelpers, which must name each host exactly.
 */
import {AR_REGIONAL_LOCATIONS, ARTIFACT_REGISTRY_LOCATIONS} from '../validators.js';

export {ARTIFACT_REGISTRY_LOCATIONS};

/** Hosts `gcauth auth configure-docker` configures by default: gcloud's list. */
export const GCR_DEFAULT_HOSTS: readonly string[] = ['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io', 'staging-k8s.gcr.io', 'marketplace.gcr.io'];

/**
 * The gcr.io hosts that are repositories of a project (Container Registry served by Artifact Registry: the repository
 * is named after the host) and the multi-region each lives in.
 */
export const GCR_REPOSITORY_LOCATIONS: Readonly<Record<string, string>> = {'gcr.io': 'us', 'us.gcr.io': 'us', 'eu.gcr.io': 'europe', 'asia.gcr.io': 'asia'};

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
