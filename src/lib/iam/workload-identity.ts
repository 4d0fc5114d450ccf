/**
 * Workload identity pools and their providers (`gcauth iam workload-identity-pools ...`): the commands' shared flags,
 * resource names, the input checks made before any request, and the cores over IAM v1. Output follows gcloud's:
 * create and delete print nothing on stdout (the status line goes to stderr), describe prints YAML, list prints one
 * YAML document per resource.
 */

import type {Operation, WorkloadIdentityPool, WorkloadIdentityPoolProvider} from '../api/iam.js';
import {resolveProject} from '../config/project.js';
import type {AppContext} from '../context.js';
import {UsageError} from '../errors.js';
import {FileReadError, fsErrorReason, readRegularFile} from '../fs/read-file.js';
import {parseArgDict, splitArgList} from './arg-dict.js';
import {celIsOpen} from './condition.js';
import {attributeKeyProblem, invalidValue, quoteValue, validateProjectId, validateWorkloadIdentityId, validateWorkloadIdentityLocation} from './validate.js';
import {sortedKeys} from '../output/sorted-keys.js';

/** `--location`, required as gcloud requires it (workload identity pools exist only in `global`). */
export const LOCATION_FLAG = {type: 'option', required: true, description: 'Location of the pool: global.'} as const;
/** The pool a provider command acts in. */
export const POOL_FLAG = {type: 'option', required: true, description: 'ID of the workload identity pool.'} as const;

/** The flags pools and providers share on create (gcloud's limits: 32 characters, 256 characters). */
export const RESOURCE_FIELD_FLAGS = {
  'display-name': {type: 'option', description: 'A display name, at most 32 characters.'},
  description: {type: 'option', description: 'A description, at most 256 characters.'},
  disabled: {type: 'boolean', description: 'Create it disabled: it exchanges no tokens until enabled.'},
} as const;

/** The flags every provider takes on create, beside its kind's own. */
export const PROVIDER_FIELD_FLAGS = {
  ...RESOURCE_FIELD_FLAGS,
  'attribute-mapping': {
    type: 'option',
    description:
      'KEY=EXPRESSION,...: the attributes of a federated identity, CEL over the token (assertion); must map google.subject, e.g. google.subject=assertion.sub,attribute.repository=assertion.repository.',
  },
  'attribute-condition': {type: 'option', description: "A CEL condition a token must meet to be accepted, e.g. \"assertion.repository_owner == 'my-org'\"."},
} as const;

const LIMITS = {'--display-name': 32, '--description': 256, '--attribute-condition': 4096};
/** Google's limit on one attribute mapping expression. */
const MAX_MAPPING_EXPRESSION = 2048;
const MAX_CUSTOM_ATTRIBUTES = 50;
const MAPPING_FORM = 'KEY=EXPRESSION,... with KEY google.subject, google.groups or attribute.NAME, e.g. google.subject=assertion.sub';

/** Where a pool is: project (ID or number), location, pool ID, and its resource name. */
export interface PoolRef {
  project: string;
  location: string;
  pool: string;
  name: string;
}

/** A provider in a pool. */
export interface ProviderRef extends PoolRef {
  provider: string;
  /** The provider's resource name (`name` is its pool's). */
  providerName: string;
}

const POOL_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools\/([^/]+)$/;
const PROVIDER_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/;

const checkLength = (flag: keyof typeof LIMITS, value: string | undefined): void => {
  if (value !== undefined && [...value].length > LIMITS[flag]) {
    throw new UsageError(`Invalid ${flag} ${quoteValue(value)}: it has ${[...value].length} characters; expected at most ${LIMITS[flag]}.`);
  }
};

/**
 * The pool POOL (an ID, or a full resource name as gcloud also takes) in `--location` of the current project.
 * @throws UsageError for a bad ID, location or project, or a full name that disagrees with the flags.
 */
export function poolRef(pool: string, location: string, ctx: Pick<AppContext, 'props'>, label = 'POOL'): PoolRef {
  const full = POOL_NAME.exec(pool);
  const project = validateProjectId(full ? full[1]! : resolveProject(ctx), 'project');
  const id = validateWorkloadIdentityId(full ? full[3]! : pool, label);
  const loc = validateWorkloadIdentityLocation(full ? full[2]! : location, full ? `${label} location` : '--location');
  if (full && full[2] !== location) throw new UsageError(`${label} [${pool}] is in location [${full[2]}], but --location is [${location}].`);
  return {project, location: loc, pool: id, name: `projects/${project}/locations/${loc}/workloadIdentityPools/${id}`};
}

