/**
 * Artifact Registry v1: repositories (`projects/P/locations/L/repositories/R`) with their own IAM policies, the
 * locations they live in, and the long-running operations that create and delete them. What a caller holds on a
 * repository is the union of the project's policy and the repository's; the registry front (registry.ts) asks
 * the same question through `repositoryPermissions`, and maps image names to repositories through `registryTarget`.
 */
import {randomUUID} from 'node:crypto';
import type {ApiCall} from './api.js';
import {ApiFailure, badRequest} from './google-errors.js';
import {applySetIamPolicy, permissionsHeld, readPermissions, renderPolicy, requestedVersion} from './policy.js';
import type {IamPolicy, ProjectRecord, RepositoryRecord} from './records.js';
import {repositoryName, type EmulatorState} from './state.js';

const RPC_TYPE = 'type.googleapis.com/google.devtools.artifactregistry.v1';
/** Google's repository ids: a lower-case letter, then letters, digits and hyphens, not ending in a hyphen (gcloud's `_REPO_REGEX`). */
const REPOSITORY_ID = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const MAX_REPOSITORY_ID = 63;
const DEFAULT_PAGE_SIZE = 1000;

/**
 * The gcr.io hosts served by Artifact Registry and the location of each one's repository, which is named after
 * the host (gcloud 528, googlecloudsdk/command_lib/artifacts/util.py `_ALLOWED_GCR_REPO_LOCATION`).
 */
export const GCR_REPOSITORY_LOCATIONS: Readonly<Record<string, string>> = {
  'gcr.io': 'us',
  'us.gcr.io': 'us',
  'eu.gcr.io': 'europe',
  'asia.gcr.io': 'asia',
};

/** The locations the emulator answers for: Google's multi-regions and a set of its regions. */
export const AR_LOCATIONS: readonly string[] = [
  'us', 'europe', 'asia',
  'us-central1', 'us-east1', 'us-east4', 'us-east5', 'us-south1', 'us-west1', 'us-west2', 'us-west3', 'us-west4',
  'northamerica-northeast1', 'northamerica-northeast2', 'southamerica-east1', 'southamerica-west1',
  'europe-central2', 'europe-north1', 'europe-southwest1', 'europe-west1', 'europe-west2', 'europe-west3', 'europe-west4',
  'europe-west6', 'europe-west8', 'europe-west9', 'europe-west10', 'europe-west12',
  'asia-east1', 'asia-east2', 'asia-northeast1', 'asia-northeast2', 'asia-northeast3', 'asia-south1', 'asia-south2',
  'asia-southeast1', 'asia-southeast2', 'australia-southeast1', 'australia-southeast2',
  'me-central1', 'me-central2', 'me-west1', 'africa-south1',
];
const LOCATIONS: ReadonlySet<string> = new Set(AR_LOCATIONS);

/** Google's Repository.Format values a repository may be created with. */
const FORMATS: ReadonlySet<string> = new Set(['DOCKER', 'MAVEN', 'NPM', 'APT', 'YUM', 'PYTHON', 'KFP', 'GO', 'GENERIC']);

/**
 * Artifact Registry's wording. The denials are Google's as gcloud and docker print them: the API's
 * (google-github-actions/deploy-cloudrun#370) names the full resource name in single quotes; the registry's
 * (GoogleContainerTools/skaffold#6743, google/ax#140, GoogleCloudPlatform/generative-ai#693) the relative name
 * in double quotes. `alreadyExists` is Google's as gcloud prints it; the rest are the emulator's own.
 */
export const AR_MESSAGES = {
  permissionNotValid: (permission: string) => `Permission ${permission} is not valid for this resource.`,
  apiDenied: (permission: string, resource: string) =>
    `Permission '${permission}' denied on resource '//artifactregistry.googleapis.com/${resource}' (or it may not exist).`,
  registryDenied: (permission: string, resource: string) => `Permission "${permission}" denied on resource "${resource}" (or it may not exist)`,
  registryUnauthenticated: (permission: string, resource: string) =>
    `Unauthenticated request. Unauthenticated requests do not have permission "${permission}" on resource "${resource}" (or it may not exist)`,
  registryNotFound: (repositoryId: string) => `Repository "${repositoryId}" not found`,
  registryNotDocker: (repositoryId: string, format: string) => `Repository "${repositoryId}" is a ${format} repository; docker images go to DOCKER repositories`,
  alreadyExists: 'the repository already exists',
  repositoryId: (id: string) =>
    `Invalid repository id "${id}": names may only contain lowercase letters, numbers, and hyphens, must begin with a letter and end with a letter or number, and be at most 63 characters.`,
  gcrLocation: (id: string, location: string) => `GCR repository ${id} can only be created in the ${location} multi-region.`,
  gcrFormat: (id: string) => `GCR repository ${id} must be of DOCKER format.`,
  repositoryIdRequired: 'repository_id is required.',
  format: (format: string) => `Invalid repository format "${format}": it must be one of ${[...FORMATS].join(', ')}.`,
  mode: (mode: string) => `Repository mode ${mode} is not served by the emulator; only STANDARD_REPOSITORY repositories are.`,
  location: (location: string) => `Invalid location "${location}": it is not an Artifact Registry location (see projects.locations.list).`,
  description: 'description must be a string of at most 2048 characters.',
  labels: 'labels must map strings to strings.',
} as const;

