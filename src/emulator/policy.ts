import {createHash} from 'node:crypto';
import {validFederatedMember} from './federation.js';
import {API_MESSAGES, ApiFailure, badRequest, projectIamPolicyError} from './google-errors.js';
import {BASIC_ROLES, grantableOn, permissionsOf, type PolicyResource} from './roles.js';
import type {IamBinding, IamCondition, IamPolicy} from './records.js';
import {newEtag} from './state.js';

/** Google's limit on principals across all bindings of one policy. */
const MAX_POLICY_MEMBERS = 1500;
/** The policy versions Google accepts anywhere a version is given. */
const VALID_VERSIONS: ReadonlySet<number> = new Set([0, 1, 3]);
/** Paths a setIamPolicy update mask may name; Google's default is `bindings,etag`. */
const MASK_PATHS: ReadonlySet<string> = new Set(['bindings', 'etag', 'version', 'auditConfigs', 'audit_configs']);

/** Predefined (`roles/x`) and custom (`projects/p/roles/x`, `organizations/n/roles/x`) role names. */
const ROLE_NAME = /^(?:roles|projects\/[a-z][-a-z0-9]*\/roles|organizations\/\d+\/roles)\/[A-Za-z0-9_.]+$/;
const EMAIL = /^[^@\s:?]+@[^@\s:?]+\.[^@\s:?]+$/;
const DOMAIN = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
const DELETED = /^(?:user|serviceAccount|group):([^?]+)\?uid=\d+$/;
/** Member types and how each one's value must look. */
const MEMBER_TYPES: Readonly<Record<string, (value: string) => boolean>> = {
  user: (v) => EMAIL.test(v),
  serviceAccount: (v) => EMAIL.test(v),
  group: (v) => EMAIL.test(v),
  domain: (v) => DOMAIN.test(v),
  deleted: (v) => EMAIL.test(DELETED.exec(v)?.[1] ?? ''),
  principal: (v) => validFederatedMember(v, false),
  principalSet: (v) => validFederatedMember(v, true),
};
const PUBLIC_MEMBERS: ReadonlySet<string> = new Set(['allUsers', 'allAuthenticatedUsers']);
/** Standard or URL-safe base64, as a bytes field may arrive. */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Says whether an emulated service account exists; undefined for an email the emulator does not own. */
export type AccountExists = (email: string) => boolean | undefined;

/** What a setIamPolicy checks its policy against: the kind of resource it is for, and which accounts exist. */
export interface PolicyTarget {
  resource: PolicyResource;
  accountExists: AccountExists;
}

const invalid = (message: string, ...details: ReturnType<typeof badRequest>[]) =>
  new ApiFailure(400, message, details.length > 0 ? {details} : {});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkMember(member: string, accountExists: AccountExists): void {
  if (PUBLIC_MEMBERS.has(member)) return;
  const colon = member.indexOf(':');
  if (colon <= 0) throw invalid(API_MESSAGES.memberForm, badRequest('policy.bindings.member', API_MESSAGES.memberFormDetail));
  const type = member.slice(0, colon);
  const value = member.slice(colon + 1);
  const valid = Object.hasOwn(MEMBER_TYPES, type) ? MEMBER_TYPES[type] : undefined;
  if (!valid) throw invalid(API_MESSAGES.unknownMemberType(member));
  if (!valid(value)) throw invalid(API_MESSAGES.invalidMember(member));
  if (type === 'serviceAccount' && accountExists(value) === false) throw invalid(API_MESSAGES.serviceAccountMissing(value));
}

function readCondition(raw: unknown): IamCondition | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw) || typeof raw.expression !== 'string' || raw.expression.trim() === '') {
    throw invalid(API_MESSAGES.conditionWithoutExpression);
  }
  // Built in Google's field order, which also makes equal conditions serialise equally.
  const condition: IamCondition = {expression: raw.expression};
  if (typeof raw.title === 'string' && raw.title !== '') condition.title = raw.title;
  if (typeof raw.description === 'string' && raw.description !== '') condition.description = raw.description;
  return condition;
}

/** Refuses a role that is malformed, names no role Google would know here, or is not grantable on `resource`. */
function checkRole(role: string, resource: PolicyResource): void {
  // A `_withcond_` role is a version-1 rendering of a conditional binding: writing it back would lose the condition.
  if (!ROLE_NAME.test(role) || role.includes('_withcond_')) throw invalid(API_MESSAGES.unknownRole(role));
  // A custom role (projects/P/roles/x, organizations/N/roles/x) would have to exist; the emulator has none.
  if (!role.startsWith('roles/')) throw invalid(API_MESSAGES.unknownRole(role));
  if (!grantableOn(role, resource)) throw invalid(API_MESSAGES.unsupportedRole(role));
}