/**
 * The provider PROVIDER (an ID, or a full resource name) of pool `--workload-identity-pool`.
 * @throws UsageError as poolRef, and for a bad provider ID.
 */
export function providerRef(provider: string, pool: string, location: string, ctx: Pick<AppContext, 'props'>): ProviderRef {
  const full = PROVIDER_NAME.exec(provider);
  const ref = full ? poolRef(`projects/${full[1]}/locations/${full[2]}/workloadIdentityPools/${full[3]}`, location, ctx, 'PROVIDER') : poolRef(pool, location, ctx, '--workload-identity-pool');
  if (full && full[3] !== pool) throw new UsageError(`PROVIDER [${provider}] is in pool [${full[3]}], but --workload-identity-pool is [${pool}].`);
  const id = validateWorkloadIdentityId(full ? full[4]! : provider, 'PROVIDER');
  return {...ref, provider: id, providerName: `${ref.name}/providers/${id}`};
}

/**
 * Parses `--attribute-mapping` (gcloud's KEY=VALUE dict) into the API's map, keys checked against Google's rules. A
 * comma inside an expression's string literal or brackets stays in the expression, so
 * `attribute.x=assertion.a.extract('{a},{b}')` needs no other delimiter. A key given twice is an error.
 * @throws UsageError naming the key at fault.
 */
export function parseAttributeMapping(value: string, label = '--attribute-mapping'): Record<string, string> {
  const entries = parseArgDict(value, label, {form: MAPPING_FORM, continues: (previous) => celIsOpen(previous), repeated: 'error'});
  if (entries.size === 0) throw invalidValue(label, value, MAPPING_FORM, {reason: 'it is empty'});
  let custom = 0;
  for (const [key, expression] of entries) {
    const problem = attributeKeyProblem(key);
    if (problem) throw invalidValue(label, value, MAPPING_FORM, {reason: problem});
    if (expression.trim() === '') throw invalidValue(label, value, MAPPING_FORM, {reason: `${key} has no expression`});
    if (expression.length > MAX_MAPPING_EXPRESSION) throw invalidValue(label, value, MAPPING_FORM, {reason: `the expression of ${key} has ${expression.length} characters; at most ${MAX_MAPPING_EXPRESSION}`});
    if (key.startsWith('attribute.')) custom++;
  }
  if (custom > MAX_CUSTOM_ATTRIBUTES) throw invalidValue(label, value, MAPPING_FORM, {reason: `it maps ${custom} custom attributes; at most ${MAX_CUSTOM_ATTRIBUTES}`});
  if (!entries.has('google.subject')) throw invalidValue(label, value, MAPPING_FORM, {reason: 'it must map google.subject'});
  return Object.fromEntries(entries);
}

/** The fields pools and providers share, checked. @throws UsageError */
function commonFields(options: {displayName?: string; description?: string; disabled?: boolean}): {displayName?: string; description?: string; disabled?: boolean} {
  checkLength('--display-name', options.displayName);
  checkLength('--description', options.description);
  return {
    ...(options.displayName !== undefined ? {displayName: options.displayName} : {}),
    ...(options.description !== undefined ? {description: options.description} : {}),
    ...(options.disabled ? {disabled: true} : {}),
  };
}


// --- pools ---

export interface PoolOptions {
  pool: string;
  location: string;
}

export interface CreatePoolOptions extends PoolOptions {
  displayName?: string;
  description?: string;
  disabled?: boolean;
}

/**
 * Creates a pool; says so on stderr as gcloud does. Returns the API's operation (printed only with --format).
 * @throws UsageError for bad input (nothing sent); ConflictError when it exists; the API's typed errors.
 */
export async function createPool(options: CreatePoolOptions, ctx: AppContext): Promise<Operation> {
  const ref = poolRef(options.pool, options.location, ctx);
  const fields = commonFields(options);
  const operation = await (await ctx.api.iam()).createWorkloadIdentityPool(`projects/${ref.project}/locations/${ref.location}`, ref.pool, fields);
  ctx.io.stderr.write(`Created workload identity pool [${ref.pool}].\n`);
  return operation;
}

