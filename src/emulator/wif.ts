/**
 * IAM v1's workload identity pools and their providers, as Google serves them under
 * `projects/{project}/locations/global/workloadIdentityPools[/{pool}/providers/{provider}]`: create, get, list
 * (`showDeleted`), patch, soft delete (state DELETED, purged in 30 days) and undelete. Every mutation answers a
 * long-running Operation that is already done, and `.../operations/{id}` answers it again for pollers (gcloud).
 */
import {randomBytes} from 'node:crypto';
import type {ApiCall} from './api.js';
import {celSyntaxProblem} from './cel.js';
import {DEFAULT_AWS_MAPPING, FEDERATION_ID, RESERVED_ID_PREFIX, providerName} from './federation.js';
import {API_MESSAGES, ApiFailure, badRequest} from './google-errors.js';
import type {ProjectRecord, WorkloadIdentityPoolRecord, WorkloadIdentityProviderRecord} from './records.js';
import {poolName} from './state.js';

const POOL_TYPE = 'type.googleapis.com/google.iam.v1.WorkloadIdentityPool';
const PROVIDER_TYPE = 'type.googleapis.com/google.iam.v1.WorkloadIdentityPoolProvider';
const MAX_DISPLAY_NAME = 32;
const MAX_DESCRIPTION = 256;
const MAX_AUDIENCES = 10;
const MAX_AUDIENCE = 256;
const MAX_MAPPING_EXPRESSION = 2048;
const MAX_CONDITION = 4096;
const MAX_CUSTOM_ATTRIBUTES = 50;
const MAPPING_KEY = /^(?:google\.subject|google\.groups|attribute\.[a-z0-9_]{1,100})$/;
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);
const POOL_PAGE = {default: 50, max: 1000};
const PROVIDER_PAGE = {default: 50, max: 100};

const invalid = (message: string, field?: string) => new ApiFailure(400, message, field === undefined ? {} : {details: [badRequest(field, message)]});
const precondition = (message: string) => new ApiFailure(400, message, {status: 'FAILED_PRECONDITION'});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An optional text field of at most `max` characters; absent is ''. */
function text(raw: unknown, field: string, max: number): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string' || [...raw].length > max) throw invalid(API_MESSAGES.tooManyChars(field, max), field);
  return raw;
}

function flag(raw: unknown, field: string): boolean {
  if (raw === undefined || raw === null) return false;
  if (typeof raw !== 'boolean') throw invalid(API_MESSAGES.badJson, field);
  return raw;
}

function checkId(kind: 'pool' | 'provider', id: string | null): string {
  if (id === null || !FEDERATION_ID.test(id) || id.startsWith(RESERVED_ID_PREFIX)) throw invalid(API_MESSAGES.federationId(kind, id ?? ''), `workload_identity_${kind}_id`);
  return id;
}

/** The project and location of the path, once the caller holds `permission` on the project. Throws 403, or 400 for a location other than global. */
function authorizedParent(call: ApiCall, permission: string): ProjectRecord {
  const {project: raw, location} = call.params;
  const resource = `projects/${raw}/locations/${location}`;
  const project = call.state.findProject(raw ?? '');
  if (!project || project.lifecycleState !== 'ACTIVE') throw call.denied(permission, resource);
  call.require(permission, resource, [project.iamPolicy]);
  if (location !== 'global') throw invalid(API_MESSAGES.location(location ?? ''), 'parent');
  return project;
}

/** The pool of the path once the caller holds `permission`; 404 when there is none (or it was purged). */
function authorizedPool(call: ApiCall, permission: string): WorkloadIdentityPoolRecord {
  const project = authorizedParent(call, permission);
  const pool = call.state.workloadIdentityPool(poolName(project.projectNumber, call.params.pool ?? ''));
  if (!pool) throw new ApiFailure(404);
  return pool;
}

function authorizedProvider(call: ApiCall, permission: string): {pool: WorkloadIdentityPoolRecord; provider: WorkloadIdentityProviderRecord} {
  const pool = authorizedPool(call, permission);
  const provider = call.state.workloadIdentityProvider(pool, call.params.provider ?? '');
  if (!provider) throw new ApiFailure(404);
  return {pool, provider};
}

const nameOf = (pool: WorkloadIdentityPoolRecord) => poolName(pool.projectNumber, pool.poolId);