function readBinding(raw: unknown, version: number, target: PolicyTarget): IamBinding {
  if (!isRecord(raw) || typeof raw.role !== 'string') throw invalid(API_MESSAGES.unknownRole(String(isRecord(raw) ? raw.role : raw)));
  const role = raw.role;
  checkRole(role, target.resource);
  const members = raw.members ?? [];
  if (!Array.isArray(members) || !members.every((m): m is string => typeof m === 'string')) {
    throw invalid(API_MESSAGES.invalidMember(JSON.stringify(members)));
  }
  for (const member of members) {
    checkMember(member, target.accountExists);
    // "Project does not support allUsers and allAuthenticatedUsers as members in a Binding of a Policy"
    // (Resource Manager's projects.setIamPolicy reference, v1 and v3), whatever the role; Google answers
    // the generic 400 "Request contains an invalid argument." (hashicorp/terraform-provider-google#859).
    // The detail names the binding as Google's other project-policy refusals do; its `type` for this case
    // is not known, so none is given.
    if (target.resource === 'project' && PUBLIC_MEMBERS.has(member)) {
      throw new ApiFailure(400, undefined, {details: [projectIamPolicyError(member, role)]});
    }
  }
  const condition = readCondition(raw.condition);
  if (condition && version < 3) throw invalid(API_MESSAGES.conditionNeedsVersion3);
  if (condition && BASIC_ROLES.has(role)) throw invalid(API_MESSAGES.conditionOnBasicRole(role));
  return condition ? {role, members, condition} : {role, members};
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Drops empty bindings, merges bindings of equal role and condition, de-duplicates and sorts members. */
function normalise(bindings: IamBinding[]): IamBinding[] {
  const merged = new Map<string, IamBinding>();
  for (const binding of bindings) {
    if (binding.members.length === 0) continue;
    const key = JSON.stringify([binding.role, binding.condition ?? null]);
    const existing = merged.get(key);
    if (existing) existing.members.push(...binding.members);
    else merged.set(key, {...binding, members: [...binding.members]});
  }
  const out = [...merged.values()];
  for (const binding of out) binding.members = [...new Set(binding.members)].sort(compare);
  return out.sort((a, b) => compare(a.role, b.role) || compare(JSON.stringify(a.condition ?? ''), JSON.stringify(b.condition ?? '')));
}

/** Reads a requested or declared policy version (a number, or a numeric query string); absent is 0. Throws 400. */
function readVersion(raw: unknown, message: (v: unknown) => string = API_MESSAGES.requestedVersion): number {
  if (raw === undefined || raw === null || raw === '') return 0;
  const version = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof version !== 'number' || !VALID_VERSIONS.has(version)) throw invalid(message(raw));
  return version;
}

/** The version a getIamPolicy call asks for: `options.requestedPolicyVersion` in the query (IAM) or the body (Resource Manager). */
export function requestedVersion(body: Record<string, unknown>, query: URLSearchParams): number {
  const options = isRecord(body.options) ? body.options : {};
  return readVersion(query.get('options.requestedPolicyVersion') ?? options.requestedPolicyVersion);
}

/** The `permissions` of a testIamPermissions body. Throws ApiFailure(400). */
export function readPermissions(body: Record<string, unknown>): string[] {
  const permissions = body.permissions ?? [];
  if (!Array.isArray(permissions) || !permissions.every((p): p is string => typeof p === 'string')) {
    throw invalid(API_MESSAGES.permissionsList, badRequest('permissions', API_MESSAGES.permissionsList));
  }
  return permissions;
}

/**
 * Validates and normalises the `policy` of a setIamPolicy body as Google does: typed members (no allUsers or
 * allAuthenticatedUsers on a project), roles that exist and the resource takes, conditions only in version 3
 * and never on basic roles, at most 1,500 principals. Throws ApiFailure(400).
 */
function readPolicy(raw: unknown, target: PolicyTarget): {etag?: string; bindings: IamBinding[]} {
  if (!isRecord(raw)) throw invalid(API_MESSAGES.badJson, badRequest('policy', 'A policy is required.'));
  const version = readVersion(raw.version, API_MESSAGES.policyVersion);
  const rawBindings = raw.bindings ?? [];
  if (!Array.isArray(rawBindings)) throw invalid(API_MESSAGES.badJson, badRequest('policy.bindings', 'bindings must be a list.'));
  const bindings = normalise(rawBindings.map((b) => readBinding(b, version, target)));
  const count = bindings.reduce((n, b) => n + b.members.length, 0);
  if (count > MAX_POLICY_MEMBERS) throw invalid(API_MESSAGES.tooManyMembers(count));
  if (raw.etag === undefined || raw.etag === null || raw.etag === '') return {bindings};
  if (typeof raw.etag !== 'string' || !BASE64.test(raw.etag)) throw invalid(API_MESSAGES.badEtag(String(raw.etag)));
  return {etag: raw.etag, bindings};
}

/**
 * Whether two etags name the same bytes. An etag is a bytes field: clients may re-encode it, and gcloud
 * (apitools) sends back in URL-safe base64 what it read in standard base64.
 */
function sameEtag(a: string, b: string): boolean {
  return Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
}