/** A pool, keys sorted. @throws UsageError; NotFoundError; the API's typed errors. */
export async function describePool(options: PoolOptions, ctx: AppContext): Promise<WorkloadIdentityPool> {
  const ref = poolRef(options.pool, options.location, ctx);
  return sortedKeys(await (await ctx.api.iam()).getWorkloadIdentityPool(ref.name));
}

/** Every pool of the project in `location`, keys sorted. @throws UsageError; the API's typed errors. */
export async function listPools(options: {location: string; showDeleted: boolean}, ctx: AppContext): Promise<WorkloadIdentityPool[]> {
  const project = validateProjectId(resolveProject(ctx), 'project');
  const location = validateWorkloadIdentityLocation(options.location);
  return sortedKeys(await (await ctx.api.iam()).listWorkloadIdentityPools(`projects/${project}/locations/${location}`, options.showDeleted));
}

/** Deletes a pool (Google keeps it 30 days, undeletable); says so on stderr. @throws UsageError; NotFoundError; the API's typed errors. */
export async function deletePool(options: PoolOptions, ctx: AppContext): Promise<Operation> {
  const ref = poolRef(options.pool, options.location, ctx);
  const operation = await (await ctx.api.iam()).deleteWorkloadIdentityPool(ref.name);
  ctx.io.stderr.write(`Deleted workload identity pool [${ref.pool}].\n`);
  return operation;
}

// --- providers ---

export interface ProviderOptions {
  provider: string;
  pool: string;
  location: string;
}

export interface CreateProviderOptions extends ProviderOptions {
  displayName?: string;
  description?: string;
  disabled?: boolean;
  attributeMapping?: string;
  attributeCondition?: string;
}

/** The options every provider's create command maps the same way: its ids and PROVIDER_FIELD_FLAGS. */
export function createProviderOptions(
  args: {provider: string},
  flags: {
    'workload-identity-pool': string;
    location: string;
    'display-name'?: string;
    description?: string;
    disabled?: boolean;
    'attribute-mapping'?: string;
    'attribute-condition'?: string;
  },
): CreateProviderOptions {
  return {
    provider: args.provider,
    pool: flags['workload-identity-pool'],
    location: flags.location,
    displayName: flags['display-name'],
    description: flags.description,
    disabled: flags.disabled,
    attributeMapping: flags['attribute-mapping'],
    attributeCondition: flags['attribute-condition'],
  };
}

export interface CreateOidcProviderOptions extends CreateProviderOptions {
  issuerUri: string;
  allowedAudiences?: string;
  jwkJsonPath?: string;
}

export interface CreateAwsProviderOptions extends CreateProviderOptions {
  accountId: string;
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\])$/;

/** `--issuer-uri`: https (http only on loopback, for a local issuer such as the emulator's). @throws UsageError */
function checkIssuer(value: string): string {
  const form = 'an https:// URL, the issuer (iss) of the tokens, e.g. https://token.actions.githubusercontent.com';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidValue('--issuer-uri', value, form);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))) return value;
  throw invalidValue('--issuer-uri', value, form, {reason: url.protocol === 'http:' ? 'Google fetches issuers over https only' : undefined});
}

/** `--allowed-audiences`: a comma list (gcloud's ArgList), none empty. @throws UsageError */
function parseAudiences(value: string): string[] {
  const split = splitArgList(value);
  const audiences = split?.pieces ?? [];
  if (audiences.length === 0 || audiences.some((a) => a.trim() === '')) {
    throw invalidValue('--allowed-audiences', value, 'AUDIENCE,... (each one an aud the tokens may carry)', {reason: 'an audience is empty'});
  }
  return audiences;
}

/** `--jwk-json-path`: the issuer's JWKS, uploaded instead of fetched; must be JSON with `keys`. @throws UsageError */
function readJwks(file: string): string {
  let text: string;
  try {
    text = readRegularFile(file);
  } catch (error) {
    throw new UsageError(`Cannot read --jwk-json-path [${file}]: ${error instanceof FileReadError ? error.reason : fsErrorReason(error)}.`);
  }
  let keys: unknown;
  try {
    keys = (JSON.parse(text) as {keys?: unknown}).keys;
  } catch {
    keys = undefined;
  }
  if (!Array.isArray(keys)) throw new UsageError(`Invalid --jwk-json-path [${file}]: expected a JSON Web Key Set ({"keys": [...]}).`);
  return text;
}