/** A pool as Google renders it: empty and false fields omitted. */
function renderPool(pool: WorkloadIdentityPoolRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {name: nameOf(pool)};
  if (pool.displayName) out.displayName = pool.displayName;
  if (pool.description) out.description = pool.description;
  out.state = pool.state;
  if (pool.disabled) out.disabled = true;
  if (pool.expireTime) out.expireTime = pool.expireTime;
  return out;
}

function renderProvider(pool: WorkloadIdentityPoolRecord, provider: WorkloadIdentityProviderRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {name: providerName(nameOf(pool), provider.providerId)};
  if (provider.displayName) out.displayName = provider.displayName;
  if (provider.description) out.description = provider.description;
  out.state = provider.state;
  if (provider.disabled) out.disabled = true;
  if (Object.keys(provider.attributeMapping).length > 0) out.attributeMapping = {...provider.attributeMapping};
  if (provider.attributeCondition) out.attributeCondition = provider.attributeCondition;
  if (provider.oidc) {
    const oidc: Record<string, unknown> = {issuerUri: provider.oidc.issuerUri};
    if (provider.oidc.allowedAudiences.length > 0) oidc.allowedAudiences = [...provider.oidc.allowedAudiences];
    if (provider.oidc.jwksJson) oidc.jwksJson = provider.oidc.jwksJson;
    out.oidc = oidc;
  }
  if (provider.aws) out.aws = {accountId: provider.aws.accountId};
  if (provider.expireTime) out.expireTime = provider.expireTime;
  return out;
}

/** A finished long-running Operation whose response is `resource`. */
function operation(resourceName: string, type: string, resource: Record<string, unknown>, id = randomBytes(12).toString('hex')): Record<string, unknown> {
  return {name: `${resourceName}/operations/${id}`, done: true, response: {'@type': type, ...resource}};
}

/** A list page keyed by id: the token is the last id of the previous page, so items created meanwhile shift nothing. */
function page<T>(call: ApiCall, items: T[], idOf: (item: T) => string, sizes: {default: number; max: number}): {page: T[]; next?: string} {
  const raw = call.query.get('pageSize');
  const size = raw === null || raw === '' ? sizes.default : Number(raw);
  if (!Number.isInteger(size) || size < 0) throw invalid(API_MESSAGES.pageSize, 'page_size');
  const limit = size === 0 ? sizes.default : Math.min(size, sizes.max);
  const token = call.query.get('pageToken');
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
  if (token && !after) throw invalid(API_MESSAGES.pageToken, 'page_token');
  const rest = after === undefined ? items : items.filter((i) => idOf(i) > after);
  const out = rest.slice(0, limit);
  const last = out.at(-1);
  return rest.length > limit && last ? {page: out, next: Buffer.from(idOf(last)).toString('base64url')} : {page: out};
}

// gcloud (apitools) sends Python's `True`; Google takes a boolean query parameter in any case.
const showDeleted = (call: ApiCall) => call.query.get('showDeleted')?.toLowerCase() === 'true';

function poolFields(body: Record<string, unknown>): Pick<WorkloadIdentityPoolRecord, 'displayName' | 'description' | 'disabled'> {
  return {
    displayName: text(body.displayName, 'display_name', MAX_DISPLAY_NAME),
    description: text(body.description, 'description', MAX_DESCRIPTION),
    disabled: flag(body.disabled, 'disabled'),
  };
}

/** The update mask of a patch (query `updateMask`, comma-separated, camelCase or snake_case), as camelCase paths. */
function updateMask(call: ApiCall, allowed: ReadonlySet<string>): string[] {
  const raw = call.query.get('updateMask') ?? '';
  const paths = raw
    .split(',')
    .map((p) => p.trim().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()))
    .filter(Boolean);
  if (paths.length === 0) throw invalid(API_MESSAGES.updateMask(raw), 'update_mask');
  for (const path of paths) if (!allowed.has(path)) throw invalid(API_MESSAGES.updateMask(path), 'update_mask');
  return paths;
}

/** `POST .../workloadIdentityPools?workloadIdentityPoolId=ID`: body the pool's displayName, description, disabled. */
export async function createPool(call: ApiCall): Promise<unknown> {
  const project = authorizedParent(call, 'iam.workloadIdentityPools.create');
  const poolId = checkId('pool', call.query.get('workloadIdentityPoolId'));
  const fields = poolFields(call.body);
  // A deleted pool keeps its id until it is purged, as at Google.
  if (call.state.workloadIdentityPool(poolName(project.projectNumber, poolId))) throw new ApiFailure(409, API_MESSAGES.alreadyExists, {status: 'ALREADY_EXISTS'});
  const pool = call.state.createWorkloadIdentityPool(project.projectNumber, poolId, fields);
  await call.state.save();
  return operation(nameOf(pool), POOL_TYPE, renderPool(pool));
}

