/**
 * Artifact Registry repositories: how a command names one (REPOSITORY, --location, the project), the rules checked
 * before any request (gcloud's wording), Artifact Registry's roles, and the cores of `gcauth artifacts repositories`.
 */
import type {ArOperation, Repository} from '../api/artifact-registry.js';
import {resolveProject} from '../config/project.js';
import {confirmDeletion} from '../confirm.js';
import type {AppContext} from '../context.js';
import {GCR_REPOSITORY_LOCATIONS} from '../docker/registries.js';
import {ApiError, UsageError} from '../errors.js';
import {type ResourceRules} from '../iam/bindings.js';
import type {PolicyResource} from '../iam/policy.js';
import {invalidValue, isBasicRole, validateProjectId} from '../iam/validate.js';
import {renderTable} from '../output/format.js';
import {sortedKeys} from '../output/sorted-keys.js';
import {AR_LOCATION_FORM, artifactRegistryLocationFault, artifactRegistryLocationProblem} from '../validators.js';

/**
 * Artifact Registry's predefined roles and what each lets a member do with a Docker repository: the one table the
 * role check, doctor's fixes and the README's role table are made from.
 */
export const ARTIFACT_REGISTRY_ROLES = {
  'roles/artifactregistry.reader': {pull: true, push: false, deleteImages: false, createOnPush: false},
  'roles/artifactregistry.writer': {pull: true, push: true, deleteImages: false, createOnPush: false},
  'roles/artifactregistry.repoAdmin': {pull: true, push: true, deleteImages: true, createOnPush: false},
  'roles/artifactregistry.createOnPushWriter': {pull: true, push: true, deleteImages: false, createOnPush: true},
  'roles/artifactregistry.createOnPushRepoAdmin': {pull: true, push: true, deleteImages: true, createOnPush: true},
  'roles/artifactregistry.admin': {pull: true, push: true, deleteImages: true, createOnPush: true},
} as const;

/** The formats Artifact Registry knows (`--repository-format`, case-insensitive as gcloud reads it). */
export const REPOSITORY_FORMATS = ['docker', 'maven', 'npm', 'python', 'apt', 'yum', 'go', 'kfp', 'generic'] as const;

const REPOSITORY_ID = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const FULL_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/;
/** gcloud's words for a bad repository id (`_INVALID_REPO_NAME_ERROR`). */
const REPOSITORY_ID_RULE = 'Names may only contain lowercase letters, numbers, and hyphens, and must begin with a letter and end with a letter or number.';

/** A repository as every command names it. */
export interface RepositoryRef {
  project: string;
  location: string;
  repository: string;
  /** `projects/P/locations/L/repositories/R` */
  name: string;
  /** `projects/P/locations/L` */
  parent: string;
}

/** REPOSITORY and --location as a command gets them. */
export interface RepositoryOptions {
  repository: string;
  location?: string;
}

/**
 * Checks `--location` by the rule of `artifacts/location` (artifactRegistryLocationProblem). Returns it; throws UsageError.
 */
export function validateRepositoryLocation(location: string): string {
  if (artifactRegistryLocationProblem(location) === undefined) return location;
  throw invalidValue('--location', location, AR_LOCATION_FORM, artifactRegistryLocationFault(location));
}

/**
 * The location a command names: --location, else the `artifacts/location` property (checked by the resolver, which
 * names where a bad value came from), as gcloud's resource argument falls through to it; undefined when neither is set.
 * @throws UsageError for a bad --location or property value.
 */
function givenLocation(location: string | undefined, ctx: Pick<AppContext, 'props'>): string | undefined {
  return location ? validateRepositoryLocation(location) : ctx.props.get('artifacts/location');
}

/** Checks a repository id with gcloud's rule (a gcr.io repository keeps its dotted name). Returns it; throws UsageError. */
export function validateRepositoryId(id: string): string {
  if (id in GCR_REPOSITORY_LOCATIONS || REPOSITORY_ID.test(id)) return id;
  throw new UsageError(`Invalid REPOSITORY [${id}]: ${REPOSITORY_ID_RULE}`);
}

/**
 * The repository a command acts on: REPOSITORY as an id (with --location and the project) or as a full name
 * (`projects/P/locations/L/repositories/R`, whose parts win, as gcloud reads a fully specified resource).
 * @throws UsageError without a location or project, or for a bad id, location or project.
 */
export function repositoryRef(options: RepositoryOptions, ctx: Pick<AppContext, 'props'>): RepositoryRef {
  const full = FULL_NAME.exec(options.repository);
  const project = validateProjectId(full ? full[1]! : resolveProject(ctx), full ? 'REPOSITORY' : 'project');
  const location = full ? validateRepositoryLocation(full[2]!) : givenLocation(options.location, ctx);
  if (location === undefined) {
    // gcloud's three ways (Failed to find attribute [location]...), on one line.
    throw new UsageError(
      'Failed to find attribute [location] of REPOSITORY: pass --location (e.g. --location=us), set the property artifacts/location (gcauth config set artifacts/location us), or give REPOSITORY as projects/PROJECT/locations/LOCATION/repositories/REPOSITORY.',
    );
  }
  const repository = validateRepositoryId(full ? full[3]! : options.repository);
  const parent = `projects/${project}/locations/${location}`;
  return {project, location, repository, parent, name: `${parent}/repositories/${repository}`};
}

