/**
 * Service Usage v1 under `{url}/serviceusage/`: which services a project has enabled, and the refusal every other
 * emulated API (and the registry front) answers for a project where its service is not: Google's SERVICE_DISABLED.
 *
 * Which project counts: Google checks the consumer project (for gcloud, the quota project of the credentials);
 * the emulator keeps it simple and checks the project of the resource a request names.
 */
import {randomUUID} from 'node:crypto';
import type {ApiCall, ApiService} from './api.js';
import {ApiFailure, errorInfo, type ErrorDetail} from './google-errors.js';
import type {ProjectRecord} from './records.js';
import type {EmulatorState} from './state.js';

/**
 * The services the emulator knows, with Google's titles: those it serves, and a few that provisioning scripts enable
 * beside them. Enabling any other name is refused as Google refuses an unknown one.
 */
export const SERVICE_TITLES: Readonly<Record<string, string>> = {
  'artifactregistry.googleapis.com': 'Artifact Registry API',
  'cloudbuild.googleapis.com': 'Cloud Build API',
  'cloudresourcemanager.googleapis.com': 'Cloud Resource Manager API',
  'compute.googleapis.com': 'Compute Engine API',
  'container.googleapis.com': 'Kubernetes Engine API',
  'containerregistry.googleapis.com': 'Container Registry API',
  'iam.googleapis.com': 'Identity and Access Management (IAM) API',
  'iamcredentials.googleapis.com': 'IAM Service Account Credentials API',
  'orgpolicy.googleapis.com': 'Organization Policy API',
  'run.googleapis.com': 'Cloud Run Admin API',
  'secretmanager.googleapis.com': 'Secret Manager API',
  'serviceusage.googleapis.com': 'Service Usage API',
  'storage.googleapis.com': 'Cloud Storage API',
  'sts.googleapis.com': 'Security Token Service API',
};

const activationUrl = (service: string, projectNumber: string) =>
  `https://console.developers.google.com/apis/api/${service}/overview?project=${projectNumber}`;

/**
 * Google's wording. SERVICE_DISABLED: the message, ErrorInfo metadata and Help link as real APIs send them
 * (dora-team/fourkeys#320, GoogleCloudPlatform/emblem#757, Google's Data Manager API error guide). An unknown
 * service: google/stellar-engine#19 (`PERMISSION_DENIED: Not found or permission denied for service(s): ...`).
 */
export const SU_MESSAGES = {
  serviceDisabled: (title: string, service: string, projectNumber: string) =>
    `${title} has not been used in project ${projectNumber} before or it is disabled. Enable it by visiting ${activationUrl(service, projectNumber)} then retry. ` +
    'If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.',
  notFound: (services: readonly string[]) => `Not found or permission denied for service(s): ${services.join(', ')}.`,
  badFilter: (filter: string) => `Invalid filter: ${filter}; the emulator takes state:ENABLED or state:DISABLED.`,
  noServiceIds: 'serviceIds must name at least one service.',
  tooManyServiceIds: 'serviceIds takes at most 20 services.',
  operationNotFound: (name: string) => `Operation ${name} not found.`,
  changeDenied: (verb: 'enable' | 'disable', services: readonly string[]) => `Permission denied to ${verb} service [${services.join(',')}]`,
} as const;