/** Where an image of the registry front lives: its repository, and whether the name is a gcr.io one. */
export interface RegistryTarget {
  projectId: string;
  location: string;
  repositoryId: string;
  /** gcr.io repositories are created on first push by a caller holding `artifactregistry.repositories.createOnPush`. */
  gcr: boolean;
  /** `projects/P/locations/L/repositories/R`. */
  resource: string;
}

const PKG_HOST = /^([a-z][a-z0-9-]*[a-z0-9])-docker\.pkg\.dev$/;

/**
 * The repository an image name of the registry front belongs to. The name may start with the Google host it
 * stands for: `gcr.io/P/IMAGE` (and us., eu., asia.), `LOCATION-docker.pkg.dev/P/REPO/IMAGE`; a name without a
 * host, `P/IMAGE`, is gcr.io's. Undefined for a name that names no repository (`LOCATION-docker.pkg.dev/P/IMG`
 * lacks one, as at Google).
 */
export function registryTarget(name: string): RegistryTarget | undefined {
  const parts = name.split('/');
  const host = parts[0] ?? '';
  const target = (projectId: string, location: string, repositoryId: string, gcr: boolean): RegistryTarget => ({
    projectId,
    location,
    repositoryId,
    gcr,
    resource: repositoryName(projectId, location, repositoryId),
  });
  const gcrLocation = Object.hasOwn(GCR_REPOSITORY_LOCATIONS, host) ? GCR_REPOSITORY_LOCATIONS[host] : undefined;
  if (gcrLocation !== undefined) return parts.length >= 3 ? target(parts[1] ?? '', gcrLocation, host, true) : undefined;
  const pkg = PKG_HOST.exec(host);
  if (pkg?.[1] !== undefined) return parts.length >= 4 ? target(parts[1] ?? '', pkg[1], parts[2] ?? '', false) : undefined;
  return parts.length >= 2 ? target(host, 'us', 'gcr.io', true) : undefined;
}

/** The active project of a target, its repository if any, and the permissions `principals` hold there (both policies). */
export function repositoryPermissions(
  state: EmulatorState,
  target: Pick<RegistryTarget, 'projectId' | 'location' | 'repositoryId'>,
  principals: ReadonlySet<string>,
  nowMs: number,
): {project?: ProjectRecord; repository?: RepositoryRecord; held: Set<string>} {
  const found = state.findProject(target.projectId);
  const project = found?.lifecycleState === 'ACTIVE' ? found : undefined;
  const repository = project ? state.repository(project.projectId, target.location, target.repositoryId) : undefined;
  const policies: IamPolicy[] = [project?.iamPolicy, repository?.iamPolicy].filter((p): p is IamPolicy => p !== undefined);
  return {
    ...(project ? {project} : {}),
    ...(repository ? {repository} : {}),
    held: permissionsHeld(principals, policies, nowMs),
  };
}

/** Creates the gcr.io repository of a target (first push); the caller has checked createOnPush. */
export function createGcrRepository(state: EmulatorState, target: RegistryTarget): RepositoryRecord {
  const project = state.findProject(target.projectId);
  return state.createRepository({
    projectId: project?.projectId ?? target.projectId,
    location: target.location,
    repositoryId: target.repositoryId,
    format: 'DOCKER',
    description: '',
    labels: {},
  });
}

/** A repository as Google renders it (fields in Google's order; `registryUri` for docker repositories). */
function renderRepository(r: RepositoryRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: repositoryName(r.projectId, r.location, r.repositoryId),
    format: r.format,
  };
  if (r.description !== '') out.description = r.description;
  if (Object.keys(r.labels).length > 0) out.labels = {...r.labels};
  out.createTime = r.createTime;
  out.updateTime = r.updateTime;
  out.mode = r.mode;
  if (r.format === 'DOCKER') out.registryUri = `${r.location}-docker.pkg.dev/${r.projectId}/${r.repositoryId}`;
  return out;
}

/** A finished long-running Operation, remembered for `operations.get`. */
function finished(state: EmulatorState, projectId: string, location: string, response: Record<string, unknown>): Record<string, unknown> {
  const name = `projects/${projectId}/locations/${location}/operations/${randomUUID()}`;
  const operation = {name, metadata: {'@type': `${RPC_TYPE}.OperationMetadata`}, done: true, response};
  state.addOperation(name, operation);
  return operation;
}