function readMask(raw: unknown): Set<string> {
  if (raw === undefined || raw === null || raw === '') return new Set(['bindings', 'etag']);
  if (typeof raw !== 'string') throw invalid(API_MESSAGES.updateMask(JSON.stringify(raw)));
  const paths = raw.split(',').map((p) => p.trim());
  for (const path of paths) if (!MASK_PATHS.has(path)) throw invalid(API_MESSAGES.updateMask(path));
  return new Set(paths);
}

/**
 * Applies a setIamPolicy body (`{policy, updateMask?}`) to `current` as Google does: a given etag must be
 * the current one (else 409 ABORTED); no etag overwrites; only masked fields change (default `bindings,etag`);
 * every write gets a new etag; the version becomes 3 if any binding is conditional, else 1.
 * Returns the new policy; `current` is not modified. Throws ApiFailure.
 */
export function applySetIamPolicy(current: IamPolicy, body: Record<string, unknown>, target: PolicyTarget): IamPolicy {
  const mask = readMask(body.updateMask);
  const incoming = readPolicy(body.policy, target);
  if (incoming.etag !== undefined && !sameEtag(incoming.etag, current.etag)) {
    throw new ApiFailure(409, API_MESSAGES.concurrentPolicyChange, {status: 'ABORTED'});
  }
  const bindings = mask.has('bindings') ? incoming.bindings : structuredClone(current.bindings);
  return {version: bindings.some((b) => b.condition) ? 3 : 1, etag: newEtag(), bindings};
}

/** Google's `_withcond_` suffix: a stable hash of the condition, so equal conditions render equally. */
function conditionSuffix(condition: IamCondition): string {
  return createHash('sha256').update(JSON.stringify(condition)).digest('hex').slice(0, 20);
}

/**
 * A policy as Google answers it, fields in Google's order (version, etag, bindings; role, members, condition).
 * Asked for version 0 or 1 of a policy with conditions, Google drops each condition and renames its role
 * `<role>_withcond_<hash>` so an old client cannot mistake it for an unconditional grant; so does this.
 */
export function renderPolicy(policy: IamPolicy, requestedVersion: number): Record<string, unknown> {
  const downgrade = requestedVersion < 3 && policy.bindings.some((b) => b.condition);
  const bindings = policy.bindings.map((b) => {
    if (!b.condition) return {role: b.role, members: [...b.members]};
    if (downgrade) return {role: `${b.role}_withcond_${conditionSuffix(b.condition)}`, members: [...b.members]};
    return {role: b.role, members: [...b.members], condition: {...b.condition}};
  });
  const out: Record<string, unknown> = {version: downgrade ? 1 : policy.version, etag: policy.etag};
  if (bindings.length > 0) out.bindings = bindings;
  return out;
}

const TIME_CLAUSE = /^request\.time\s*(<=|>=|<|>)\s*timestamp\(\s*"([^"]+)"\s*\)$/;

function clauseHolds(raw: string, nowMs: number): boolean {
  let clause = raw.trim();
  while (clause.startsWith('(') && clause.endsWith(')')) clause = clause.slice(1, -1).trim();
  if (clause === 'true') return true;
  const match = TIME_CLAUSE.exec(clause);
  const at = match?.[2] === undefined ? Number.NaN : Date.parse(match[2]);
  if (!match || Number.isNaN(at)) return false;
  switch (match[1]) {
    case '<':
      return nowMs < at;
    case '<=':
      return nowMs <= at;
    case '>':
      return nowMs > at;
    default:
      return nowMs >= at;
  }
}

/**
 * The emulator's reading of a CEL condition: clauses joined by `&&`, each `true` or `request.time`
 * compared (`<`, `<=`, `>`, `>=`) with `timestamp("<RFC 3339>")`, optionally parenthesised. Anything
 * else evaluates to false: a condition the emulator cannot read never grants (it fails closed).
 */
export function conditionHolds(expression: string, nowMs: number): boolean {
  return expression.split('&&').every((clause) => clauseHolds(clause, nowMs));
}

/** The roles `principals` hold in `policy` at `nowMs`: unconditional bindings, and conditional ones whose condition holds. */
export function rolesHeld(policy: IamPolicy, principals: ReadonlySet<string>, nowMs: number): string[] {
  return policy.bindings
    .filter((b) => b.members.some((m) => principals.has(m)))
    .filter((b) => !b.condition || conditionHolds(b.condition.expression, nowMs))
    .map((b) => b.role);
}

/** The permissions `principals` hold at `nowMs` through any of `policies` (an absent one grants nothing). */
export function permissionsHeld(principals: ReadonlySet<string>, policies: ReadonlyArray<IamPolicy | undefined>, nowMs: number): Set<string> {
  const held = new Set<string>();
  for (const policy of policies) {
    if (!policy) continue;
    for (const role of rolesHeld(policy, principals, nowMs)) for (const p of permissionsOf(role)) held.add(p);
  }
  return held;
}
