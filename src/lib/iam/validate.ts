/**
 * Checks of IAM names made before any request, so a typo costs a one-line usage error (exit 2)
 * instead of a round trip and a 400. Each check names the flag or argument, quotes the value,
 * shows the accepted form and, where the mistake is a common one, the likely intended value.
 * The server stays the authority: these rules accept everything Google documents, and a few
 * shapes (principal:// paths, custom role ids) are checked only for their outline.
 */
import {UsageError} from '../errors.js';
import {isProjectIdentifier, PROJECT_FORM, projectFault} from '../validators.js';

const BASIC_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];

const ACCOUNT_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;
const ACCOUNT_ID_FORM = '6 to 30 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen';
const ACCOUNT_REF = /^(.+@.+\..+|[0-9]+)$/;
const ACCOUNT_REF_FORM = 'a service account email (NAME@PROJECT_ID.iam.gserviceaccount.com) or its numeric unique id';
const EMAIL = /^[^@\s:?]+@[^@\s]+\.[^@\s]+$/;
const DOMAIN = /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)+$/;
/** A GKE workload identity: `PROJECT_ID.svc.id.goog[NAMESPACE/KSA]`. */
const KUBERNETES_SA = /^[-a-z0-9.:]+\.svc\.id\.goog\[[^\]/\s]+\/[^\]/\s]+\]$/;
const PRINCIPAL = /^principal(Set)?:\/\/[^/\s]+\/\S+$/;
const DELETED = /^deleted:(user|serviceAccount|group):([^?]+)\?uid=([0-9]+)$/;
const MEMBER_FORM =
  'user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, principal://..., principalSet://..., ' +
  'allUsers, allAuthenticatedUsers or deleted:KIND:EMAIL?uid=ID';
const EMAIL_KINDS = ['user', 'serviceAccount', 'group'];
/** Prefixes as Google spells them, keyed by their lower-case form (and a few near misses). */
const CANONICAL_PREFIX: Record<string, string> = {
  user: 'user',
  group: 'group',
  domain: 'domain',
  serviceaccount: 'serviceAccount',
  'service-account': 'serviceAccount',
  service_account: 'serviceAccount',
  deleted: 'deleted',
};
const ROLE_NAME = /^[A-Za-z0-9_.]+$/;
const ROLE_FORM = 'roles/NAME, projects/PROJECT_ID/roles/NAME or organizations/ORGANIZATION_ID/roles/NAME';
const KEY_ID = /^[0-9a-f]{40}$/;
const KEY_ID_FORM = "40 lower-case hexadecimal characters (a key's KEY_ID, the private_key_id of its JSON key file)";

/** Quotes a user's value for a one-line message: control characters escaped, long values shortened. */
export function quoteValue(value: string): string {
  const escaped = value.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return `[${escaped.length > 120 ? `${escaped.slice(0, 117)}...` : escaped}]`;
}

/** The one shape of every message here: `Invalid WHAT [VALUE]: [REASON; ]expected FORM.[ Did you mean X?]` */
export function invalidValue(label: string, value: string, form: string, extra: {reason?: string; suggestion?: string} = {}): UsageError {
  const reason = extra.reason ? `${extra.reason}; ` : '';
  const didYouMean = extra.suggestion !== undefined && extra.suggestion !== value ? ` Did you mean ${extra.suggestion}?` : '';
  return new UsageError(`Invalid ${label} ${quoteValue(value)}: ${reason}expected ${form}.${didYouMean}`);
}

/** True for the three basic roles (roles/owner, roles/editor, roles/viewer), which cannot carry a condition. */
export function isBasicRole(role: string): boolean {
  return BASIC_ROLES.includes(role);
}

function isAccountId(id: string): boolean {
  return id.length >= 6 && id.length <= 30 && ACCOUNT_ID.test(id);
}

/** An account id rewritten the way people usually meant it: lower case, `_`/spaces/dots as hyphens. */
function normalizeAccountId(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/[_\s.]+/g, '-')
    .replace(/[^-a-z0-9]/g, '')
    .replace(/^[-0-9]+/, '')
    .replace(/-+$/, '');
}

function accountIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'it is empty';
  if (id.length < 6 || id.length > 30) return `it has ${id.length} characters`;
  if (/[A-Z]/.test(id)) return 'it has upper-case letters';
  const bad = id.match(/[^-a-z0-9]/);
  if (bad) return `it contains [${bad[0]}]`;
  if (!/^[a-z]/.test(id)) return `it starts with [${id[0]}]`;
  if (id.endsWith('-')) return 'it ends with a hyphen';
  return undefined;
}

/**
 * Checks a service account id (the NAME of `iam service-accounts create NAME`) against Google's rule:
 * 6–30 characters matching `[a-z]([-a-z0-9]*[a-z0-9])`. Returns it; throws UsageError.
 */
export function validateAccountId(id: string, label = 'NAME'): string {
  if (isAccountId(id)) return id;
  const local = id.includes('@') ? id.slice(0, id.indexOf('@')) : id;
  const candidate = isAccountId(local) ? local : normalizeAccountId(local);
  const reason = id.includes('@') ? `${label} is the account id, not its email` : accountIdProblem(id);
  throw invalidValue(label, id, ACCOUNT_ID_FORM, {reason, suggestion: isAccountId(candidate) ? candidate : undefined});
}

/** The email of account id `id` in `project` (`NAME@PROJECT.iam…`, or `NAME@PROJECT.DOMAIN.iam…` for `DOMAIN:PROJECT`). */
function serviceAccountEmail(id: string, project: string): string {
  const colon = project.indexOf(':');
  const host = colon < 0 ? project : `${project.slice(colon + 1)}.${project.slice(0, colon)}`;
  return `${id}@${host}.iam.gserviceaccount.com`;
}

/**
 * Checks a service account reference (`--iam-account`, a SERVICE_ACCOUNT argument): an email or a
 * numeric unique id, gcloud's `^(.+@.+\..+|[0-9]+)$`, without whitespace or a member prefix.
 * `project`, when known, completes a bare account id in the suggestion. Returns it; throws UsageError.
 */
export function validateServiceAccountRef(value: string, label = '--iam-account', options: {project?: string} = {}): string {
  const trimmed = value.trim();
  const prefixed = trimmed.match(/^(serviceAccount|user|group):(.*)$/i);
  const ok = !/\s/.test(value) && !prefixed && ACCOUNT_REF.test(value);
  if (ok) return value;
  let suggestion: string | undefined;
  let reason: string | undefined;
  if (prefixed) {
    suggestion = prefixed[2];
    reason = 'this takes the email alone, without a member prefix';
  } else if (trimmed !== value && ACCOUNT_REF.test(trimmed) && !/\s/.test(trimmed)) {
    suggestion = trimmed;
  } else if (isAccountId(trimmed)) {
    suggestion = serviceAccountEmail(trimmed, options.project ?? 'PROJECT_ID');
  }
  throw invalidValue(label, value, ACCOUNT_REF_FORM, {reason, suggestion});
}

// --- Workload Identity Federation: pools, providers, locations, attribute keys and their members ---

const WORKLOAD_ID_FORM = '4 to 32 lower-case letters, digits or hyphens, not starting with gcp- (reserved for Google)';
/** Workload identity pools and providers exist only in `global`. */
export const WORKLOAD_IDENTITY_LOCATIONS = ['global'] as const;
/** The google.* attributes a provider's attribute mapping may set; custom ones are attribute.NAME. */
const GOOGLE_ATTRIBUTES = ['google.subject', 'google.groups', 'google.display_name', 'google.profile_photo', 'google.posix_username'];
const ATTRIBUTE_NAME = /^[a-z0-9_]+$/;
/** Google's limit on the length of a mapped attribute's key. */
const MAX_ATTRIBUTE_KEY = 100;
/** A GKE workload identity pool (`PROJECT_ID.svc.id.goog`): Google's own, outside the id rule, with its own member forms. */
const GKE_POOL = /^[-a-z0-9.:]+\.svc\.id\.goog$/;
const WORKLOAD_MEMBER_PREFIX = /^(principal|principalSet):\/\/iam\.googleapis\.com\/projects\//;
const WORKLOAD_MEMBER = /^(principal|principalSet):\/\/iam\.googleapis\.com\/projects\/([^/]*)\/locations\/([^/]*)\/workloadIdentityPools\/([^/]*)\/(.*)$/s;
const WORKLOAD_MEMBER_FORM =
  'principal://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL_ID/subject/SUBJECT, or principalSet://' +
  'iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL_ID/ followed by group/GROUP, attribute.NAME/VALUE or *';