/**
 * The roles a repository's policy takes: Artifact Registry's, the basic ones and custom roles. Any other predefined
 * role is refused before the request, in Google's words.
 */
export const REPOSITORY_ROLE_RULES: ResourceRules = {
  checkRole(role) {
    if (role.startsWith('roles/artifactregistry.') || isBasicRole(role) || !role.startsWith('roles/')) return;
    throw new UsageError(`Role ${role} is not supported for this resource.`, {
      hint: `A repository takes ${Object.keys(ARTIFACT_REGISTRY_ROLES).join(', ')}; ${role} is granted on the project (gcauth projects add-iam-policy-binding).`,
    });
  },
};

/** The repository's policy as a read-modify-write target, its id as gcloud names it in status lines. */
export const repositoryPolicy =
  (ref: RepositoryRef, ctx: Pick<AppContext, 'api'>) =>
  async (): Promise<PolicyResource> =>
    (await ctx.api.artifactRegistry()).repositoryPolicy(ref.name, ref.repository);

export interface CreateRepositoryOptions extends RepositoryOptions {
  repositoryFormat: string;
  description?: string;
}

/** How long an operation is waited for, and the first and longest pause between two looks at it. */
const OPERATION_WAIT = {budgetMs: 10 * 60_000, firstMs: 250, maxMs: 5_000};

/**
 * Waits for an operation as gcloud does: nothing when it is already done, else the `Waiting for operation [...]`
 * line and its `done.`.
 * @throws ApiError with the operation's error when it failed.
 */
async function awaitOperation(operation: ArOperation, ctx: AppContext): Promise<ArOperation> {
  let current = operation;
  if (!current.done) {
    const api = await ctx.api.artifactRegistry();
    ctx.io.stderr.write(`Waiting for operation [${current.name}] to complete...`);
    const deadline = ctx.now() + OPERATION_WAIT.budgetMs;
    let pause = OPERATION_WAIT.firstMs;
    while (!current.done) {
      if (ctx.now() > deadline) throw new ApiError(`Operation [${current.name}] has not finished after ${OPERATION_WAIT.budgetMs / 60_000} minutes; it may still finish.`);
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, OPERATION_WAIT.maxMs);
      current = await api.getOperation(current.name!);
    }
    ctx.io.stderr.write(current.error ? 'failed.\n' : 'done.\n');
  }
  if (current.error) throw new ApiError(`${current.error.status ? `${current.error.status}: ` : ''}${current.error.message ?? 'the operation failed'}`);
  return current;
}

/**
 * Creates a repository, every field checked before the request, and waits for it.
 * @throws UsageError for bad input; ConflictError when it exists; the API's typed errors.
 */
export async function createRepository(options: CreateRepositoryOptions, ctx: AppContext): Promise<Repository> {
  const format = options.repositoryFormat.toLowerCase();
  if (!(REPOSITORY_FORMATS as readonly string[]).includes(format)) {
    throw invalidValue('--repository-format', options.repositoryFormat, `one of ${REPOSITORY_FORMATS.join(', ')}`);
  }
  const ref = repositoryRef(options, ctx);
  const gcrLocation = GCR_REPOSITORY_LOCATIONS[ref.repository];
  // gcloud's own checks of a gcr.io repository (ValidateGcrRepo), in its words.
  if (gcrLocation !== undefined && gcrLocation !== ref.location) throw new UsageError(`GCR repository ${ref.repository} can only be created in the ${gcrLocation} multi-region.`);
  if (gcrLocation !== undefined && format !== 'docker') throw new UsageError(`GCR repository ${ref.repository} must be of DOCKER format.`);
  const body: Repository = {name: ref.name, format: format.toUpperCase(), ...(options.description === undefined ? {} : {description: options.description})};
  const api = await ctx.api.artifactRegistry();
  const operation = await api.createRepository(ref.parent, ref.repository, body);
  ctx.io.stderr.write(`Create request issued for: [${ref.repository}]\n`);
  const done = await awaitOperation(operation, ctx);
  ctx.io.stderr.write(`Created repository [${ref.repository}].\n`);
  return sortedKeys((done.response as Repository | undefined) ?? body);
}

/**
 * A repository, with gcloud's three status lines (encryption, registry URL, size) on stderr; its size is one of them,
 * not a field of the result.
 * @throws UsageError for bad input; NotFoundError; the API's typed errors.
 */