/** The fields every provider shares, checked. @throws UsageError */
function providerFields(options: CreateProviderOptions, mappingRequired: boolean): WorkloadIdentityPoolProvider {
  checkLength('--attribute-condition', options.attributeCondition);
  if (options.attributeCondition !== undefined && options.attributeCondition.trim() === '') {
    throw invalidValue('--attribute-condition', options.attributeCondition, "a CEL expression, e.g. \"assertion.repository_owner == 'my-org'\"", {reason: 'it is empty'});
  }
  if (mappingRequired && options.attributeMapping === undefined) {
    throw new UsageError('--attribute-mapping is required for an OIDC provider; it must map google.subject, e.g. --attribute-mapping=google.subject=assertion.sub');
  }
  return {
    ...commonFields(options),
    ...(options.attributeMapping !== undefined ? {attributeMapping: parseAttributeMapping(options.attributeMapping)} : {}),
    ...(options.attributeCondition !== undefined ? {attributeCondition: options.attributeCondition} : {}),
  };
}

async function createProvider(ref: ProviderRef, provider: WorkloadIdentityPoolProvider, ctx: AppContext): Promise<Operation> {
  const operation = await (await ctx.api.iam()).createWorkloadIdentityPoolProvider(ref.name, ref.provider, provider);
  ctx.io.stderr.write(`Created workload identity pool provider [${ref.provider}].\n`);
  return operation;
}

/**
 * Creates an OIDC provider (issuer, allowed audiences, attribute mapping and condition); says so on stderr.
 * @throws UsageError for bad input (nothing sent); ConflictError when it exists; the API's typed errors.
 */
export async function createOidcProvider(options: CreateOidcProviderOptions, ctx: AppContext): Promise<Operation> {
  const ref = providerRef(options.provider, options.pool, options.location, ctx);
  const fields = providerFields(options, true);
  const oidc = {
    issuerUri: checkIssuer(options.issuerUri),
    ...(options.allowedAudiences !== undefined ? {allowedAudiences: parseAudiences(options.allowedAudiences)} : {}),
    ...(options.jwkJsonPath !== undefined ? {jwksJson: readJwks(options.jwkJsonPath)} : {}),
  };
  return createProvider(ref, {...fields, oidc}, ctx);
}

/**
 * Creates an AWS provider for one AWS account; says so on stderr.
 * @throws UsageError for bad input (nothing sent); ConflictError when it exists; the API's typed errors.
 */
export async function createAwsProvider(options: CreateAwsProviderOptions, ctx: AppContext): Promise<Operation> {
  const ref = providerRef(options.provider, options.pool, options.location, ctx);
  const fields = providerFields(options, false);
  if (!/^[0-9]{12}$/.test(options.accountId)) throw invalidValue('--account-id', options.accountId, 'an AWS account ID, 12 digits such as 123456789012');
  return createProvider(ref, {...fields, aws: {accountId: options.accountId}}, ctx);
}

/** A provider, keys sorted. @throws UsageError; NotFoundError; the API's typed errors. */
export async function describeProvider(options: ProviderOptions, ctx: AppContext): Promise<WorkloadIdentityPoolProvider> {
  const ref = providerRef(options.provider, options.pool, options.location, ctx);
  return sortedKeys(await (await ctx.api.iam()).getWorkloadIdentityPoolProvider(ref.providerName));
}

/** Every provider of a pool, keys sorted. @throws UsageError; NotFoundError; the API's typed errors. */
export async function listProviders(options: {pool: string; location: string; showDeleted: boolean}, ctx: AppContext): Promise<WorkloadIdentityPoolProvider[]> {
  const ref = poolRef(options.pool, options.location, ctx, '--workload-identity-pool');
  return sortedKeys(await (await ctx.api.iam()).listWorkloadIdentityPoolProviders(ref.name, options.showDeleted));
}

/** Deletes a provider; says so on stderr. @throws UsageError; NotFoundError; the API's typed errors. */
export async function deleteProvider(options: ProviderOptions, ctx: AppContext): Promise<Operation> {
  const ref = providerRef(options.provider, options.pool, options.location, ctx);
  const operation = await (await ctx.api.iam()).deleteWorkloadIdentityPoolProvider(ref.providerName);
  ctx.io.stderr.write(`Deleted workload identity pool provider [${ref.provider}].\n`);
  return operation;
}