/** What is wrong with a pool or provider id, or undefined. */
function workloadIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'it is empty';
  if (id.length < 4 || id.length > 32) return `it has ${id.length} characters`;
  if (/[A-Z]/.test(id)) return 'it has upper-case letters';
  const bad = id.match(/[^-a-z0-9]/);
  if (bad) return `it contains [${bad[0]}]`;
  if (id.startsWith('gcp-')) return 'the prefix gcp- is reserved for Google';
  return undefined;
}

/**
 * Checks a workload identity pool or provider id (`POOL`, `PROVIDER`, `--workload-identity-pool`) against Google's
 * rule: 4–32 characters of `[a-z0-9-]`, not starting with `gcp-`. Returns it; throws UsageError.
 */
export function validateWorkloadIdentityId(id: string, label = 'POOL'): string {
  const reason = workloadIdProblem(id);
  if (reason === undefined) return id;
  const candidate = id
    .trim()
    .toLowerCase()
    .replace(/[_\s.]+/g, '-')
    .replace(/[^-a-z0-9]/g, '');
  throw invalidValue(label, id, WORKLOAD_ID_FORM, {reason, suggestion: workloadIdProblem(candidate) === undefined ? candidate : undefined});
}

/** Checks `--location` of a workload identity pool or provider: only `global` exists. Returns it; throws UsageError. */
export function validateWorkloadIdentityLocation(value: string, label = '--location'): string {
  if ((WORKLOAD_IDENTITY_LOCATIONS as readonly string[]).includes(value)) return value;
  const suggestion = value.trim().toLowerCase() === 'global' ? 'global' : undefined;
  throw invalidValue(label, value, WORKLOAD_IDENTITY_LOCATIONS.join(' or '), {reason: suggestion ? undefined : 'workload identity pools exist only in location global', suggestion});
}

/** What is wrong with a key of a provider's attribute mapping (`google.subject`, `attribute.NAME`), or undefined. */
export function attributeKeyProblem(key: string): string | undefined {
  if (GOOGLE_ATTRIBUTES.includes(key)) return undefined;
  if (key.startsWith('google.')) return `[${key}] is not a Google attribute; they are ${GOOGLE_ATTRIBUTES.join(', ')}`;
  if (!key.startsWith('attribute.')) return `[${key}] is neither google.NAME nor attribute.NAME`;
  const name = key.slice('attribute.'.length);
  if (!ATTRIBUTE_NAME.test(name)) return `the custom attribute [${key}] may use only [a-z0-9_] after attribute.`;
  if (key.length > MAX_ATTRIBUTE_KEY) return `the key [${key.slice(0, 40)}...] has ${key.length} characters; at most ${MAX_ATTRIBUTE_KEY}`;
  return undefined;
}

/** What is wrong with a principal:// or principalSet:// member of a workload identity pool, or undefined. */
function workloadMemberProblem(value: string): {reason?: string; suggestion?: string} | undefined {
  const match = WORKLOAD_MEMBER.exec(value);
  if (!match) return {reason: 'a workload identity member names its project number, location and pool'};
  const [, scheme, project, location, pool, rest] = match as unknown as [string, string, string, string, string, string];
  if (!/^[0-9]+$/.test(project)) return {reason: `a pool is named by its project NUMBER, not [${project}] (gcauth projects describe shows projectNumber)`};
  if (location !== 'global') {
    const suggestion = `${scheme}://iam.googleapis.com/projects/${project}/locations/global/workloadIdentityPools/${pool}/${rest}`;
    return {reason: 'workload identity pools exist only in location global', suggestion};
  }
  const gke = GKE_POOL.test(pool);
  if (!gke) {
    const poolProblem = workloadIdProblem(pool);
    if (poolProblem) return {reason: `the pool id [${pool}]: ${poolProblem}`};
  }
  const swap = (to: 'principal' | 'principalSet') => `${to}://${value.slice(scheme.length + 3)}`;
  if (scheme === 'principal') {
    const subject = /^subject\/(.+)$/s.exec(rest);
    if (subject && !/[\s]/.test(subject[1]!)) return undefined;
    if (subject) return {reason: 'the subject has whitespace'};
    if (gke && rest !== '') return undefined;
    if (rest === '*' || rest.startsWith('group/') || rest.startsWith('attribute.')) {
      return {reason: 'principal:// names one identity (.../subject/SUBJECT); a group, an attribute value or the whole pool is principalSet://', suggestion: swap('principalSet')};
    }
    return {reason: 'principal:// of a pool ends in /subject/SUBJECT'};
  }
  if (rest === '*') return undefined;
  if (/^group\/\S+$/.test(rest)) return undefined;
  const attribute = /^attribute\.([^/]*)\/(.*)$/s.exec(rest);
  if (attribute) {
    if (!ATTRIBUTE_NAME.test(attribute[1]!)) return {reason: `the attribute name [${attribute[1]}] may use only [a-z0-9_]`};
    if (attribute[2] === '' || /\s/.test(attribute[2]!)) return {reason: 'the attribute value is empty or has whitespace'};
    return undefined;
  }
  if (rest.startsWith('subject/')) return {reason: 'principalSet:// names a set; one subject is principal://.../subject/SUBJECT', suggestion: swap('principal')};
  if (gke && rest !== '' && !/\s/.test(rest)) return undefined;
  return {reason: 'principalSet:// of a pool ends in /group/GROUP, /attribute.NAME/VALUE or /*'};
}