/** The project of the path; one that does not exist answers the 403 of `permission` on `resource`, as Google does. */
function projectOf(call: ApiCall, permission: string, resource: string): ProjectRecord {
  const project = call.state.findProject(call.params.project ?? '');
  if (!project || project.lifecycleState !== 'ACTIVE') throw call.denied(permission, resource);
  return project;
}

function checkLocation(location: string): void {
  if (!LOCATIONS.has(location)) throw new ApiFailure(400, AR_MESSAGES.location(location));
}

/**
 * The repository of the path once the caller holds `permission` on it (project or repository policy). A missing
 * one answers 404 to a caller who would hold the permission there, and the same 403 as a forbidden one otherwise.
 */
function authorizedRepository(call: ApiCall, permission: string): {project: ProjectRecord; repository: RepositoryRecord} {
  const {location = '', repository: repositoryId = ''} = call.params;
  const resource = `projects/${call.params.project}/locations/${location}/repositories/${repositoryId}`;
  const project = projectOf(call, permission, resource);
  const repository = call.state.repository(project.projectId, location, repositoryId);
  call.require(permission, resource, [project.iamPolicy, repository?.iamPolicy]);
  if (!repository) throw new ApiFailure(404);
  return {project, repository};
}

function readString(value: unknown, max: number, message: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > max) throw new ApiFailure(400, message);
  return value;
}

function readLabels(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ApiFailure(400, AR_MESSAGES.labels);
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.every(([, v]) => typeof v === 'string')) throw new ApiFailure(400, AR_MESSAGES.labels);
  return Object.fromEntries(entries) as Record<string, string>;
}

/** `GET v1/projects/{project}/locations`: the locations repositories may live in. */
export function listLocations(call: ApiCall): unknown {
  const project = projectOf(call, 'artifactregistry.locations.list', `projects/${call.params.project}`);
  return {locations: AR_LOCATIONS.map((id) => ({name: `projects/${project.projectId}/locations/${id}`, locationId: id}))};
}

/**
 * `POST v1/projects/{project}/locations/{location}/repositories?repositoryId=R`, body a Repository: answers a
 * finished Operation whose response is the repository. gcr.io repositories (ids `gcr.io`, `us.gcr.io`, ...)
 * only in their own location and DOCKER format. Throws 400, 403 or 409 ALREADY_EXISTS.
 */
export async function createRepository(call: ApiCall): Promise<unknown> {
  const location = call.params.location ?? '';
  const project = projectOf(call, 'artifactregistry.repositories.create', `projects/${call.params.project}/locations/${location}`);
  call.require('artifactregistry.repositories.create', `projects/${call.params.project}/locations/${location}`, [project.iamPolicy]);
  checkLocation(location);
  const repositoryId = call.query.get('repositoryId') ?? call.query.get('repository_id') ?? '';
  if (repositoryId === '') throw new ApiFailure(400, AR_MESSAGES.repositoryIdRequired, {details: [badRequest('repository_id', AR_MESSAGES.repositoryIdRequired)]});
  const format = typeof call.body.format === 'string' ? call.body.format : 'FORMAT_UNSPECIFIED';
  if (!FORMATS.has(format)) throw new ApiFailure(400, AR_MESSAGES.format(format));
  const gcrLocation = Object.hasOwn(GCR_REPOSITORY_LOCATIONS, repositoryId) ? GCR_REPOSITORY_LOCATIONS[repositoryId] : undefined;
  if (gcrLocation !== undefined) {
    if (gcrLocation !== location) throw new ApiFailure(400, AR_MESSAGES.gcrLocation(repositoryId, gcrLocation));
    if (format !== 'DOCKER') throw new ApiFailure(400, AR_MESSAGES.gcrFormat(repositoryId));
  } else if (!REPOSITORY_ID.test(repositoryId) || repositoryId.length > MAX_REPOSITORY_ID) {
    throw new ApiFailure(400, AR_MESSAGES.repositoryId(repositoryId));
  }
  const mode = typeof call.body.mode === 'string' ? call.body.mode : 'MODE_UNSPECIFIED';
  if (mode !== 'MODE_UNSPECIFIED' && mode !== 'STANDARD_REPOSITORY') throw new ApiFailure(400, AR_MESSAGES.mode(mode));
  const description = readString(call.body.description, 2048, AR_MESSAGES.description);
  const labels = readLabels(call.body.labels);
  if (call.state.repository(project.projectId, location, repositoryId)) {
    throw new ApiFailure(409, AR_MESSAGES.alreadyExists, {status: 'ALREADY_EXISTS'});
  }
  const repository = call.state.createRepository({projectId: project.projectId, location, repositoryId, format, description, labels});
  await call.state.save();
  return finished(call.state, project.projectId, location, {'@type': `${RPC_TYPE}.Repository`, ...renderRepository(repository)});
}