/** `GET .../workloadIdentityPools/{pool}`: deleted pools too, with state DELETED. */
export function getPool(call: ApiCall): unknown {
  return renderPool(authorizedPool(call, 'iam.workloadIdentityPools.get'));
}

/** `GET .../workloadIdentityPools?pageSize&pageToken&showDeleted`. */
export function listPools(call: ApiCall): unknown {
  const project = authorizedParent(call, 'iam.workloadIdentityPools.list');
  const pools = call.state.workloadIdentityPoolsOf(project.projectNumber).filter((p) => p.state === 'ACTIVE' || showDeleted(call));
  const {page: shown, next} = page(call, pools, (p) => p.poolId, POOL_PAGE);
  const out: Record<string, unknown> = {};
  if (shown.length > 0) out.workloadIdentityPools = shown.map(renderPool);
  if (next) out.nextPageToken = next;
  return out;
}

const POOL_MASK: ReadonlySet<string> = new Set(['displayName', 'description', 'disabled']);

/** `PATCH .../workloadIdentityPools/{pool}?updateMask=...`: displayName, description, disabled. */
export async function patchPool(call: ApiCall): Promise<unknown> {
  const pool = authorizedPool(call, 'iam.workloadIdentityPools.update');
  const paths = updateMask(call, POOL_MASK);
  if (pool.state === 'DELETED') throw precondition(API_MESSAGES.deleted(nameOf(pool)));
  const fields = poolFields(call.body);
  for (const path of paths) Object.assign(pool, {[path]: fields[path as keyof typeof fields]});
  await call.state.save();
  return operation(nameOf(pool), POOL_TYPE, renderPool(pool));
}

/** `DELETE .../workloadIdentityPools/{pool}`: soft delete; its tokens stop working and it can exchange no more. */
export async function deletePool(call: ApiCall): Promise<unknown> {
  const pool = authorizedPool(call, 'iam.workloadIdentityPools.delete');
  if (pool.state === 'DELETED') throw precondition(API_MESSAGES.deleted(nameOf(pool)));
  call.state.setFederationDeleted(pool, true);
  await call.state.save();
  return operation(nameOf(pool), POOL_TYPE, renderPool(pool));
}

/** `POST .../workloadIdentityPools/{pool}:undelete`. */
export async function undeletePool(call: ApiCall): Promise<unknown> {
  const pool = authorizedPool(call, 'iam.workloadIdentityPools.undelete');
  if (pool.state !== 'DELETED') throw precondition(API_MESSAGES.notDeleted(nameOf(pool)));
  call.state.setFederationDeleted(pool, false);
  await call.state.save();
  return operation(nameOf(pool), POOL_TYPE, renderPool(pool));
}

/** `GET .../workloadIdentityPools/{pool}/operations/{operation}`: every operation is done; it answers the pool as it is. */
export function getPoolOperation(call: ApiCall): unknown {
  const pool = authorizedPool(call, 'iam.workloadIdentityPools.get');
  return operation(nameOf(pool), POOL_TYPE, renderPool(pool), call.params.operation);
}

function issuerUri(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw invalid(API_MESSAGES.issuerUri, 'oidc.issuer_uri');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(API_MESSAGES.issuerUri, 'oidc.issuer_uri');
  }
  // Plain http is the emulator's allowance for issuers on this machine (a test's, the emulator's own CI issuer).
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) throw invalid(API_MESSAGES.issuerScheme, 'oidc.issuer_uri');
  return raw;
}

function jwksJson(raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  let keys: unknown;
  try {
    keys = typeof raw === 'string' ? (JSON.parse(raw) as {keys?: unknown}).keys : undefined;
  } catch {
    keys = undefined;
  }
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every(isRecord)) throw invalid(API_MESSAGES.jwksCorrupt, 'oidc.jwks_json');
  for (const key of keys) if (!(key.kty === 'RSA' || (key.kty === 'EC' && key.crv === 'P-256'))) throw invalid(API_MESSAGES.jwksKeyType, 'oidc.jwks_json');
  return raw as string;
}