export async function describeRepository(options: RepositoryOptions, ctx: AppContext): Promise<Repository> {
  const ref = repositoryRef(options, ctx);
  const {sizeBytes, ...repository} = await (await ctx.api.artifactRegistry()).getRepository(ref.name);
  ctx.io.stderr.write(`Encryption: ${repository.kmsKeyName ? 'Customer-managed key' : 'Google-managed key'}\n`);
  if (!repository.registryUri) {
    ctx.io.stderr.write(`Registry URL: ${ref.location}-${String(repository.format ?? 'docker').toLowerCase()}.pkg.dev/${ref.project.replace(':', '/')}/${ref.repository}\n`);
  }
  ctx.io.stderr.write(`Repository Size: ${(Number(sizeBytes ?? 0) / 1e6).toFixed(3)}MB\n`);
  return sortedKeys(repository);
}

/**
 * The repositories of the project in --location, else in `artifacts/location`, else (or with --location=all) in every
 * location the project has (gcloud's ways, with its status line).
 * @throws UsageError for a bad location or project; the API's typed errors.
 */
export async function listRepositories(options: {location?: string}, ctx: AppContext): Promise<Repository[]> {
  const project = validateProjectId(resolveProject(ctx), 'project');
  const api = await ctx.api.artifactRegistry();
  let locations: string[];
  const location = options.location === 'all' ? undefined : givenLocation(options.location, ctx);
  if (location !== undefined) {
    locations = [location];
    ctx.io.stderr.write(`Listing items under project ${project}, location ${location}.\n\n`);
  } else {
    locations = await api.listLocations(`projects/${project}`);
    ctx.io.stderr.write(`Listing items under project ${project}, across all locations.\n\n`);
  }
  const pages = await Promise.all(locations.map((l) => api.listRepositories(`projects/${project}/locations/${l}`)));
  return sortedKeys(pages.flat());
}

/**
 * Deletes a repository after the confirmation gcloud asks for, and waits for it.
 * @throws UsageError for bad input or no terminal without --quiet; CancelledError; the API's typed errors.
 */
export async function deleteRepository(options: RepositoryOptions, ctx: AppContext): Promise<void> {
  const ref = repositoryRef(options, ctx);
  await confirmDeletion(`repository [${ref.repository}]`, ctx);
  const operation = await (await ctx.api.artifactRegistry()).deleteRepository(ref.name);
  ctx.io.stderr.write(`Delete request issued for: [${ref.repository}]\n`);
  await awaitOperation(operation, ctx);
  ctx.io.stderr.write(`Deleted repository [${ref.repository}].\n`);
}

/** The last segment of a resource name. */
const baseName = (name: string | undefined): string => (name ?? '').split('/').pop() ?? '';

/** A time as gcloud's `.date(tz=LOCAL)` prints it: local wall-clock time, seconds, no zone. */
function localTime(value: string | undefined): string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** gcloud's list table: its title line, then REPOSITORY ... SIZE (MB). */
export function renderRepositories(repositories: Repository[]): string {
  if (repositories.length === 0) return '';
  const rows = repositories.map((r) => ({
    repository: baseName(r.name),
    format: r.format ?? '',
    mode: r.mode ? baseName(r.mode) : 'STANDARD_REPOSITORY',
    description: r.description ?? '',
    location: (r.name ?? '').split('/')[3] ?? '',
    labels: Object.entries(r.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    encryption: r.kmsKeyName ? 'Customer-managed key' : 'Google-managed key',
    createTime: localTime(r.createTime),
    updateTime: localTime(r.updateTime),
    size: Number(r.sizeBytes ?? 0) === 0 ? '0' : (Number(r.sizeBytes) / 1e6).toFixed(3),
  }));
  const fields = ['repository', 'format', 'mode', 'description', 'location', 'labels', 'encryption', 'createTime', 'updateTime', 'size'];
  const headings = ['REPOSITORY', 'FORMAT', 'MODE', 'DESCRIPTION', 'LOCATION', 'LABELS', 'ENCRYPTION', 'CREATE_TIME', 'UPDATE_TIME', 'SIZE (MB)'];
  const table = renderTable(rows, fields, headings);
  return `${centered('ARTIFACT_REGISTRY', Math.max(...table.split('\n').map((l) => l.length)))}\n${table}`;
}

/** A title centred over a table as gcloud's table printer does it (Python's str.center, then rstrip). */
function centered(title: string, width: number): string {
  const margin = width - title.length;
  if (margin <= 0) return title;
  const left = Math.floor(margin / 2) + (margin & width & 1);
  return `${' '.repeat(left)}${title}`;
}

/** The REPOSITORY argument of every command on one repository. */
export const REPOSITORY_ARGS = {
  repository: {required: true, description: 'Repository id (e.g. my-repo), or its full name projects/PROJECT/locations/LOCATION/repositories/REPOSITORY.'},
} as const;

/** --location of the repository commands. */
export const LOCATION_FLAG = {
  location: {type: 'option', description: 'Location of the repository: a region (us-central1) or multi-region (us, europe, asia). Default: the artifacts/location property.'},
} as const;