/** `GET v1/projects/{project}/locations/{location}/repositories/{repository}`. */
export function getRepository(call: ApiCall): unknown {
  return renderRepository(authorizedRepository(call, 'artifactregistry.repositories.get').repository);
}

/** `GET v1/projects/{project}/locations/{location}/repositories`: `pageSize`, `pageToken` (an offset); ordered by id. */
export function listRepositories(call: ApiCall): unknown {
  const location = call.params.location ?? '';
  const parent = `projects/${call.params.project}/locations/${location}`;
  const project = projectOf(call, 'artifactregistry.repositories.list', parent);
  call.require('artifactregistry.repositories.list', parent, [project.iamPolicy]);
  checkLocation(location);
  const pageSize = Number(call.query.get('pageSize') ?? call.query.get('page_size') ?? DEFAULT_PAGE_SIZE);
  const token = call.query.get('pageToken') ?? '';
  const offset = token === '' ? 0 : Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10);
  if (!Number.isInteger(pageSize) || pageSize < 0 || !Number.isInteger(offset) || offset < 0) throw new ApiFailure(400);
  const all = call.state.repositoriesOf(project.projectId, location);
  const size = pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize;
  const page = all.slice(offset, offset + size);
  const out: Record<string, unknown> = {};
  if (page.length > 0) out.repositories = page.map(renderRepository);
  if (offset + size < all.length) out.nextPageToken = Buffer.from(String(offset + size)).toString('base64url');
  return out;
}

/** `DELETE v1/projects/{project}/locations/{location}/repositories/{repository}`: a finished Operation (response Empty). */
export async function deleteRepository(call: ApiCall): Promise<unknown> {
  const {project, repository} = authorizedRepository(call, 'artifactregistry.repositories.delete');
  call.state.deleteRepository(repository);
  await call.state.save();
  return finished(call.state, project.projectId, repository.location, {'@type': 'type.googleapis.com/google.protobuf.Empty'});
}

/** `GET v1/projects/{project}/locations/{location}/operations/{operation}`: every operation is finished. */
export function getOperation(call: ApiCall): unknown {
  const {location = '', operation: id = ''} = call.params;
  const project = projectOf(call, 'artifactregistry.repositories.get', `projects/${call.params.project}/locations/${location}`);
  const operation = call.state.operation(`projects/${project.projectId}/locations/${location}/operations/${id}`);
  if (!operation) throw new ApiFailure(404);
  return operation;
}

/** `GET ...repositories/{repository}:getIamPolicy?options.requestedPolicyVersion=N`. */
export function getRepositoryIamPolicy(call: ApiCall): unknown {
  const version = requestedVersion(call.body, call.query);
  return renderPolicy(authorizedRepository(call, 'artifactregistry.repositories.getIamPolicy').repository.iamPolicy, version);
}

/** `POST ...repositories/{repository}:setIamPolicy`: body `{policy, updateMask?}`; etag and conditions as for projects. */
export async function setRepositoryIamPolicy(call: ApiCall): Promise<unknown> {
  const {repository} = authorizedRepository(call, 'artifactregistry.repositories.setIamPolicy');
  repository.iamPolicy = applySetIamPolicy(repository.iamPolicy, call.body, {resource: 'repository', accountExists: (email) => call.state.accountExists(email)});
  await call.state.save();
  return renderPolicy(repository.iamPolicy, 3);
}

/** Google refuses to test a permission of another service on a repository, naming it. */
const repositoryPermission = (permission: string) => permission.startsWith('artifactregistry.');

/**
 * `POST ...repositories/{repository}:testIamPermissions`: the subset held through the project's and the
 * repository's policies. A repository that does not exist answers what the project's policy gives (doctor asks
 * before any repository is made); a project that does not exist answers 403.
 */
export function testRepositoryIamPermissions(call: ApiCall): unknown {
  const permissions = readPermissions(call.body);
  const foreign = permissions.find((p) => !repositoryPermission(p));
  if (foreign !== undefined) throw new ApiFailure(400, AR_MESSAGES.permissionNotValid(foreign));
  const {location = '', repository: repositoryId = ''} = call.params;
  const resource = `projects/${call.params.project}/locations/${location}/repositories/${repositoryId}`;
  const project = projectOf(call, 'artifactregistry.repositories.get', resource);
  const repository = call.state.repository(project.projectId, location, repositoryId);
  const held = permissions.filter((p) => call.holds(p, [project.iamPolicy, repository?.iamPolicy]));
  return held.length > 0 ? {permissions: held} : {};
}