/** Google's 403 SERVICE_DISABLED for `service` on a project. */
export function serviceDisabled(service: string, project: Pick<ProjectRecord, 'projectNumber'>): ApiFailure {
  const title = SERVICE_TITLES[service] ?? service;
  const number = project.projectNumber;
  const message = SU_MESSAGES.serviceDisabled(title, service, number);
  return new ApiFailure(403, message, {
    details: [
      errorInfo('SERVICE_DISABLED', 'googleapis.com', {
        service,
        consumer: `projects/${number}`,
        activationUrl: activationUrl(service, number),
        serviceTitle: title,
        containerInfo: number,
      }),
      {'@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message},
      {'@type': 'type.googleapis.com/google.rpc.Help', links: [{description: 'Google developers console API activation', url: activationUrl(service, number)}]},
    ],
  });
}

/**
 * The project a request's resource lives in: `{project}` of the path (id or number), else, for `projects/-/...`, the
 * project of the service account the path names. Undefined when the path names no emulated project.
 */
function resourceProject(params: Record<string, string>, state: EmulatorState): ProjectRecord | undefined {
  const named = params.project;
  if (named !== undefined && named !== '-') return state.findProject(named);
  const email = params.account === undefined ? undefined : state.findServiceAccount(params.account)?.email;
  const project = email === undefined ? undefined : /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
  return project === undefined ? undefined : state.findProject(project);
}

/**
 * Throws SERVICE_DISABLED when the request's resource project exists and has not enabled the API. A path without a
 * known project is left to its handler's own refusal. A service marked `alwaysEnabled` (Service Usage itself: it is
 * how a project enables anything) is not checked.
 */
export function requireServiceEnabled(service: ApiService, params: Record<string, string>, state: EmulatorState): void {
  if (service.alwaysEnabled) return;
  const project = resourceProject(params, state);
  if (project && !project.enabledServices?.includes(service.name)) throw serviceDisabled(service.name, project);
}

/** v1's Service resource. */
function renderService(project: ProjectRecord, service: string): Record<string, unknown> {
  return {
    name: `projects/${project.projectNumber}/services/${service}`,
    parent: `projects/${project.projectNumber}`,
    config: {
      name: service,
      title: SERVICE_TITLES[service] ?? service,
      documentation: {},
      quota: {},
      authentication: {},
      usage: {requirements: ['serviceusage.googleapis.com/tos/cloud']},
      monitoring: {},
    },
    state: project.enabledServices?.includes(service) ? 'ENABLED' : 'DISABLED',
  };
}

/**
 * Service Usage's 403 for a change the caller may not make, as Google words it (firebase/firebase-tools#4871,
 * GoogleCloudPlatform/cloud-foundation-fabric#2985): `Permission denied to enable service [NAME]`.
 */
function changeDenied(verb: 'enable' | 'disable', services: readonly string[], permission: string, resource: string): ApiFailure {
  return new ApiFailure(403, SU_MESSAGES.changeDenied(verb, services), {
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: [{subject: `?error_code=110002&service=servicemanagement.googleapis.com&permission=${permission}&resource=${resource}`, type: 'googleapis.com'}],
      },
      errorInfo('AUTH_PERMISSION_DENIED', 'serviceusage.googleapis.com', {permission, resource}),
    ],
  });
}

/**
 * The project of the path once the caller holds `permission` there; a missing project is the same 403. A change
 * (`services` given) is refused in Service Usage's words for it.
 */
function authorizedProject(call: ApiCall, permission: string, change?: {verb: 'enable' | 'disable'; services: readonly string[]}): ProjectRecord {
  const resource = `projects/${call.params.project}`;
  const project = call.state.findProject(call.params.project ?? '');
  const allowed = project !== undefined && project.lifecycleState === 'ACTIVE' && call.holds(permission, [project.iamPolicy]);
  if (allowed) return project;
  throw change ? changeDenied(change.verb, change.services, permission, resource) : call.denied(permission, resource);
}

/** Google's refusal of names it does not know: 403, with the PreconditionFailure gcloud prints. */
function unknownServices(services: readonly string[]): ApiFailure {
  const detail: ErrorDetail = {
    '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
    violations: [{subject: `?error_code=220002&services=${services.join(',')}`, type: 'googleapis.com'}],
  };
  return new ApiFailure(403, SU_MESSAGES.notFound(services), {
    details: [detail, errorInfo('SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED', 'serviceusage.googleapis.com', {services: services.join(',')})],
  });
}

function knownOrThrow(services: readonly string[]): void {
  const unknown = services.filter((s) => !Object.hasOwn(SERVICE_TITLES, s));
  if (unknown.length > 0) throw unknownServices(unknown);
}

/**
 * A finished operation, as Google answers a change it made: a name the client may poll (`operations.get` answers
 * it done) and `done: false` in the first answer, so clients that wait (gcloud) see the operation they expect.
 * A change that changes nothing answers Google's `operations/noop.DONE_OPERATION`, already done.
 */