function celField(raw: unknown, field: string, max: number): string {
  if (typeof raw !== 'string' || raw.trim() === '' || raw.length > max) throw invalid(API_MESSAGES.celLength(field, max), field);
  const problem = celSyntaxProblem(raw);
  if (problem !== undefined) throw invalid(API_MESSAGES.celSyntax(field, problem), field);
  return raw;
}

/** Reads and validates a provider's fields as Google does (one kind, its settings, the mapping and condition). Throws 400. */
function providerFields(body: Record<string, unknown>): Omit<WorkloadIdentityProviderRecord, 'providerId' | 'state'> {
  const kinds = ['oidc', 'aws', 'saml', 'x509'].filter((k) => body[k] !== undefined && body[k] !== null);
  if (kinds.length !== 1 || (kinds[0] !== 'oidc' && kinds[0] !== 'aws')) throw invalid(API_MESSAGES.providerKind);
  const fields: Omit<WorkloadIdentityProviderRecord, 'providerId' | 'state'> = {
    displayName: text(body.displayName, 'display_name', MAX_DISPLAY_NAME),
    description: text(body.description, 'description', MAX_DESCRIPTION),
    disabled: flag(body.disabled, 'disabled'),
    attributeMapping: {},
  };
  if (kinds[0] === 'oidc') {
    const oidc = isRecord(body.oidc) ? body.oidc : {};
    const audiences = oidc.allowedAudiences ?? [];
    if (!Array.isArray(audiences) || audiences.length > MAX_AUDIENCES || !audiences.every((a) => typeof a === 'string' && a !== '' && a.length <= MAX_AUDIENCE)) {
      throw invalid(API_MESSAGES.audiences, 'oidc.allowed_audiences');
    }
    const jwks = jwksJson(oidc.jwksJson);
    fields.oidc = {issuerUri: issuerUri(oidc.issuerUri), allowedAudiences: audiences as string[], ...(jwks === undefined ? {} : {jwksJson: jwks})};
  } else {
    const accountId = isRecord(body.aws) ? body.aws.accountId : undefined;
    if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) throw invalid(API_MESSAGES.accountIdAws(String(accountId ?? '')), 'aws.account_id');
    fields.aws = {accountId};
  }
  const mapping = body.attributeMapping ?? {};
  if (!isRecord(mapping)) throw invalid(API_MESSAGES.mappingRequired, 'attribute_mapping');
  for (const [key, expression] of Object.entries(mapping)) {
    if (!MAPPING_KEY.test(key)) throw invalid(API_MESSAGES.mappingKey(key), 'attribute_mapping');
    fields.attributeMapping[key] = celField(expression, `attribute_mapping[${key}]`, MAX_MAPPING_EXPRESSION);
  }
  if (Object.keys(mapping).filter((k) => k.startsWith('attribute.')).length > MAX_CUSTOM_ATTRIBUTES) throw invalid(API_MESSAGES.mappingCount, 'attribute_mapping');
  // OIDC providers have no default mapping; an AWS provider's own mapping, if any, replaces the default entirely.
  const needsSubject = fields.oidc !== undefined || Object.keys(mapping).length > 0;
  if (needsSubject && !Object.hasOwn(mapping, 'google.subject')) throw invalid(API_MESSAGES.mappingRequired, 'attribute_mapping');
  if (fields.aws && Object.keys(mapping).length === 0) fields.attributeMapping = {...DEFAULT_AWS_MAPPING};
  if (body.attributeCondition !== undefined && body.attributeCondition !== null && body.attributeCondition !== '') {
    fields.attributeCondition = celField(body.attributeCondition, 'attribute_condition', MAX_CONDITION);
  }
  return fields;
}

/** `POST .../{pool}/providers?workloadIdentityPoolProviderId=ID`: an `oidc` or `aws` provider. */
export async function createProvider(call: ApiCall): Promise<unknown> {
  const pool = authorizedPool(call, 'iam.workloadIdentityPoolProviders.create');
  const providerId = checkId('provider', call.query.get('workloadIdentityPoolProviderId'));
  const fields = providerFields(call.body);
  if (pool.state === 'DELETED') throw precondition(API_MESSAGES.deleted(nameOf(pool)));
  if (call.state.workloadIdentityProvider(pool, providerId)) throw new ApiFailure(409, API_MESSAGES.alreadyExists, {status: 'ALREADY_EXISTS'});
  const provider = call.state.addWorkloadIdentityProvider(pool, {providerId, ...fields});
  await call.state.save();
  return operation(providerName(nameOf(pool), providerId), PROVIDER_TYPE, renderProvider(pool, provider));
}