type MemberProblem = {reason?: string; suggestion?: string; form?: string};

function memberProblem(value: string): MemberProblem | undefined {
  if (value === 'allUsers' || value === 'allAuthenticatedUsers') return undefined;
  const workload = value.startsWith('deleted:') ? value.slice('deleted:'.length) : value;
  if (WORKLOAD_MEMBER_PREFIX.test(workload) && !/^deleted:principalSet:/.test(value)) {
    const problem = workloadMemberProblem(workload);
    if (!problem) return undefined;
    return {...problem, suggestion: problem.suggestion && workload !== value ? `deleted:${problem.suggestion}` : problem.suggestion, form: WORKLOAD_MEMBER_FORM};
  }
  if (PRINCIPAL.test(value)) return undefined;
  if (value.startsWith('deleted:principal://') && PRINCIPAL.test(value.slice('deleted:'.length))) return undefined;

  const trimmed = value.trim();
  if (trimmed !== value) {
    const inner = memberProblem(trimmed);
    return {reason: 'it has surrounding whitespace', suggestion: inner?.suggestion ?? (inner ? undefined : trimmed)};
  }
  const lower = value.toLowerCase();
  if (lower === 'allusers') return {suggestion: 'allUsers'};
  if (lower === 'allauthenticatedusers') return {suggestion: 'allAuthenticatedUsers'};
  const scheme = value.match(/^(principal(?:set)?):\/\/(.*)$/i);
  if (scheme) {
    const canonical = scheme[1]!.toLowerCase() === 'principalset' ? 'principalSet' : 'principal';
    if (scheme[1] !== canonical) return {reason: `the prefix is spelled ${canonical}://`, suggestion: `${canonical}://${scheme[2]}`};
    return {reason: `${canonical}:// needs a host and a path, such as ${canonical}://iam.googleapis.com/locations/global/workforcePools/POOL_ID/...`};
  }
  if (EMAIL.test(value)) {
    const kind = value.endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user';
    return {reason: 'a member needs a type prefix', suggestion: `${kind}:${value}`};
  }

  const colon = value.indexOf(':');
  if (colon < 0) return {};
  const prefix = value.slice(0, colon);
  const rest = value.slice(colon + 1);
  const canonical = CANONICAL_PREFIX[prefix.toLowerCase()];
  if (canonical === undefined) return {reason: `[${prefix}:] is not a member type`};
  if (prefix !== canonical) {
    const fixed = `${canonical}:${rest}`;
    const inner = memberProblem(fixed);
    return {reason: `member types are case-sensitive: ${canonical}:, not ${prefix}:`, suggestion: inner ? inner.suggestion : fixed};
  }

  if (canonical === 'deleted') {
    const match = value.match(DELETED);
    if (match && EMAIL.test(match[2]!)) return undefined;
    if (/^deleted:(user|serviceAccount|group):[^?]+$/.test(value)) return {reason: 'a deleted member ends with ?uid=UNIQUE_ID'};
    return {reason: 'a deleted member is deleted:user:, deleted:serviceAccount: or deleted:group: EMAIL?uid=UNIQUE_ID, or deleted:principal://...'};
  }
  if (canonical === 'domain') {
    if (DOMAIN.test(rest)) return undefined;
    const domain = rest.slice(rest.lastIndexOf('@') + 1);
    if (rest.includes('@') && DOMAIN.test(domain)) return {reason: 'domain: takes a domain name, not an email', suggestion: `domain:${domain}`};
    return {reason: 'domain: takes a domain name such as example.com'};
  }
  if (canonical === 'serviceAccount' && KUBERNETES_SA.test(rest)) return undefined;
  if (EMAIL.test(rest)) {
    if (canonical !== 'serviceAccount' && rest.endsWith('.gserviceaccount.com')) {
      return {reason: `${rest} is a service account`, suggestion: `serviceAccount:${rest}`};
    }
    return undefined;
  }
  if (EMAIL_KINDS.includes(canonical)) return {reason: `${canonical}: takes an email address`};
  return {};
}

