import {UsageError} from '../errors.js';
import {registryHost} from '../docker/server-url.js';
import {registryHostProblem} from '../validators.js';
import {GCR_REPOSITORY_LOCATIONS} from '../docker/registries.js';

/** What IMAGE_OR_HOST names: a host, and for a Google image the place its permissions are checked. */
export interface DoctorTarget {
  host: string;
  /** The image path as given after the host (no tag or digest), or ''. */
  path: string;
  /** gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io: the project's repository named after the host, in its multi-region; Artifact Registry: the repository of the path. */
  registry?: {kind: 'gcr'; project: string; host: string; location: string} | {kind: 'artifact-registry'; project: string; location: string; repository: string};
}

/** The host doctor looks at when none is named. */
export const DEFAULT_DOCTOR_HOST = 'gcr.io';

const AR_HOST = /^([a-z0-9-]+)-docker\.pkg\.dev$/;

/**
 * Parses `HOST`, `HOST/PROJECT/IMAGE[:TAG|@DIGEST]` (gcr.io and its regional hosts; a domain-scoped project
 * as `gcr.io/example.com/PROJECT/...`) or `LOC-docker.pkg.dev/PROJECT/REPO/IMAGE...`.
 * @throws UsageError for something that is not a registry host or image reference.
 */
export function parseDoctorTarget(value: string | undefined): DoctorTarget {
  if (value === undefined || value.trim() === '') return {host: DEFAULT_DOCTOR_HOST, path: ''};
  const text = value.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const host = registryHost(text);
  const problem = registryHostProblem(host);
  if (!host || problem) throw new UsageError(`Invalid IMAGE_OR_HOST [${value}]: expected HOST or HOST/PROJECT/IMAGE, e.g. gcr.io/my-project/app or us-docker.pkg.dev/my-project/repo/app.`);
  const path = text
    .slice(text.indexOf('/') >= 0 ? text.indexOf('/') + 1 : text.length)
    .replace(/@.*$/, '')
    .replace(/:[^/]*$/, '')
    .replace(/\/+$/, '');
  const parts = path === '' ? [] : path.split('/');
  const name = host.replace(/:\d+$/, '');
  const ar = AR_HOST.exec(name);
  if (ar && parts.length >= 2) {
    return {host, path, registry: {kind: 'artifact-registry', location: ar[1]!, project: parts[0]!, repository: parts[1]!}};
  }
  const gcrLocation = Object.hasOwn(GCR_REPOSITORY_LOCATIONS, name) ? GCR_REPOSITORY_LOCATIONS[name] : undefined;
  if (gcrLocation !== undefined && parts.length >= 1) {
    // gcr.io spells the domain-scoped project example.com:proj as example.com/proj.
    const project = parts[0]!.includes('.') && parts.length >= 2 ? `${parts[0]}:${parts[1]}` : parts[0]!;
    // Each gcr.io host is a repository of the project, named after the host, in its multi-region.
    return {host, path, registry: {kind: 'gcr', project, host: name, location: gcrLocation}};
  }
  return {host, path};
}
