/**
 * Workload Identity Federation's rules, in one place for the IAM API (wif.ts), the STS (sts.ts) and the
 * authenticator (authn.ts): resource names, the policy members that name a federated principal, and how a
 * provider's attribute mapping and condition turn an external credential into a principal.
 */
import {celStrings, evaluate} from './cel.js';
import type {FederatedTokenRecord, WorkloadIdentityProviderRecord} from './records.js';

/** Pool and provider ids: 4-32 of `[a-z0-9-]`; the `gcp-` prefix is Google's own. */
export const FEDERATION_ID = /^[a-z0-9-]{4,32}$/;
export const RESERVED_ID_PREFIX = 'gcp-';

/** The host of IAM resource names in members and audiences. */
const IAM_HOST = '//iam.googleapis.com/';

/**
 * Google's documented default mapping of AWS providers with none of their own: the caller's ARN is the subject, and
 * `attribute.aws_role` its role (the assumed-role ARN without the session name).
 */
export const DEFAULT_AWS_MAPPING: Readonly<Record<string, string>> = {
  'google.subject': 'assertion.arn',
  'attribute.aws_role':
    "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn",
};

/** Google's limit on the mapped `google.subject`. */
export const MAX_SUBJECT_BYTES = 127;

/** A provider's full resource name, `projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/ID`. */
export function providerName(pool: string, providerId: string): string {
  return `${pool}/providers/${providerId}`;
}

/**
 * The parts of an STS `audience`, `//iam.googleapis.com/projects/PROJECT/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`
 * (PROJECT a number or an id); undefined for anything else.
 */
export function parseAudience(audience: string): {project: string; poolId: string; providerId: string} | undefined {
  const match = /^\/\/iam\.googleapis\.com\/projects\/([^/]+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/.exec(audience);
  return match ? {project: match[1]!, poolId: match[2]!, providerId: match[3]!} : undefined;
}

/** The JWT audiences an OIDC provider without allowed audiences accepts: its full name, with and without `https:`. */
export function defaultAudiences(fullProviderName: string): string[] {
  return [`${IAM_HOST}${fullProviderName}`, `https:${IAM_HOST}${fullProviderName}`];
}

/** The `principal://` member of one federated identity. */
export function principalMember(pool: string, subject: string): string {
  return `principal:${IAM_HOST}${pool}/subject/${subject}`;
}

/**
 * The members that name a federated principal: its own `principal://`, a `principalSet://` per group and per value
 * of each custom attribute, the whole pool's, and `allUsers`. Not `allAuthenticatedUsers`, which Google documents as
 * excluding identities from external identity providers.
 */
export function federatedMembers(token: Pick<FederatedTokenRecord, 'pool' | 'subject' | 'groups' | 'attributes'>): Set<string> {
  const set = `principalSet:${IAM_HOST}${token.pool}`;
  const members = new Set([principalMember(token.pool, token.subject), `${set}/*`, 'allUsers']);
  for (const group of token.groups) members.add(`${set}/group/${group}`);
  for (const [name, values] of Object.entries(token.attributes)) for (const value of values) members.add(`${set}/attribute.${name}/${value}`);
  return members;
}

/** Member values (after `principal:` / `principalSet:`) of workload identity pools, as Google accepts them. */
const WORKLOAD_PRINCIPAL = /^\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[^/]+\/subject\/.+$/;
const WORKLOAD_PRINCIPAL_SET = /^\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[^/]+\/(?:\*|group\/.+|attribute\.[a-z0-9_]{1,100}\/.+)$/;

/**
 * Whether a `principal:` (`set` false) or `principalSet:` member value is well formed: workload identity pool members
 * must name the project by number and use one of Google's forms; other `//` identifiers (workforce pools, other
 * services) are taken as they are.
 */
export function validFederatedMember(value: string, set: boolean): boolean {
  if (!value.startsWith('//') || value.length <= 2) return false;
  if (!value.startsWith(`${IAM_HOST}projects/`)) return true;
  return (set ? WORKLOAD_PRINCIPAL_SET : WORKLOAD_PRINCIPAL).test(value);
}

/** Who an external credential is in its pool, once mapped. */
export interface MappedIdentity {
  subject: string;
  groups: string[];
  attributes: Record<string, string[]>;
}

/** Why a credential's mapping or condition refuses it: the STS words each. */
export type MappingRefusal = {reason: 'mapping'; attribute: string; message: string} | {reason: 'subject-too-long'} | {reason: 'condition'};

/**
 * Applies a provider's attribute mapping to `assertion` (the credential's claims) and then its attribute condition,
 * which sees `assertion`, `google` (`subject`, `groups`) and `attribute`. Every mapping must evaluate to a string (or,
 * for groups and custom attributes, a list of strings) and the condition to `true`.
 */
export function mapCredential(
  provider: Pick<WorkloadIdentityProviderRecord, 'attributeMapping' | 'attributeCondition'>,
  assertion: Record<string, unknown>,
): {ok: true; identity: MappedIdentity} | {ok: false; refusal: MappingRefusal} {
  const identity: MappedIdentity = {subject: '', groups: [], attributes: {}};
  for (const [attribute, expression] of Object.entries(provider.attributeMapping)) {
    const result = evaluate(expression, {assertion});
    if (!result.ok) return {ok: false, refusal: {reason: 'mapping', attribute, message: result.message}};
    const values = celStrings(result.value);
    const single = attribute === 'google.subject';
    if (values === undefined || (single && values.length !== 1)) {
      return {ok: false, refusal: {reason: 'mapping', attribute, message: single ? 'it must be a string' : 'it must be a string or a list of strings'}};
    }
    if (single) identity.subject = values[0]!;
    else if (attribute === 'google.groups') identity.groups = values;
    else if (attribute.startsWith('attribute.')) identity.attributes[attribute.slice('attribute.'.length)] = values;
  }
  if (identity.subject === '') return {ok: false, refusal: {reason: 'mapping', attribute: 'google.subject', message: 'it is empty'}};
  if (Buffer.byteLength(identity.subject, 'utf8') > MAX_SUBJECT_BYTES) return {ok: false, refusal: {reason: 'subject-too-long'}};
  if (provider.attributeCondition) {
    const attribute = Object.fromEntries(Object.entries(identity.attributes).map(([name, values]) => [name, values.length === 1 ? values[0] : values]));
    const verdict = evaluate(provider.attributeCondition, {assertion, google: {subject: identity.subject, groups: identity.groups}, attribute});
    if (!verdict.ok || verdict.value !== true) return {ok: false, refusal: {reason: 'condition'}};
  }
  return {ok: true, identity};
}