/**
 * Checks an IAM member (`--member`): user:/serviceAccount:/group: EMAIL, domain:DOMAIN, principal:// and
 * principalSet:// identifiers, allUsers, allAuthenticatedUsers and the deleted: forms. Prefixes are
 * case-sensitive, as Google's are. Returns it; throws UsageError.
 */
export function validateMember(value: string, label = '--member'): string {
  const problem = memberProblem(value);
  if (problem === undefined) return value;
  throw invalidValue(label, value, problem.form ?? MEMBER_FORM, problem);
}

function isRole(value: string): boolean {
  const parts = value.split('/');
  if (parts.length === 2) return parts[0] === 'roles' && ROLE_NAME.test(parts[1]!);
  if (parts.length !== 4 || parts[2] !== 'roles' || !ROLE_NAME.test(parts[3]!)) return false;
  if (parts[0] === 'projects') return isProjectIdentifier(parts[1]!);
  return parts[0] === 'organizations' && /^[0-9]+$/.test(parts[1]!);
}

/**
 * Checks an IAM role (`--role`): `roles/NAME`, `projects/PROJECT_ID/roles/NAME` or
 * `organizations/ORGANIZATION_ID/roles/NAME`, NAME of letters, digits, `_` and `.`. Returns it; throws UsageError.
 */
export function validateRole(value: string, label = '--role'): string {
  if (isRole(value)) return value;
  const trimmed = value.trim();
  const candidates = [
    trimmed,
    `roles/${trimmed}`,
    trimmed.replace(/^role\//i, 'roles/'),
    trimmed.replace(/^roles\//i, 'roles/'),
    trimmed.replace(/^(projects|organizations)\/([^/]+)\/role\//i, '$1/$2/roles/'),
  ];
  const suggestion = candidates.find((c) => c !== value && isRole(c));
  let reason: string | undefined;
  if (suggestion === `roles/${trimmed}`) reason = 'a role name starts with roles/';
  else if (/^(roles\/|(projects|organizations)\/[^/]+\/roles\/)$/.test(value)) reason = 'the role name is missing';
  else if (/-/.test(value.split('/').pop() ?? '')) reason = 'role names have no hyphens';
  throw invalidValue(label, value, ROLE_FORM, {reason, suggestion});
}

/**
 * Checks a project (`PROJECT_ID` argument, `--project`) with gcloud's rule: a project ID, optionally
 * domain-scoped (`example.com:my-project`), or a project number. Returns it; throws UsageError.
 */
export function validateProjectId(value: string, label = 'PROJECT_ID'): string {
  if (isProjectIdentifier(value)) return value;
  throw invalidValue(label, value, PROJECT_FORM, projectFault(value));
}

/**
 * Checks a service account key id (`KEY_ID` of `keys delete`): 40 lower-case hex characters, as every
 * Google-issued and uploaded key id is. Returns it; throws UsageError.
 */
export function validateKeyId(value: string, label = 'KEY_ID'): string {
  if (KEY_ID.test(value)) return value;
  const last = value.trim().split('/').pop() ?? '';
  const candidate = /\/keys\/[^/]+$/.test(value.trim()) ? last : value.trim().toLowerCase();
  const suggestion = KEY_ID.test(candidate) ? candidate : undefined;
  let reason: string | undefined;
  if (/\/keys\//.test(value)) reason = 'this takes the key id alone, not its resource name';
  else if (/^[0-9a-fA-F]*$/.test(value) && value.length !== 40) reason = `it has ${value.length} characters`;
  throw invalidValue(label, value, KEY_ID_FORM, {reason, suggestion});
}