/** `GET .../{pool}/providers/{provider}`. */
export function getProvider(call: ApiCall): unknown {
  const {pool, provider} = authorizedProvider(call, 'iam.workloadIdentityPoolProviders.get');
  return renderProvider(pool, provider);
}

/** `GET .../{pool}/providers?pageSize&pageToken&showDeleted`. */
export function listProviders(call: ApiCall): unknown {
  const pool = authorizedPool(call, 'iam.workloadIdentityPoolProviders.list');
  const providers = call.state.workloadIdentityProvidersOf(pool).filter((p) => p.state === 'ACTIVE' || showDeleted(call));
  const {page: shown, next} = page(call, providers, (p) => p.providerId, PROVIDER_PAGE);
  const out: Record<string, unknown> = {};
  if (shown.length > 0) out.workloadIdentityPoolProviders = shown.map((p) => renderProvider(pool, p));
  if (next) out.nextPageToken = next;
  return out;
}

const PROVIDER_MASK: ReadonlySet<string> = new Set([
  'displayName',
  'description',
  'disabled',
  'attributeMapping',
  'attributeCondition',
  'oidc',
  'oidc.issuerUri',
  'oidc.allowedAudiences',
  'oidc.jwksJson',
  'aws',
  'aws.accountId',
]);

/** `PATCH .../{pool}/providers/{provider}?updateMask=...`: the masked fields change, and the result is validated whole. */
export async function patchProvider(call: ApiCall): Promise<unknown> {
  const {pool, provider} = authorizedProvider(call, 'iam.workloadIdentityPoolProviders.update');
  const paths = updateMask(call, PROVIDER_MASK);
  if (provider.state === 'DELETED') throw precondition(API_MESSAGES.deleted(providerName(nameOf(pool), provider.providerId)));
  const merged = renderProvider(pool, provider);
  for (const path of paths) {
    const [top, sub] = path.split('.') as [string, string | undefined];
    const incoming = call.body[top];
    if (sub === undefined) merged[top] = incoming;
    else merged[top] = {...(isRecord(merged[top]) ? merged[top] : {}), [sub]: isRecord(incoming) ? incoming[sub] : undefined};
  }
  const fields = providerFields(merged);
  delete provider.oidc;
  delete provider.aws;
  delete provider.attributeCondition;
  Object.assign(provider, fields);
  await call.state.save();
  return operation(providerName(nameOf(pool), provider.providerId), PROVIDER_TYPE, renderProvider(pool, provider));
}

/** `DELETE .../{pool}/providers/{provider}`: soft delete; it exchanges no more, and tokens it issued live on, as at Google. */
export async function deleteProvider(call: ApiCall): Promise<unknown> {
  const {pool, provider} = authorizedProvider(call, 'iam.workloadIdentityPoolProviders.delete');
  if (provider.state === 'DELETED') throw precondition(API_MESSAGES.deleted(providerName(nameOf(pool), provider.providerId)));
  call.state.setFederationDeleted(provider, true);
  await call.state.save();
  return operation(providerName(nameOf(pool), provider.providerId), PROVIDER_TYPE, renderProvider(pool, provider));
}

/** `POST .../{pool}/providers/{provider}:undelete`. */
export async function undeleteProvider(call: ApiCall): Promise<unknown> {
  const {pool, provider} = authorizedProvider(call, 'iam.workloadIdentityPoolProviders.undelete');
  if (provider.state !== 'DELETED') throw precondition(API_MESSAGES.notDeleted(providerName(nameOf(pool), provider.providerId)));
  call.state.setFederationDeleted(provider, false);
  await call.state.save();
  return operation(providerName(nameOf(pool), provider.providerId), PROVIDER_TYPE, renderProvider(pool, provider));
}

/** `GET .../{pool}/providers/{provider}/operations/{operation}`. */
export function getProviderOperation(call: ApiCall): unknown {
  const {pool, provider} = authorizedProvider(call, 'iam.workloadIdentityPoolProviders.get');
  return operation(providerName(nameOf(pool), provider.providerId), PROVIDER_TYPE, renderProvider(pool, provider), call.params.operation);
}