async function operation(call: ApiCall, project: ProjectRecord, changed: boolean, response: Record<string, unknown>): Promise<unknown> {
  if (!changed) return {name: 'operations/noop.DONE_OPERATION', done: true, response};
  await call.state.save();
  const name = `operations/acf.p2-${project.projectNumber}-${randomUUID()}`;
  call.state.addOperation(name, {name, done: true, response});
  return {name};
}

/** `GET v1/projects/{project}/services`: `filter=state:ENABLED|state:DISABLED`, `pageSize`, `pageToken`. */
export function listServices(call: ApiCall): unknown {
  const project = authorizedProject(call, 'serviceusage.services.list');
  const filter = (call.query.get('filter') ?? '').replace(/\s+/g, '');
  if (filter !== '' && filter !== 'state:ENABLED' && filter !== 'state:DISABLED') throw new ApiFailure(400, SU_MESSAGES.badFilter(filter));
  const names = [...new Set([...Object.keys(SERVICE_TITLES), ...(project.enabledServices ?? [])])].sort();
  const all = names.map((s) => renderService(project, s)).filter((s) => filter === '' || filter === `state:${String(s.state)}`);
  const size = Math.min(Math.max(Number(call.query.get('pageSize') ?? '50') || 50, 1), 200);
  const start = Number(call.query.get('pageToken') ?? '0') || 0;
  const page = all.slice(start, start + size);
  return {services: page, ...(start + size < all.length ? {nextPageToken: String(start + size)} : {})};
}

/** `GET v1/projects/{project}/services/{service}`. */
export function getService(call: ApiCall): unknown {
  const project = authorizedProject(call, 'serviceusage.services.get');
  const service = call.params.service ?? '';
  knownOrThrow([service]);
  return renderService(project, service);
}

/** `POST v1/projects/{project}/services/{service}:enable`. */
export function enableService(call: ApiCall): Promise<unknown> {
  const service = call.params.service ?? '';
  const project = authorizedProject(call, 'serviceusage.services.enable', {verb: 'enable', services: [service]});
  knownOrThrow([service]);
  const changed = !project.enabledServices?.includes(service);
  call.state.setServicesEnabled(project.projectId, [service], true);
  return operation(call, project, changed, {'@type': 'type.googleapis.com/google.api.serviceusage.v1.EnableServiceResponse', service: renderService(project, service)});
}

/** `POST v1/projects/{project}/services:batchEnable`: body `{serviceIds: [...]}`, all or nothing. */
export function batchEnableServices(call: ApiCall): Promise<unknown> {
  const ids = call.body.serviceIds;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((s): s is string => typeof s === 'string')) throw new ApiFailure(400, SU_MESSAGES.noServiceIds);
  const project = authorizedProject(call, 'serviceusage.services.enable', {verb: 'enable', services: ids});
  if (ids.length > 20) throw new ApiFailure(400, SU_MESSAGES.tooManyServiceIds);
  knownOrThrow(ids);
  const changed = ids.some((s) => !project.enabledServices?.includes(s));
  call.state.setServicesEnabled(project.projectId, ids, true);
  return operation(call, project, changed, {
    '@type': 'type.googleapis.com/google.api.serviceusage.v1.BatchEnableServicesResponse',
    services: ids.map((s) => renderService(project, s)),
  });
}

/** `POST v1/projects/{project}/services/{service}:disable`: body `{disableDependentServices?, checkIfServiceHasUsage?}`. */
export function disableService(call: ApiCall): Promise<unknown> {
  const service = call.params.service ?? '';
  const project = authorizedProject(call, 'serviceusage.services.disable', {verb: 'disable', services: [service]});
  knownOrThrow([service]);
  const changed = project.enabledServices?.includes(service) ?? false;
  call.state.setServicesEnabled(project.projectId, [service], false);
  return operation(call, project, changed, {'@type': 'type.googleapis.com/google.api.serviceusage.v1.DisableServiceResponse', service: renderService(project, service)});
}

/** `GET v1/operations/{operation}`: a finished operation of this run. */
export function getOperation(call: ApiCall): unknown {
  const name = `operations/${call.params.operation}`;
  const found = call.state.operation(name);
  if (!found) throw new ApiFailure(404, SU_MESSAGES.operationNotFound(name));
  return found;
}
